/**
 * reverie as a library: what an agent platform imports to run dream cycles on its own memory repos.
 * The pure core (planCycle and its types) needs no git and no files; the rest works on a repository path.
 */
export { dream, type DreamOptions, type DreamResult, type PhaseReport } from './cycle/dream.js';
export { approveCycle, rejectCycle, approveBranch } from './cycle/approve.js';
export { revert, RevertConflictError, RevertRefusedError, type RevertOptions, type RevertResult } from './cycle/revert.js';
export { initMemoryRepo, type InitOptions, type InitResult } from './cycle/init.js';
export { LAYOUTS, type Layout } from './cycle/skeleton.js';
export { lint, type LintOptions, type LintReport } from './cycle/lint.js';
export { check, checkMarkdown, type CheckOptions, type CheckReport } from './cycle/check.js';
export { lintMemory, LINT_RULES, type Finding, type LintInput, type RuleId, type Severity } from './memory/lint.js';
export { namespaceChanges, type NamespaceChange } from './memory/changes.js';
export { HARNESSES, type Harness } from './memory/harness.js';
export { listCycles, pendingCycles, type ActionView, type CycleView, type PendingCycle } from './cycle/history.js';
export { explainFile, type FileProvenance, type LineOrigin, type LineProvenance } from './cycle/provenance.js';
export { reviewCycle, type CycleReview } from './cycle/review.js';
export { reviseCycle, reviseAndPublish, type Revision, type Revised } from './cycle/revise.js';
export { respondToReview, type Response as ReviewResponse } from './cycle/respond.js';
export { openContext, type RepoContext } from './cycle/context.js';
export { connectGitHub, type GitHubLink } from './cycle/publish.js';
export { readReviewEvent, type ReviewEvent } from './github/events.js';
export { parseCommands, type ReviewCommand } from './github/review-commands.js';
export { curationStats, type CurationStats } from './cycle/stats.js';
export { loadConfig, parseConfig, type Config } from './config/index.js';
export { planCycle, emptyState } from './dream/plan.js';
export { applyAction, applyActions } from './dream/apply.js';
export { heuristicEngine } from './dream/engines/heuristic.js';
export { createClaudeEngine, type ClaudeEngineOptions } from './dream/engines/claude/index.js';
export { createManagedEngine, type ManagedEngineOptions } from './dream/engines/managed/index.js';
export { splitDream, type SessionText, type SplitContext, type SplitResult } from './dream/engines/managed/split.js';
export type * from './dream/types.js';
export type * from './memory/types.js';
export type * from './sessions/types.js';
export { buildSnapshot, parseDocument, renderDocument } from './memory/index.js';
export { loadSessions } from './sessions/load.js';
export { redact, redactText } from './sessions/redact.js';
export { repositoryMemory, type RepositoryMemory, type RepositoryMemoryOptions } from './memory-tool/handlers.js';
export { SESSION_PREFIX, sessionBranch, waitingSessionBranches, type WaitingSession } from './memory-tool/branch.js';
export { discoverLogs, AGENT_LOG_PLACES, type DiscoverOptions, type DiscoveredAgent, type DiscoveredLog } from './sessions/discover.js';
export { importLogs, redactLog, type ImportOptions, type ImportResult, type LogToImport } from './sessions/import.js';
export { pushStore, pullStore, type PullReport, type PushReport, type StoreSyncOptions } from './store/sync.js';
export { fetchStoreSessions, type FetchSessionsOptions, type FetchSessionsResult } from './store/sessions.js';
export { STORE_PREFIX, waitingStoreBranches, type WaitingStoreBranch } from './store/branch.js';
export { managedAgentsReader } from './sessions/readers/managed-agents.js';
export * from './errors.js';
