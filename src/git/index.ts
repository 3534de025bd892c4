/** The memory repository: commits, refs, fast-forward, history, provenance and the cycle lock. */
export * from './repo.js';
export * from './tree.js';
export * from './commit.js';
export { PackBuilder } from './pack-write.js';
export * from './message.js';
export * from './log.js';
export * from './worktree.js';
export * from './lock.js';
export * from './blame.js';
export * from './merge3.js';
