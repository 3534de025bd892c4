/**
 * One-off errors: each happens in a single session (a typo, a network blip, a port in use) and is not a
 * lesson for memory. Also the harness text that recurs in every session but was never typed by a person.
 */
import type { Event, Terms } from './model.js';
import { edit, fail, FILES, goOk, lineOf, say, sh, user, type Ctx } from './world.js';

export interface NoiseTemplate {
  id: string;
  description: string;
  terms: Terms;
  events(c: Ctx): Event[];
}

const pick = <T>(c: Ctx, items: readonly T[]): T => c.rng.pick(items);

export const NOISE: NoiseTemplate[] = [
  {
    id: 'typo-gti',
    description: 'typed `gti` for `git`',
    terms: [['gti']],
    events: (c) => [say('Checking the working tree.', fail('gti status', c.agent.shell === 'zsh' ? 'zsh: command not found: gti' : `bash: line 1: gti: command not found`, 127)), say('Typo.', sh('git status', `On branch ${c.branch}\nnothing to commit, working tree clean`))],
  },
  {
    id: 'typo-script',
    description: 'typed `tset` for `test`',
    terms: [['tset']],
    events: () => [say('Running the web tests.', fail('pnpm --filter web tset', ' ERR_PNPM_NO_SCRIPT  Missing script: tset\n\nCommand "tset" not found.')), say('Typo in the script name.', sh('pnpm --filter web test', ' Test Files  6 passed (6)'))],
  },
  {
    id: 'go-proxy-timeout',
    description: 'a DNS timeout reaching proxy.golang.org once',
    terms: [['proxy.golang.org', 'i/o timeout']],
    events: () => [
      say('Downloading modules.', fail('cd services/api && go mod download', `go: github.com/jackc/pgx/v5@v5.7.1: Get "https://proxy.golang.org/github.com/jackc/pgx/v5/@v/v5.7.1.zip": dial tcp: lookup proxy.golang.org: i/o timeout`)),
      say('Network blip; retrying.', sh('cd services/api && go mod download', '')),
    ],
  },
  {
    id: 'port-in-use',
    description: 'port 8080 already in use by a stale server',
    terms: [['address already in use', 'lsof', ':8080']],
    events: (c) => [
      say('Starting the API.', fail('cd services/api && go run ./cmd/api', `${new Date(Date.UTC(2026, 10, c.rng.int(1, 28))).toISOString().slice(0, 10)} listen tcp :8080: bind: address already in use\nexit status 1`)),
      say('An old server is still running; stopping it.', sh('lsof -ti :8080 | xargs kill', '')),
      say(undefined, sh('cd services/api && go run ./cmd/api &', '{"level":"INFO","msg":"listening","addr":":8080"}')),
    ],
  },
  {
    id: 'disk-full',
    description: 'docker build ran out of disk space once',
    terms: [['no space left', 'docker system prune']],
    events: (c) => [
      say('Building the API image.', fail('docker compose build api', `failed to solve: failed to copy: write /var/lib/docker/buildkit/content/ingest/${c.rng.hex(64)}/data: no space left on device`)),
      say('The Docker disk is full; cleaning up.', sh('docker system prune -f', `Total reclaimed space: ${c.rng.int(2, 30)}.${c.rng.int(1, 9)}GB`)),
      say(undefined, sh('docker compose build api', ' => exporting to image')),
    ],
  },
  {
    id: 'gh-auth',
    description: 'gh was logged out once',
    terms: [['gh auth']],
    events: (c) => [
      say('Opening the PR.', fail('gh pr create --fill', 'To get started with GitHub CLI, please run:  gh auth login\nAlternatively, populate the GH_TOKEN environment variable with a GitHub API authentication token.', 4)),
      user('I logged in again, try now'),
      say(undefined, sh('gh pr create --fill', `https://github.com/tidewater-io/tidewater/pull/${c.rng.int(400, 760)}`)),
    ],
  },
  {
    id: 'script-permission',
    description: 'a script without the executable bit',
    terms: [['chmod', 'permission denied']],
    events: (c) => [
      say('Running the bootstrap script.', fail('./scripts/bootstrap.sh', c.agent.shell === 'zsh' ? 'zsh: permission denied: ./scripts/bootstrap.sh' : 'bash: line 1: ./scripts/bootstrap.sh: Permission denied', 126)),
      say('It lost its executable bit.', sh('bash scripts/bootstrap.sh', 'bootstrap: ok')),
    ],
  },
  {
    id: 'rebase-conflict',
    description: 'a rebase conflict in one file',
    terms: [['conflict*']],
    events: (c) => {
      const line = lineOf('services/api/internal/orders/handler.go', c.rng);
      return [
        say('Rebasing on main.', fail('git rebase origin/main', `Auto-merging services/api/internal/orders/handler.go\nCONFLICT (content): Merge conflict in services/api/internal/orders/handler.go\nerror: could not apply ${c.rng.hex(7)}... feat(api): cursor pagination`)),
        say('Resolving the conflict.', edit('services/api/internal/orders/handler.go', line, line)),
        say(undefined, sh('git add services/api/internal/orders/handler.go && GIT_EDITOR=true git rebase --continue', `Successfully rebased and updated refs/heads/${c.branch}.`)),
      ];
    },
  },
  {
    id: 'gh-rate-limit',
    description: 'GitHub API rate limit once',
    terms: [['rate limit']],
    events: (c) => [
      say('Listing recent CI runs.', fail('gh api repos/tidewater-io/tidewater/actions/runs --paginate', `gh: API rate limit exceeded for user ID ${c.rng.int(1_000_000, 9_999_999)}. (HTTP 403)`)),
      say('Rate limited; fetching only the first page.', sh('gh run list --limit 20', 'completed  success  ci  main  push')),
    ],
  },
  {
    id: 'ssl-expired',
    description: 'an expired staging certificate once',
    terms: [['ssl', 'certificate']],
    events: () => [
      say('Checking staging health.', fail('curl -sS https://api.staging.tidewater.dev/healthz', 'curl: (60) SSL certificate problem: certificate has expired', 60)),
      user('known, the cert renews tonight. skip the staging check'),
      say('Skipping the staging check.'),
    ],
  },
  {
    id: 'jq-missing',
    description: 'jq not installed on one machine',
    terms: [['jq']],
    events: (c) => [
      say('Counting open PRs.', fail('gh pr list --json number | jq length', c.agent.shell === 'zsh' ? 'zsh: command not found: jq' : 'bash: line 1: jq: command not found', 127)),
      say('Using gh’s own --jq.', sh('gh pr list --json number --jq length', String(c.rng.int(3, 30)))),
    ],
  },
  {
    id: 'race-oom',
    description: 'the race detector ran out of memory once',
    terms: [['out of memory']],
    events: (c) => [
      say('Running the race tests.', fail('cd services/api && go test -race ./...', 'fatal error: runtime: out of memory\n\nruntime stack:\nruntime.throw({0x10a8b2f?, 0x0?})', 2)),
      say('Limiting parallelism.', sh('cd services/api && go test -race -p 2 ./...', goOk(c, ['internal/orders', 'internal/store']))),
    ],
  },
  {
    id: 'husky-hook',
    description: 'the pre-commit hook caught an unused variable once',
    terms: [['husky']],
    events: (c) => {
      const line = lineOf('web/src/lib/format.ts', c.rng);
      return [
        say('Committing.', fail('git commit -m "fix(web): eta format"', `husky - pre-commit hook exited with code 1 (error)\n✖ eslint --fix:\n  web/src/lib/format.ts\n    ${c.rng.int(3, 12)}:7  error  'tz' is assigned a value but never used  @typescript-eslint/no-unused-vars`)),
        say('Removing the unused variable.', edit('web/src/lib/format.ts', line, line)),
        say(undefined, sh('git commit -m "fix(web): eta format"', `[${c.branch} ${c.rng.hex(7)}] fix(web): eta format`)),
      ];
    },
  },
  {
    id: 'redis-port',
    description: 'a host Redis held port 6379 once',
    terms: [['6379', 'already allocated']],
    events: (c) => [
      say('Starting Redis.', fail('docker compose up -d redis', 'Error response from daemon: driver failed programming external connectivity on endpoint tidewater-redis-1: Bind for 0.0.0.0:6379 failed: port is already allocated')),
      say('A host Redis holds the port; stopping it.', sh(c.agent.shell === 'zsh' ? 'brew services stop redis' : 'sudo systemctl stop redis-server', 'Stopping `redis`... (might take a while)')),
      say(undefined, sh('docker compose up -d redis', ' ✔ Container tidewater-redis-1  Started')),
    ],
  },
  {
    id: 'docker-pull-limit',
    description: 'Docker Hub pull rate limit once',
    terms: [['toomanyrequests', 'pull rate limit']],
    events: () => [
      say('Pulling images.', fail('docker compose pull', 'Error response from daemon: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit')),
      user('wait a few minutes and try again, we share the IP with CI'),
      say(undefined, sh('docker compose pull', ' ✔ db Pulled\n ✔ redis Pulled')),
    ],
  },
  {
    id: 'state-lock',
    description: 'terraform state locked by CI once',
    terms: [['state lock']],
    events: (c) => [
      say('Planning.', fail('cd infra/staging && terraform plan', `Error: Error acquiring the state lock\n\nError message: ConditionalCheckFailedException: The conditional request failed\nLock Info:\n  ID:        ${c.rng.uuid()}\n  Path:      tidewater-tfstate/staging/terraform.tfstate\n  Operation: OperationTypeApply\n  Who:       runner@ci`)),
      user('CI is applying right now, give it five minutes'),
      say(undefined, sh('cd infra/staging && terraform plan', 'No changes. Your infrastructure matches the configuration.')),
    ],
  },
  {
    id: 'flaky-timeout',
    description: 'a flaky carrier-client timeout test once',
    terms: [['deadline exceeded', 'testtrack_timeout']],
    events: (c) => [
      say('Running the carrier tests.', fail('cd services/api && go test ./internal/carriers/...', `--- FAIL: TestTrack_Timeout (5.0${c.rng.int(0, 9)}s)\n    client_test.go:88: context deadline exceeded\nFAIL\nFAIL\tgithub.com/tidewater-io/tidewater/services/api/internal/carriers\t5.1${c.rng.int(0, 9)}s`)),
      say('That looks flaky; running it again.', sh('cd services/api && go test ./internal/carriers/...', goOk(c, ['internal/carriers']))),
    ],
  },
  {
    id: 'eslint-cache',
    description: 'a corrupt ESLint cache once',
    terms: [['eslintcache']],
    events: () => [
      say('Linting.', fail('pnpm --filter web lint', "Oops! Something went wrong! :(\n\nESLint: 9.14.0\n\nSyntaxError: Unexpected end of JSON input while parsing .eslintcache")),
      say('The cache file is corrupt; removing it.', sh('rm web/.eslintcache && pnpm --filter web lint', '')),
    ],
  },
];

/** The prompt a main agent gives its Explore sub-agent: recurs in many sessions, typed by no one. */
export const SUBAGENT_PROMPTS = [
  'Find where {x} is implemented. Do not modify any files. Report file paths with line numbers only.',
  'Search the codebase for {x}. Do not modify any files; report file paths with line numbers only.',
];

export const SUBAGENT_TERMS: Terms = [['modify any files', 'line numbers only']];

export function subagentTask(c: Ctx): Event {
  const x = pick(c, ['the carrier webhook handler', 'ETA computation', 'the orders cursor', 'the rates import']);
  const prompt = pick(c, SUBAGENT_PROMPTS).replace('{x}', x);
  const file = pick(c, Object.keys(FILES));
  const found = `${file}:${c.rng.int(3, 40)}`;
  return say(pick(c, ['Let me have a sub-agent locate the code.', 'Delegating the search.']), {
    kind: 'task',
    description: `Find ${x}`,
    prompt,
    output: `The code is in ${found}.`,
    sidechain: [say(undefined, { kind: 'grep', pattern: x.split(' ').pop() ?? x, output: found }), say(`The code is in ${found}.`)],
  });
}
