/**
 * A memory repo reviewed on GitHub, for end-to-end tests: a real git smart-HTTP server on 127.0.0.1 holding the
 * repository, the fake GitHub REST API serving it, and a local clone whose reverie.yaml points at both.
 */
import { dream, type DreamOptions } from '../../src/cycle/dream.js';
import { TEST_CONFIG } from './config.js';
import { startFakeGitHub, type FakeGitHub } from './fake-github.js';
import { startGitServer, type GitServer } from './git-server.js';
import { git, makeMemoryRepo, type Files } from './git.js';
import { npmMistakeSession, transcript } from './transcript.js';

export const TOKEN = 'ghp_testtoken0123456789abcdefghijklmnopqr';
export const NOTES = '# Notes\n\n## Tools\n\n- Install dependencies with `npm install`.\n- The pricing service listens on port 8081.\n- Pricing svc port is 8081 (local dev).\n\n## Preferences\n';

function preference(id: string, start: string, sentence: string): string {
  return transcript({ sessionId: id, start }, [{ user: 'Write the release notes for 2.3.' }, { assistant: 'Here is a draft.' }, { user: sentence }, { assistant: 'Understood.' }]);
}

export const SESSIONS: Files = {
  'sessions/coding-agent/s1.jsonl': npmMistakeSession('s1', '2026-11-02T09:00:00Z'),
  'sessions/review-agent/s2.jsonl': npmMistakeSession('s2', '2026-11-03T09:00:00Z', 'fix the flaky cart test'),
  'sessions/coding-agent/s3.jsonl': preference('s3', '2026-11-04T09:00:00Z', 'Always write dates in ISO 8601 format in release notes. cc @octocat <script>alert(1)</script>'),
  'sessions/review-agent/s4.jsonl': preference('s4', '2026-11-05T09:00:00Z', 'no, release notes must always use ISO 8601 format for dates, see #12'),
};

/** What a dream cycle's test passes to reach the fake: the token, and a second that lasts a millisecond. */
export const FAST_GITHUB: DreamOptions['github'] = { env: { GITHUB_TOKEN: TOKEN }, timing: { secondMs: 1, paceWrites: false } };

export interface World {
  dir: string;
  server: GitServer;
  github: FakeGitHub;
  bare: string;
  run(options?: Partial<DreamOptions>): ReturnType<typeof dream>;
}

export interface WorldOptions {
  mode?: string;
  /** More of reverie.yaml's `github:` section, indented by two spaces. */
  extraConfig?: string;
  files?: Files;
  /** `origin` (the default): a git remote named so; `url`: no remote at all, github.remote is the server's URL. */
  remote?: 'origin' | 'url';
}

/**
 * A memory repo whose `origin` (or github.remote URL) is a bare repository on the local git server, which the fake
 * GitHub serves. `cleanups` collects what the test's afterEach must undo.
 */
export async function githubWorld(cleanups: (() => Promise<unknown>)[], { mode = 'review', extraConfig = '', files = {}, remote = 'origin' }: WorldOptions = {}): Promise<World> {
  const server = await startGitServer({ token: TOKEN });
  cleanups.push(() => server.close());
  const github = await startFakeGitHub({ owner: 'acme', repo: 'memory', token: TOKEN, bareRepo: server.bareDir('memory') });
  cleanups.push(() => github.close());
  const remoteSetting = remote === 'origin' ? 'origin' : server.repoUrl('memory');
  const config = `${TEST_CONFIG.replace('mode: auto', `mode: ${mode}`)}github:\n  repo: acme/memory\n  remote: ${remoteSetting}\n  api_url: ${github.url}\n${extraConfig}`;
  const repo = await makeMemoryRepo({ 'reverie.yaml': config, 'memory/notes.md': NOTES, ...SESSIONS, ...files });
  cleanups.push(repo.cleanup);
  if (remote === 'origin') git(repo.dir, ['remote', 'add', 'origin', server.repoUrl('memory')]);
  const bare = await server.createBare('memory', { from: repo.dir });
  const run = (options: Partial<DreamOptions> = {}) => dream({ repoDir: repo.dir, github: FAST_GITHUB, ...options });
  return { dir: repo.dir, server, github, bare, run };
}

/** The header with which native git pushes to the local server as the token's owner. */
export function gitAuth(): Record<string, string> {
  return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}` };
}
