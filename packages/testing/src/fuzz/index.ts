export * from './arbitraries.js';
export * from './json.js';
export * from './run.js';
export * from './socket.js';
export * from './world.js';
