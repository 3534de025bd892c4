import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadSessions } from '../src/sessions/load.js';
import { planCycle, emptyState } from '../src/dream/plan.js';
import { buildSnapshot } from '../src/memory/index.js';
import { covers } from '../src/dream/curate/patterns.js';
const dir = process.argv[2]!;
const re = new RegExp(process.argv[3] ?? '.', 'i');
const loaded = await loadSessions({ repoDir: dir, sources: [{ path: 'sessions/**', format: 'auto' } as any], skipHashes: new Set() });
const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
const files = walk(join(dir, 'memory')).map((p) => ({ path: relative(dir, p), text: readFileSync(p, 'utf8') }));
const namespaces = [{ name: 'instructions', paths: ['instructions/**'], policy: 'protected' }, { name: 'notes', paths: ['**/*.md'], policy: 'dream' }] as any;
const memory = buildSnapshot(files, 'memory', namespaces);
const plan = planCycle({ cycle: 'c', memory, sessions: loaded.sessions, state: emptyState(), totalSessions: loaded.sessions.length, options: { minSessions: 2, inbox: 'memory/notes.md' } } as any);
for (const p of plan.patterns.filter((p) => re.test(p.statement))) {
  console.log('PATTERN', p.kind, p.support.sessions, p.statement);
  for (const e of memory.files.flatMap((f) => f.entries)) if (covers(e, p)) console.log('   covered by', e.path, JSON.stringify(e.text));
}
for (const a of plan.actions.filter((a) => re.test(a.summary + (a.content ?? '')))) console.log('ACTION', a.type, a.summary);
for (const d of plan.dropped.filter((d) => re.test(d.action.summary))) console.log('DROPPED', d.action.summary, d.reason);
