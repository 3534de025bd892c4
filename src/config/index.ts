export { CONFIG_FILE, loadConfig, parseConfig } from './load.js';
export type { Config, EngineName, GitHubConfig, Mode, SessionSource } from './types.js';
export { ENGINES, MODES } from './types.js';
