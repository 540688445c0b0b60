export * from './analytics.js';
export * from './codec.js';
export * from './codes.js';
export * from './events.js';
export * from './frames.js';
export * from './limits.js';
export * from './mentions.js';
export * from './rest.js';
