export { CONFIG_FILE, loadConfig, type LoadConfigOptions } from './load.js';
export { parseConfig } from './parse.js';
export type { ClaudeConfig, Config, Effort, EngineName, GitHubConfig, Mode, SessionSource } from './types.js';
export { EFFORTS, ENGINES, MODES } from './types.js';
