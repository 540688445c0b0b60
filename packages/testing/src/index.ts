export * from './discovery.js';
export * from './nginx.js';
export * from './ports.js';
export * from './postgres.js';
export * from './process.js';
export * from './redis.js';
export * from './server.js';
export * from './ws-client.js';
