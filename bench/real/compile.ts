/**
 * `reverie compile` on memory nobody here wrote: the 50 real memory files of `real-memory/memory-files` as the memory
 * of one repository, compiled for six agents (every format) into a code repository beside it, by the built command
 * line as a user runs it (whole process, start-up included). What is checked, on every run:
 *
 * - every compiled file reads back: each block holds its memory file's text exactly (a last line break added);
 * - Codex's 32 KiB limit refuses AGENTS.md (the 50 files are more) and names the overrun exactly;
 * - a second compile with nothing changed writes nothing and commits nothing, in either repository;
 * - one line edited in every block of CLAUDE.md comes back as one branch with one commit per memory file, each
 *   changing exactly that line of its file.
 *
 * Timed: the first compile, the compile with nothing to do, `--check`, and the compile that proposes the 50 hand
 * edits; medians and ranges of `--runs` runs, each on fresh repositories.
 *
 *     npm run build && npx tsx bench/real/compile.ts [--fixtures ../shared/fixtures] [--runs 5] [--json]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseCompiled } from '../../src/compile/render.js';
import { fixturesRoot, REPO_ROOT } from './fixtures.js';

const { values } = parseArgs({ options: { fixtures: { type: 'string' }, runs: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } } });
const memoryDir = path.join(fixturesRoot(values.fixtures), 'real-memory', 'memory-files');
const CLI = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
if (!existsSync(CLI)) {
  console.error(`${CLI} is missing: run \`npm run build\` first`);
  process.exit(2);
}

const CONFIG = `mode: auto
memory:
  root: memory
agents:
${[
  ['claude-code', 'claude-md'],
  ['codex', 'agents-md'],
  ['gemini', 'gemini-md'],
  ['copilot', 'copilot'],
  ['cursor', 'cursor'],
  ['claude-rules', 'claude-rules'],
]
  .map(([name, format]) => `  - name: ${name}\n    loads: ["**/*"]\n    compile:\n      format: ${format}\n      into: ../app\n`)
  .join('')}`;

const ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com' };
const git = (dir: string, args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: ENV }).trim();

interface Compiled {
  agents: { agent: string; files: { path: string; action: string }[]; over: { limit: string; size: number; max: number; over_by: number }[]; hand_edits: { branch: string | null; sources: string[] }[] }[];
}

function compile(memory: string, extra: string[] = []): { ms: number; code: number; json: Compiled } {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [CLI, 'compile', '--repo', memory, '--json', ...extra], { encoding: 'utf8', env: ENV });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, code: run.status ?? -1, json: JSON.parse(run.stdout) as Compiled };
}

const sources = readdirSync(memoryDir).sort();
const failures: string[] = [];
const check = (ok: boolean, what: string) => void (ok || failures.push(what));
const times: Record<'first' | 'unchanged' | 'check' | 'hand_edits', number[]> = { first: [], unchanged: [], check: [], hand_edits: [] };

for (let run = 0; run < Number(values.runs); run++) {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'reverie-bench-compile-'));
  try {
    const memory = path.join(parent, 'memory-repo');
    const app = path.join(parent, 'app');
    for (const dir of [memory, app]) git(parent, ['init', '-q', '-b', 'main', path.basename(dir)]);
    mkdirSync(path.join(memory, 'memory'));
    for (const file of sources) writeFileSync(path.join(memory, 'memory', file), readFileSync(path.join(memoryDir, file)));
    writeFileSync(path.join(memory, 'reverie.yaml'), CONFIG);
    git(memory, ['add', '-A']);
    git(memory, ['commit', '-q', '-m', 'real memory']);
    git(app, ['commit', '-q', '--allow-empty', '-m', 'app']);

    const first = compile(memory);
    times.first.push(first.ms);
    const codex = first.json.agents.find((a) => a.agent === 'codex');
    check(first.code === 1 && codex?.over[0]?.limit === 'bytes' && codex.over[0].over_by === codex.over[0].size - 32_768, 'AGENTS.md is refused over 32 KiB, by its exact overrun');
    check(!existsSync(path.join(app, 'AGENTS.md')), 'nothing of AGENTS.md is written');
    for (const agent of first.json.agents.filter((a) => a.agent !== 'codex')) {
      for (const file of agent.files) {
        const text = readFileSync(path.join(app, file.path), 'utf8');
        const parsed = parseCompiled(text);
        if ('problem' in parsed) {
          failures.push(`${file.path} does not read back: ${parsed.problem.message}`);
          continue;
        }
        for (const segment of parsed.segments) {
          if (segment.kind !== 'block') continue;
          const source = readFileSync(path.join(memory, segment.source), 'utf8');
          check(segment.body === (source === '' || source.endsWith('\n') ? source : `${source}\n`), `${file.path}: the block of ${segment.source} holds its text exactly`);
        }
      }
    }
    const appCommits = git(app, ['rev-list', '--count', 'main']);
    const memoryCommits = git(memory, ['rev-list', '--count', 'main']);
    const again = compile(memory);
    times.unchanged.push(again.ms);
    check(again.json.agents.every((a) => a.agent === 'codex' || a.files.every((f) => f.action === 'unchanged')), 'a second compile writes nothing');
    check(git(app, ['rev-list', '--count', 'main']) === appCommits && git(memory, ['rev-list', '--count', 'main']) === memoryCommits, 'a second compile commits nothing');
    times.check.push(compile(memory, ['--check', '--agent', 'claude-code']).ms);

    // One line of every block edited by hand: the first line of each memory file that has words.
    const claudeMd = path.join(app, 'CLAUDE.md');
    const lines = readFileSync(claudeMd, 'utf8').split('\n');
    const edited = new Map<string, string>();
    let inBlock: string | undefined;
    for (const [i, line] of lines.entries()) {
      const begin = /^<!-- reverie:begin (.+) -->$/.exec(line);
      if (begin) inBlock = begin[1];
      else if (/^<!-- reverie:end /.test(line)) inBlock = undefined;
      else if (inBlock && !edited.has(inBlock) && /[A-Za-z]{3}/.test(line) && !/^<!--|-->\s*$/.test(line)) {
        lines[i] = `${line} (edited)`;
        edited.set(inBlock, line);
      }
    }
    writeFileSync(claudeMd, lines.join('\n'));
    const proposed = compile(memory, ['--agent', 'claude-code']);
    times.hand_edits.push(proposed.ms);
    const branch = proposed.json.agents[0]?.hand_edits[0]?.branch;
    check(branch !== null && branch !== undefined && proposed.json.agents[0]?.hand_edits[0]?.sources.length === edited.size, `every edited block (${edited.size}) is proposed on one branch`);
    if (branch) {
      check(git(memory, ['rev-list', '--count', `main..${branch}`]) === String(edited.size), 'one commit per memory file');
      for (const [source, line] of edited) {
        const diff = git(memory, ['diff', '--unified=0', `main...${branch}`, '--', source]).split('\n').filter((l) => /^[-+](?![-+])/.test(l));
        check(diff.length === 2 && diff[0] === `-${line}` && diff[1] === `+${line} (edited)`, `${source}: exactly its edited line changes`);
      }
    }
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { median: Math.round(sorted[Math.floor(sorted.length / 2)]!), min: Math.round(sorted[0]!), max: Math.round(sorted.at(-1)!) };
};
const summary = { files: sources.length, runs: Number(values.runs), ms: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, stats(v)])), failures: [...new Set(failures)] };
if (values.json) console.log(JSON.stringify(summary, null, 2));
else {
  console.log(`${summary.files} real memory files, 6 agents (every format) into a code repository beside; ${summary.runs} runs, whole process`);
  for (const [k, s] of Object.entries(summary.ms)) console.log(`${k.padEnd(11)} median ${s.median} ms (${s.min}-${s.max})`);
  console.log(summary.failures.length === 0 ? 'every check holds' : `FAILED:\n  ${summary.failures.join('\n  ')}`);
}
process.exitCode = summary.failures.length === 0 ? 0 : 1;
