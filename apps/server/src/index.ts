export { TokenService } from './auth/tokens.js';
export type { Broker } from './broker/port.js';
export { type Config, ConfigError, configVariables, loadConfig } from './config.js';
export { type OpenNodeOptions, openNode } from './main.js';
export { HubbubNode } from './node.js';
