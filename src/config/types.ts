import type { ActionType } from '../dream/types.js';
import type { AgentLoad } from '../memory/context-cost.js';
import type { Harness } from '../memory/harness.js';
import type { Namespace } from '../memory/types.js';

export type Mode = 'auto' | 'review' | 'dry-run';
export const MODES: readonly Mode[] = ['auto', 'review', 'dry-run'];

export type EngineName = 'heuristic' | 'claude' | 'managed';
export const ENGINES: readonly EngineName[] = ['heuristic', 'claude', 'managed'];

export type Effort = 'low' | 'medium' | 'high' | 'xhigh' | 'max';
export const EFFORTS: readonly Effort[] = ['low', 'medium', 'high', 'xhigh', 'max'];

/** The model one phase of the claude engine calls, and how long its answers may be. */
export interface ClaudePhaseConfig {
  model: string;
  /** The most a single answer may take; an answer cut at this length is retried once with twice as much. */
  maxTokens: number;
}

/** The `claude:` section: how the claude engine calls the Messages API. The key comes from ANTHROPIC_API_KEY only. */
export interface ClaudeConfig {
  /** `claude.map`: the per-session extraction, many small parallel reads; a cheap, fast model does it well. */
  map: ClaudePhaseConfig;
  /** `claude.curate`: one careful judgement against the whole memory; worth a strong model. */
  curate: ClaudePhaseConfig;
  /** Requests in flight at once during extraction. */
  concurrency: number;
  /** Free text that steers what the cycle looks for and keeps; sent to the model as the repository owner's guidance. */
  instructions?: string;
  /**
   * What one cycle may spend; each request reserves the most it could cost, waits while that does not fit beside the
   * requests in flight, and the cycle stops when it still does not fit with none in flight.
   */
  budget: { tokens?: number; usd?: number };
  /** Another endpoint for the API (a proxy, a gateway); else ANTHROPIC_BASE_URL, else Anthropic's. */
  baseUrl?: string;
  /** Send extraction through the Message Batches API: half the price, results within hours. */
  batch: boolean;
  /**
   * `claude.batch_wait_minutes`: how long one cycle waits for its Message Batch before it stops (main untouched) and
   * leaves the batch to the next cycle, which resumes it by id. 0 submits and stops at once.
   */
  batchWaitMinutes: number;
  /** `output_config.effort` for every request; left out when unset, so the model's default applies. */
  effort?: Effort;
}

/**
 * The `managed:` section: how the managed engine runs Anthropic's Dreams (Managed Agents) on the cycle's memory. The
 * key comes from ANTHROPIC_API_KEY only.
 */
export interface ManagedConfig {
  /** The model that runs the dream (`managed.model`). */
  model: string;
  /** Guidance for the dream, 1 to 4,096 characters (`managed.instructions`); the Dreams API takes no more. */
  instructions?: string;
  /**
   * The memory store the dream reads (`managed.store`): `id`, a store reverie writes the cycle's memory into before
   * each dream; else a new store per dream, named `<name> <cycle>`.
   */
  store: { id?: string; name: string };
  /**
   * The Managed Agents sessions the dream reads (`managed.sessions`): those of `agentId` (or of the whole workspace),
   * or exactly `ids`; those an earlier cycle sent are not sent again. At most `maxPerDream` (1 to 100, the API's cap)
   * go in one dream; the rest wait for the next cycle, oldest first.
   */
  sessions: { agentId?: string; ids?: string[]; maxPerDream: number };
  /**
   * `managed.wait_minutes`: how long one cycle waits for its dream before it stops (main untouched) and leaves it to
   * the next cycle, which resumes it by id. 0 creates the dream and stops at once.
   */
  waitMinutes: number;
  /** `managed.poll_seconds`: the first wait between two looks at the dream; each next one is longer, up to a minute. */
  pollSeconds: number;
  /** Another endpoint for the API (a proxy, a gateway); else ANTHROPIC_BASE_URL, else Anthropic's. */
  baseUrl?: string;
}

export interface GitHubConfig {
  /** `owner/name`; else read from the remote's URL. */
  repo?: string;
  /** A git remote of the repository (`origin`) or an https URL to push to. */
  remote: string;
  /** REST API base URL: `https://api.github.com`, or GitHub Enterprise's `https://<host>/api/v3`. */
  apiUrl: string;
  /** Open pull requests as drafts. */
  draft: boolean;
  /** Label pull requests `reverie` and with one label per action type. */
  labels: boolean;
  /** The longest wait, in seconds, for a rate limit or a server's retry-after; a longer one fails with when to retry. */
  maxWaitSeconds: number;
}

export interface SessionSource {
  /** Glob or folder, relative to the repository (or absolute, for logs kept outside it). */
  path: string;
  /** `auto` detects per file. */
  format: string;
  /** Agent id for every session of this source; otherwise the log's folder name. */
  agent?: string;
}

/**
 * The `store:` section: the Managed Agents memory store this repository mirrors (`reverie store push` / `pull`).
 * The key comes from ANTHROPIC_API_KEY only.
 */
export interface StoreConfig {
  /** The memory store's id (`memstore_...`). */
  id: string;
  /** Where the memory root sits in the store: a store path that starts and ends with `/` (default `/`). */
  path: string;
  /** The namespaces mirrored, by name; all of them when unset. */
  namespaces?: string[];
  /** Another endpoint for the API; else ANTHROPIC_BASE_URL, else Anthropic's. */
  baseUrl?: string;
  /** Where `reverie store sessions` writes the sessions of agents that used the store, relative to the repository. */
  sessionsInto: string;
  /** Whether `reverie store pull` fetches those sessions too. */
  sessionsOnPull: boolean;
  /** Whether `reverie dream` fetches them before its cycle reads the logs. */
  sessionsOnDream: boolean;
}

/** reverie.yaml, validated, with defaults filled in. Keys are camelCase here, snake_case in the file. */
export interface Config {
  /** Absolute path of the file the configuration came from. */
  file: string;
  /** Absolute path of the memory repository. */
  repoDir: string;
  mode: Mode;
  engine: EngineName;
  memory: {
    /** Folder of the memory, relative to the repository, posix. */
    root: string;
    /** Where new entries go, relative to the memory root. */
    inbox: string;
    namespaces: Namespace[];
  };
  sessions: SessionSource[];
  extract: {
    minSessions: number;
    /**
     * The newest of a cycle's new sessions kept out of its extraction (at most half of them), to test the memory with
     * what they show again: the cycle's memory tests (memory-tests/from-sessions.ts). 0: none held out.
     */
    holdOut: number;
  };
  /** The most actions one cycle proposes; the rest waits for later cycles, so that each review stays readable. */
  curate: { maxActions: number };
  approval: {
    /**
     * Action types safe to apply without a person (`auto` mode applies these and sends the rest to review). The
     * types in neither list need review too; by default every type is safe, so `auto` applies the whole cycle.
     */
    auto: ActionType[];
    /** A cycle pruning more than this share of the dream entries never fast-forwards main on its own. */
    maxPruneRatio: number;
  };
  /** The agents that load the memory, each with what it loads and its limits: a row each in the context cost. */
  agents: AgentLoad[];
  /** What `reverie lint` and `reverie check` apply when their flags do not say. */
  lint: {
    /** The program that reads the memory, whose limits apply (see memory/harness.ts). */
    harness: Harness;
    /** A reviewed commit: only dream commits it does not have count for `protected/dream-commit`. */
    since?: string;
  };
  /** Where review happens on GitHub; absent, review is local (`reverie review`, `approve`, `reject`). */
  github?: GitHubConfig;
  /** Settings of the claude engine, defaults filled in (used only when the engine is claude). */
  claude: ClaudeConfig;
  /** Settings of the managed engine, defaults filled in (used only when the engine is managed). */
  managed: ManagedConfig;
  /** The Managed Agents memory store mirrored; absent, `reverie store` has nothing to sync. */
  store?: StoreConfig;
  git: {
    /** The branch cycles start from and approve into. */
    main: string;
    author: { name: string; email: string };
  };
}
