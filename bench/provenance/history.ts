/**
 * Line provenance and cycle history on a long history: a memory repository of `--commits` commits on main (every
 * tenth a cycle of two actions plus its bookkeeping, one cycle in twenty squash-merged, one action in fifty reverted,
 * the rest hand edits) whose memory file has about `--lines` lines. Times `reverie why` on the whole file, on one
 * line, and `reverie log`'s reading of main (every commit read for trailers), each in a fresh repository handle
 * (nothing cached) and once more warm.
 *
 *     npx tsx bench/provenance/history.ts [--commits 3000] [--lines 200]
 *
 * The repository is written with `git fast-import` and packed by `git repack`, neither timed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openContext } from '../../src/cycle/context.js';
import { listCycles } from '../../src/cycle/history.js';
import { explainFile } from '../../src/cycle/provenance.js';
import { Rng } from '../perf/rng.js';

const { values } = parseArgs({ options: { commits: { type: 'string', default: '3000' }, lines: { type: 'string', default: '200' } } });
const COMMITS = Number(values.commits);
const LINES = Number(values.lines);

const CONFIG = 'mode: auto\nmemory:\n  root: memory\n  namespaces:\n    - name: notes\n      paths: ["**/*.md"]\n      policy: dream\n';

function trailers(cycle: string, action: string, id?: string): string {
  return [`Reverie-Cycle: ${cycle}`, `Reverie-Action: ${action}`, ...(id ? [`Reverie-Action-Id: ${id}`, 'Reverie-Evidence: s1, s2'] : []), 'Reverie-Engine: heuristic'].join('\n');
}

function record(cycle: string, ids: string[], contents: string[]): string {
  const actions = ids.map((id, i) => ({ id, type: 'add', paths: ['memory/notes.md'], summary: `note ${id}`, rationale: 'seen twice', evidence: [{ sessionId: 's1', agent: 'a', quote: 'q' }], targets: [], content: contents[i], fingerprint: id, patterns: [] }));
  return `${JSON.stringify({ cycle, branch: `reverie/dream-${cycle}`, base: '', engine: 'heuristic', mode: 'auto', created: '2026-01-01T00:00:00.000Z', stats: {}, actions, dropped: [] })}\n`;
}

/** The fast-import stream of the whole history: one commit after another on main. */
function history(): string {
  const rng = new Rng('reverie-bench:provenance');
  const lines = Array.from({ length: LINES }, (_, i) => `- note ${i} written by hand`);
  const out: string[] = [];
  let mark = 0;
  let time = Date.parse('2026-01-01T00:00:00Z') / 1000;
  const applied: { cycle: string; id: string; commit: number; text: string }[] = [];
  const commit = (message: string, files: Record<string, string>) => {
    mark++;
    time += 600;
    out.push(`commit refs/heads/main\nmark :${mark}\ncommitter Bench <bench@example.com> ${time} +0000\ndata ${Buffer.byteLength(message)}\n${message}\n`);
    if (mark > 1) out.push(`from :${mark - 1}\n`);
    for (const [path, text] of Object.entries(files)) out.push(`M 100644 inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`);
  };
  const notes = () => ({ 'memory/notes.md': `# Notes\n\n${lines.join('\n')}\n` });
  commit('initial', { 'reverie.yaml': CONFIG, ...notes() });
  for (let n = 1; mark < COMMITS; n++) {
    if (n % 10 === 0) {
      const cycle = `2026${String(n).padStart(8, '0')}`;
      const ids = [`${n.toString(16).padStart(6, '0')}a1`, `${n.toString(16).padStart(6, '0')}a2`];
      const contents = ids.map((id) => `Cycle note ${id}.`);
      const squash = n % 200 === 0;
      const messages: string[] = [];
      ids.forEach((id, i) => {
        lines.splice(rng.int(0, lines.length - 1), 0, `- ${contents[i]}`);
        const message = `add(memory/notes.md): note ${id}\n\nseen twice\n\n${trailers(cycle, 'add', id)}\n`;
        if (squash) messages.push(message);
        else commit(message, notes());
        applied.push({ cycle, id, commit: mark, text: `- ${contents[i]}` });
      });
      const state = `chore(reverie): record cycle ${cycle}\n\n${trailers(cycle, 'state')}\n`;
      const files = { [`.reverie/cycles/${cycle}.json`]: record(cycle, ids, contents) };
      if (squash) commit(`Dream cycle ${cycle} (#${n})\n\n${[...messages, state].map((m) => `* ${m}`).join('\n')}`, { ...notes(), ...files });
      else commit(state, files);
    } else if (n % 50 === 5 && applied.length > 0) {
      const target = applied.splice(rng.int(0, applied.length - 1), 1)[0]!;
      const at = lines.indexOf(target.text);
      if (at >= 0) lines.splice(at, 1);
      commit(`revert(memory/notes.md): note ${target.id}\n\nReverie-Cycle: ${target.cycle}\nReverie-Action: revert\nReverie-Reverts: ${target.cycle}/${target.id}\n`, notes());
    } else {
      const at = rng.int(0, lines.length - 1);
      lines[at] = `- note ${at} edited in commit ${n}`;
      commit(`docs: edit note ${at}`, notes());
    }
  }
  return out.join('');
}

async function timed<T>(label: string, run: () => Promise<T>, describe: (value: T) => string): Promise<void> {
  const t0 = performance.now();
  const value = await run();
  console.log(`| ${label} | ${(performance.now() - t0).toFixed(0)} ms | ${describe(value)} |`);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(os.tmpdir(), 'reverie-bench-provenance-'));
  try {
    execFileSync('git', ['init', '-q', '-b', 'main', dir]);
    execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: history(), maxBuffer: 1 << 30 });
    // Packed as a clone or `git gc` packs it (fast-import's own pack deltas every version on the one before).
    execFileSync('git', ['repack', '-adq'], { cwd: dir });
    execFileSync('git', ['checkout', '-q', 'main'], { cwd: dir });
    const count = execFileSync('git', ['rev-list', '--count', 'main'], { cwd: dir, encoding: 'utf8' }).trim();
    console.log(`${count} commits on main, memory/notes.md of ${LINES}+ lines\n`);
    console.log('| what | time | result |\n| --- | --- | --- |');
    const lineCount = (p: Awaited<ReturnType<typeof explainFile>>) => `${p.lines.length} lines, ${new Set(p.lines.map((l) => l.origin.commit)).size} origins`;
    await timed('why, whole file, cold', async () => explainFile(await openContext(dir), 'memory/notes.md'), lineCount);
    const warm = await openContext(dir);
    await explainFile(warm, 'memory/notes.md');
    await timed('why, whole file, warm', () => explainFile(warm, 'memory/notes.md'), lineCount);
    await timed('why, line 3, cold', async () => explainFile(await openContext(dir), 'memory/notes.md', { from: 3, to: 3 }), lineCount);
    await timed('log (every cycle, every commit read), cold', async () => listCycles(await openContext(dir)), (c) => `${c.length} cycles, ${c.filter((x) => x.counts.reverted > 0).length} with reverts`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
