/**
 * Generated Claude Code transcripts for the performance benchmark: about 10 KB each, from four agents, with the
 * record shapes of scripts/make-examples.ts (parentUuid chain, one content block per assistant record sharing
 * message id and usage, tool_result user records with `toolUseResult`, file-history snapshots).
 *
 * What a dream cycle can find in them, in realistic proportions:
 * - recurring mistakes with a fix (Zipf-distributed over a dozen scenarios, so a few recur a lot);
 * - one-off errors with random identifiers and no fix, which never recur (they accumulate as noise in state);
 * - user preferences, each said several ways, and one-off "make sure" requests about the task at hand;
 * - per-agent command workflows with variations.
 *
 * Deterministic: session #n is built from a PRNG seeded by n alone, with times derived from n.
 */
import { lexicon, Rng } from './rng.js';

type Json = Record<string, unknown>;

interface Profile {
  agent: string;
  root: string;
  home: string;
  model: string;
  user: string;
  /** The usual order of meaningful commands in a session that goes well. */
  workflow: string[];
  /** Commands that sometimes come up in between. */
  extras: string[];
  /** Source files the agent reads and edits. */
  files: string[];
  /** Task templates; `{w}` and `{v}` are filled with lexicon words. */
  tasks: string[];
  /** Mistake scenarios this agent runs into (indices into MISTAKES), most likely first. */
  mistakes: number[];
}

const AGENTS: Profile[] = [
  {
    agent: 'coding-agent',
    root: '/Users/dana/code/acme-shop',
    home: '/Users/dana',
    model: 'claude-sonnet-4-5-20250929',
    user: 'dana',
    workflow: ['pnpm install', 'pnpm typecheck', 'pnpm test', 'pnpm lint'],
    extras: ['pnpm --filter @acme/web dev', 'pnpm build', 'git commit -am "wip"', 'pnpm vitest run'],
    files: ['apps/web/src/checkout/{w}.tsx', 'packages/ui/src/{w}.tsx', 'apps/web/src/lib/{w}.ts', 'packages/api-client/src/{w}.ts'],
    tasks: ['Add a {w} option to the {v} form in checkout.', 'The {w} badge renders twice on the {v} page; fix it.', 'Refactor {w} into the ui package and use it from {v}.'],
    mistakes: [0, 1, 6, 4, 12],
  },
  {
    agent: 'review-agent',
    root: '/home/agent/work/acme-shop',
    home: '/home/agent',
    model: 'claude-haiku-4-5-20251001',
    user: 'priya',
    workflow: ['gh pr checkout', 'pnpm install', 'pnpm test', 'gh pr review'],
    extras: ['gh pr diff', 'pnpm lint', 'gh run view', 'git push'],
    files: ['apps/web/src/{w}.ts', 'packages/api-client/src/{w}.ts', '.github/workflows/{w}.yml'],
    tasks: ['Review PR #{n}: {w} support in {v}.', 'CI is red on {w}; find out why and fix it.', 'Check that PR #{n} keeps the {v} API stable.'],
    mistakes: [4, 0, 10, 1, 6],
  },
  {
    agent: 'ops-agent',
    root: '/home/ops/infra',
    home: '/home/ops',
    model: 'claude-sonnet-4-5-20250929',
    user: 'marco',
    workflow: ['terraform fmt', 'terraform validate', 'terraform plan', 'kubectl apply'],
    extras: ['docker build', 'docker push', 'kubectl rollout status', 'helm upgrade'],
    files: ['modules/{w}/main.tf', 'k8s/{w}/deployment.yaml', 'docker/{w}.Dockerfile'],
    tasks: ['Move the {w} service to the {v} node pool.', 'Add an alert for {w} latency in {v}.', 'Rotate the {w} credentials used by {v}.'],
    mistakes: [7, 8, 5, 4, 9],
  },
  {
    agent: 'data-agent',
    root: '/srv/analytics',
    home: '/home/lee',
    model: 'claude-sonnet-4-5-20250929',
    user: 'lee',
    workflow: ['uv sync', 'uv run pytest', 'dbt build', 'dbt test'],
    extras: ['uv run ruff check', 'dbt run', 'python scripts/backfill.py', 'alembic upgrade head'],
    files: ['models/staging/stg_{w}.sql', 'pipelines/{w}.py', 'tests/test_{w}.py'],
    tasks: ['Add a {w} column to the {v} model.', 'The {w} backfill is slow for {v}; speed it up.', 'Write tests for the {w} pipeline.'],
    mistakes: [2, 3, 11, 9, 5],
  },
];

/** A failing command and what fixed it: another command instead (`replace`) or one run before a retry (`prepare`). */
interface Mistake {
  command: string;
  error: string;
  fix: { kind: 'replace' | 'prepare'; command: string; output: string };
}

const MISTAKES: Mistake[] = [
  {
    command: 'npm install',
    error: 'npm error code EUNSUPPORTEDPROTOCOL\nnpm error Unsupported URL Type "workspace:": workspace:*\nnpm error A complete log of this run can be found in: /tmp/npm-debug-0.log',
    fix: { kind: 'replace', command: 'pnpm install', output: 'Scope: all 6 workspace projects\nLockfile is up to date, resolution step is skipped\nPackages: +1046\nDone in 4.2s' },
  },
  {
    command: 'yarn add date-fns',
    error: 'error This project\'s package.json defines "packageManager": "pnpm@9.12.0". However the current global version of Yarn is 1.22.22.',
    fix: { kind: 'replace', command: 'pnpm add date-fns', output: 'Packages: +1\ndependencies:\n+ date-fns 4.1.0\nDone in 1.9s' },
  },
  {
    command: 'pytest tests',
    error: "ImportError while loading conftest '/srv/analytics/tests/conftest.py'.\ntests/conftest.py:3: in <module>\n    from pipelines import settings\nE   ModuleNotFoundError: No module named 'pipelines'",
    fix: { kind: 'replace', command: 'python -m pytest tests', output: '============================= test session starts ==============================\ncollected 48 items\n\ntests/test_backfill.py ........\n\n============================== 48 passed in 3.21s ==============================' },
  },
  {
    command: 'pip install -r requirements.txt',
    error: 'error: externally-managed-environment\n\n× This environment is externally managed\n╰─> To install Python packages system-wide, try apt install python3-xyz',
    fix: { kind: 'prepare', command: 'python3 -m venv .venv', output: '' },
  },
  {
    command: 'git push origin HEAD',
    error: " ! [rejected]        HEAD -> feature (fetch first)\nerror: failed to push some refs to 'github.com:acme-co/acme-shop.git'\nhint: Updates were rejected because the remote contains work that you do not have locally.",
    fix: { kind: 'prepare', command: 'git pull --rebase origin main', output: 'Successfully rebased and updated refs/heads/feature.' },
  },
  {
    command: 'docker compose up -d',
    error: 'Error response from daemon: driver failed programming external connectivity on endpoint db-1: Bind for 0.0.0.0:5432 failed: port is already allocated',
    fix: { kind: 'prepare', command: 'docker compose down', output: ' Container db-1  Stopped\n Container db-1  Removed\n Network default  Removed' },
  },
  {
    command: 'pnpm typecheck',
    error: "apps/web/src/checkout/Summary.tsx(4,24): error TS2307: Cannot find module '@acme/ui' or its corresponding type declarations.",
    fix: { kind: 'prepare', command: 'pnpm --filter @acme/ui build', output: '> @acme/ui@0.4.0 build /repo/packages/ui\n> tsup src/index.ts --dts\nBuild success in 812ms' },
  },
  {
    command: 'terraform plan',
    error: 'Error: Backend initialization required, please run "terraform init"\n\nReason: Initial configuration of the requested backend "s3"',
    fix: { kind: 'prepare', command: 'terraform init -input=false', output: 'Terraform has been successfully initialized!' },
  },
  {
    command: 'kubectl apply -f k8s/',
    error: 'error: You must be logged in to the server (Unauthorized)',
    fix: { kind: 'prepare', command: 'aws eks update-kubeconfig --name prod-eu', output: 'Updated context arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu in /home/ops/.kube/config' },
  },
  {
    command: 'make test',
    error: "make: *** No rule to make target 'test'.  Stop.",
    fix: { kind: 'replace', command: 'just test', output: 'running 112 tests\ntest result: ok. 112 passed; 0 failed' },
  },
  {
    command: 'gh pr create --fill',
    error: 'could not find any commits between origin/main and feature',
    fix: { kind: 'prepare', command: 'git push -u origin HEAD', output: "branch 'feature' set up to track 'origin/feature'." },
  },
  {
    command: 'alembic upgrade head',
    error: 'sqlalchemy.exc.OperationalError: (psycopg.OperationalError) connection failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?',
    fix: { kind: 'prepare', command: 'docker compose up -d db', output: ' Container analytics-db-1  Started' },
  },
  {
    command: 'pnpm test',
    error: 'Error: Cannot find module \'/repo/node_modules/.pnpm/vitest@4.1.12/node_modules/vitest/vitest.mjs\'\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)',
    fix: { kind: 'prepare', command: 'pnpm install --frozen-lockfile', output: 'Lockfile is up to date, resolution step is skipped\nDone in 2.8s' },
  },
];

/** Standing preferences, each said in a few ways, as people repeat themselves in other words. */
const PREFERENCES: string[][] = [
  ['Always use pnpm, never npm, in this repo.', 'We use pnpm here, not npm.', 'No, use pnpm instead of npm.'],
  ['Keep pull requests small, one concern per PR.', 'Please keep PRs small: one concern each.', 'I prefer small PRs with one concern.'],
  ['Never commit directly to main; open a PR.', "Don't push to main directly, always go through a PR.", 'We never commit straight to main.'],
  ['Always run the tests before you report back.', 'Run the tests before telling me it is done.', 'Please always run the test suite before you report.'],
  ["Don't add new dependencies without asking me first.", 'Never add a dependency without asking.', 'Ask me before you add any new dependency.'],
  ['I prefer named exports over default exports.', "We use named exports, don't use default exports.", 'Use named exports, not default exports.'],
  ['Use date-fns, not moment.', "We don't use moment; use date-fns.", 'Always use date-fns for dates, never moment.'],
  ['Write commit messages in the imperative mood.', 'Commit messages should be in the imperative mood.', 'Always write commit subjects in the imperative.'],
  ["Don't use any in TypeScript; use unknown.", 'Never use any, use unknown and narrow it.', 'Avoid any in TypeScript, prefer unknown.'],
  ['Always pin Docker base images to a digest.', 'Pin base images by digest, never by tag alone.', 'We always pin Docker images to a sha256 digest.'],
  ['Use uv instead of pip for Python dependencies.', "We use uv, don't use pip directly.", 'Always manage Python packages with uv, not pip.'],
  ['Never run terraform apply without showing me the plan.', 'Always show me the terraform plan before any apply.', "Don't apply terraform changes before I have seen the plan."],
  ['Put new staging models under models/staging.', 'New staging models go in models/staging, always.', 'We keep every staging model under models/staging.'],
  ['Prefer small focused functions over long ones.', 'I prefer short, focused functions.', 'Keep functions small and focused.'],
];

const WORDS = lexicon(4000);
const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SCENARIO_START = Date.parse('2026-01-05T08:00:00.000Z');

export interface GeneratedSession {
  agent: string;
  id: string;
  /** Path relative to the repository: `sessions/<agent>/<id>.jsonl`. */
  path: string;
  text: string;
}

/** Session number `n` of the benchmark corpus. */
export function generateSession(n: number): GeneratedSession {
  const rng = new Rng(`reverie-bench:session:${n}`);
  const profile = AGENTS[n % AGENTS.length] as Profile;
  // About two sessions an hour across the four agents, so later sessions are later in time.
  const start = SCENARIO_START + n * 30 * 60_000 + rng.int(0, 20 * 60_000);
  const t = new Transcript(rng, profile, start);
  script(t, rng, profile);
  return { agent: profile.agent, id: t.id, path: `sessions/${profile.agent}/${t.id}.jsonl`, text: t.jsonl() };
}

function word(rng: Rng): string {
  return rng.pick(WORDS);
}

function fill(template: string, rng: Rng): string {
  return template
    .replaceAll('{w}', () => word(rng))
    .replaceAll('{v}', () => word(rng))
    .replaceAll('{n}', () => String(rng.int(100, 4999)));
}

/** What happens in one session, in order. */
function script(t: Transcript, rng: Rng, p: Profile): void {
  const sizeTarget = rng.int(5_000, 8_000);
  let prompt = fill(rng.pick(p.tasks), rng);
  if (rng.chance(0.3)) prompt += ` ${rng.pick(rng.pick(PREFERENCES))}`;
  // A request about the task at hand, worded like a rule: it never recurs, so it stays noise.
  if (rng.chance(0.15)) prompt += ` Make sure the ${word(rng)} ${word(rng)} keeps working with ${word(rng)}.`;
  t.prompt(prompt);
  const file = fill(rng.pick(p.files), rng);
  t.step(rng.chance(0.5) ? `I'll start by reading \`${file}\` to see how it is wired up.` : null, [readTool(rng, file)]);

  // A stretch of the agent's usual workflow, sometimes with another command in between.
  const length = rng.int(1, 3);
  const first = rng.int(0, p.workflow.length - length);
  const commands = p.workflow.slice(first, first + length);
  if (rng.chance(0.25)) commands.splice(rng.int(0, commands.length), 0, rng.pick(p.extras));
  const mistake = rng.chance(0.25) ? MISTAKES[p.mistakes[rng.zipf(p.mistakes.length)] ?? 0] : undefined;
  const mistakeAt = rng.int(0, commands.length);
  const oneOffAt = rng.chance(0.15) ? rng.int(0, commands.length) : -1;
  const correctionAt = rng.chance(0.1) ? rng.int(0, commands.length) : -1;

  for (let i = 0; i <= commands.length; i++) {
    if (mistake && i === mistakeAt) runMistake(t, rng, mistake);
    if (i === oneOffAt) runOneOffError(t, rng, p);
    if (i === correctionAt) t.prompt(`No, ${lowerFirst(rng.pick(rng.pick(PREFERENCES)))}`);
    const command = commands[i];
    if (command !== undefined) t.step(rng.chance(0.9) ? null : `Running \`${command}\`.`, [bashTool(rng, command, { stdout: okOutput(rng, command) })]);
    if (i === 0 && rng.chance(0.5)) {
      const edited = fill(rng.pick(p.files), rng);
      t.step('Making the change.', [editTool(rng, edited)]);
    }
  }
  // Sessions carry more reading than commands: pad with reads and searches up to the size drawn above.
  while (t.bytes < sizeTarget - 900) {
    if (rng.chance(0.5)) t.step(null, [readTool(rng, fill(rng.pick(p.files), rng))]);
    else t.step(null, [grepTool(rng, fill(rng.pick(p.files), rng))]);
  }
  if (rng.chance(0.06)) {
    t.step(null, [bashTool(rng, p.workflow[2] ?? 'make', { code: 1, stderr: `FAIL ${word(rng)}.test.ts > ${word(rng)}\nAssertionError: expected ${rng.int(1, 99)} to be ${rng.int(100, 200)}` })]);
    t.prompt('It still fails, same error.');
  } else {
    t.say(`Done: ${word(rng)} is in place and the checks pass. Files changed: \`${file}\`.`);
  }
}

function runMistake(t: Transcript, rng: Rng, m: Mistake): void {
  t.step(null, [bashTool(rng, m.command, { code: 1, stderr: m.error })]);
  if (m.fix.kind === 'replace') {
    t.step('That failed; trying the other way.', [bashTool(rng, m.fix.command, { stdout: m.fix.output })]);
  } else {
    t.step('That needs a step first.', [bashTool(rng, m.fix.command, { stdout: m.fix.output })]);
    t.step(null, [bashTool(rng, m.command, { stdout: 'ok' })]);
  }
}

/** An error that names something of this session only (a field, a module): seen once, never fixed by a command. */
function runOneOffError(t: Transcript, rng: Rng, p: Profile): void {
  const command = rng.pick(p.workflow);
  const field = `${word(rng)}${capital(word(rng))}`;
  t.step(null, [bashTool(rng, command, { code: 1, stderr: `TypeError: Cannot read properties of undefined (reading '${field}')\n    at ${word(rng)} (src/${word(rng)}.ts:${rng.int(10, 400)}:${rng.int(2, 40)})` })]);
  t.step(`\`${field}\` can be undefined here; guarding it.`, [editTool(rng, fill(rng.pick(p.files), rng))]);
}

function okOutput(rng: Rng, command: string): string {
  if (/test|pytest/.test(command)) return `Test Files  ${rng.int(3, 40)} passed\n     Tests  ${rng.int(20, 400)} passed\n  Duration  ${rng.int(1, 30)}.${rng.int(0, 9)}s`;
  if (/install|sync/.test(command)) return `Packages: +${rng.int(1, 1200)}\nDone in ${rng.int(1, 9)}.${rng.int(0, 9)}s`;
  if (/plan/.test(command)) return `Plan: ${rng.int(0, 5)} to add, ${rng.int(0, 3)} to change, 0 to destroy.`;
  return `${command.split(' ')[0]}: ok (${rng.int(100, 9000)}ms)`;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Tools and their results

interface ToolUse {
  name: string;
  input: Json;
  /** Text of the tool_result block. */
  content: string;
  /** The `toolUseResult` Claude Code records beside it. */
  result: unknown;
  error?: boolean;
}

function bashTool(rng: Rng, command: string, out: { stdout?: string; stderr?: string; code?: number }): ToolUse {
  const stdout = out.stdout ?? '';
  const stderr = out.stderr ?? '';
  const input = { command, description: rng.pick(['Install dependencies', 'Run the checks', 'Run the command', 'Check the result']) };
  if ((out.code ?? 0) !== 0) {
    const text = [`Exit code ${out.code}`, stderr, stdout].filter((s) => s !== '').join('\n');
    return { name: 'Bash', input, content: text, result: `Error: ${text}`, error: true };
  }
  const text = [stdout, stderr].filter((s) => s !== '').join('\n');
  return { name: 'Bash', input, content: text, result: { stdout, stderr, interrupted: false, isImage: false } };
}

function codeLines(rng: Rng, n: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = word(rng);
    const b = word(rng);
    lines.push(
      rng.pick([
        `export function ${a}(${b}: ${capital(word(rng))}): void {`,
        `  const ${a} = await ${b}.${word(rng)}(${rng.int(0, 99)});`,
        `  if (!${a}) return ${b};`,
        `}`,
        `import { ${a}, ${b} } from './${word(rng)}.js';`,
        `  // ${a} ${b} ${word(rng)} ${word(rng)}`,
        '',
      ]),
    );
  }
  return lines;
}

function readTool(rng: Rng, path: string): ToolUse {
  const lines = codeLines(rng, rng.int(6, 14));
  const body = lines.join('\n');
  const numbered = lines.map((l, i) => `${String(i + 1).padStart(6)}→${l}`).join('\n');
  return {
    name: 'Read',
    input: { file_path: path },
    content: numbered,
    result: { type: 'text', file: { filePath: path, content: body, numLines: lines.length, startLine: 1, totalLines: lines.length } },
  };
}

function editTool(rng: Rng, path: string): ToolUse {
  const oldString = `  const ${word(rng)} = ${word(rng)}();`;
  const newString = `  const ${word(rng)} = ${word(rng)}() ?? ${word(rng)};`;
  return {
    name: 'Edit',
    input: { file_path: path, old_string: oldString, new_string: newString },
    content: `The file ${path} has been updated. Here's the result of running \`cat -n\` on a snippet of the edited file:\n    12→${newString}`,
    result: { filePath: path, oldString, newString, structuredPatch: [{ oldStart: 12, oldLines: 1, newStart: 12, newLines: 1, lines: [`-${oldString}`, `+${newString}`] }], userModified: false, replaceAll: false },
  };
}

function grepTool(rng: Rng, path: string): ToolUse {
  const pattern = word(rng);
  const hits = Array.from({ length: rng.int(2, 6) }, () => `${path}:${rng.int(1, 300)}:  ${pattern}(${word(rng)});`);
  const text = hits.join('\n');
  return {
    name: 'Grep',
    input: { pattern, path, output_mode: 'content', '-n': true },
    content: text,
    result: { mode: 'content', numFiles: 1, filenames: [], content: text, numLines: hits.length },
  };
}

// ---------------------------------------------------------------------------------------------
// One transcript: the records in order, with the parentUuid chain and the clock

class Transcript {
  readonly id: string;
  private readonly lines: string[] = [];
  bytes = 0;
  private parent: string | null = null;
  private t: number;
  private context = 0;

  constructor(
    private readonly rng: Rng,
    private readonly p: Profile,
    start: number,
  ) {
    this.id = rng.uuid();
    this.t = start;
  }

  private now(): string {
    return new Date(this.t).toISOString();
  }

  private common(): Json {
    return { parentUuid: this.parent, isSidechain: false, userType: 'external', cwd: this.p.root, sessionId: this.id, version: '2.0.27', gitBranch: 'main' };
  }

  private write(record: Json): void {
    const line = JSON.stringify(record);
    this.lines.push(line);
    this.bytes += line.length + 1;
  }

  private push(record: Json): void {
    this.write(record);
    this.parent = record.uuid as string;
  }

  prompt(text: string): void {
    if (this.lines.length > 0) this.t += this.rng.int(20_000, 200_000);
    const uuid = this.rng.uuid();
    this.write({ type: 'file-history-snapshot', messageId: uuid, snapshot: { messageId: uuid, trackedFileBackups: {}, timestamp: this.now() }, isSnapshotUpdate: false });
    this.push({ ...this.common(), type: 'user', message: { role: 'user', content: text }, uuid, timestamp: this.now(), thinkingMetadata: { level: 'none', disabled: true, triggers: [] } });
    this.context += Math.ceil(text.length / 4);
  }

  say(text: string): void {
    this.step(text, []);
  }

  /** One assistant message: an optional text block and tool calls (a record each), then one user record per result. */
  step(text: string | null, tools: ToolUse[]): void {
    this.t += this.rng.int(2_500, 14_000);
    const messageId = `msg_01${this.rng.chars(22, B62)}`;
    const requestId = `req_011CV${this.rng.chars(17, B62)}`;
    const created = this.rng.int(90, 2_400);
    const usage = {
      input_tokens: this.rng.int(0, 8),
      cache_creation_input_tokens: created,
      cache_read_input_tokens: this.context,
      cache_creation: { ephemeral_5m_input_tokens: created, ephemeral_1h_input_tokens: 0 },
      output_tokens: this.rng.int(1, 400),
      service_tier: 'standard',
    };
    this.context += created;
    const assistant = (block: Json): void => {
      this.push({
        ...this.common(),
        message: { model: this.p.model, id: messageId, type: 'message', role: 'assistant', content: [block], stop_reason: null, stop_sequence: null, usage },
        requestId,
        type: 'assistant',
        uuid: this.rng.uuid(),
        timestamp: this.now(),
      });
    };
    if (text !== null) assistant({ type: 'text', text });
    const ids = tools.map((tool) => {
      const id = `toolu_01${this.rng.chars(22, B62)}`;
      assistant({ type: 'tool_use', id, name: tool.name, input: tool.input });
      return id;
    });
    tools.forEach((tool, i) => {
      this.t += this.rng.int(60, 3_000);
      const block = tool.error
        ? { type: 'tool_result', content: tool.content, is_error: true, tool_use_id: ids[i] }
        : { tool_use_id: ids[i], type: 'tool_result', content: tool.content };
      this.push({ ...this.common(), type: 'user', message: { role: 'user', content: [block] }, uuid: this.rng.uuid(), timestamp: this.now(), toolUseResult: tool.result });
      this.context += Math.ceil(tool.content.length / 3.5);
    });
  }

  jsonl(): string {
    return `${this.lines.join('\n')}\n`;
  }
}
