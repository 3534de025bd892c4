export { CONFIG_FILE, loadConfig, parseConfig } from './load.js';
export type { ClaudeConfig, Config, Effort, EngineName, GitHubConfig, Mode, SessionSource } from './types.js';
export { EFFORTS, ENGINES, MODES } from './types.js';
