/**
 * Do no harm on memory nobody here wrote: each hand-written memory file of the shared collection
 * (`real-memory/memory-files`, REVERIE_SHARED_FIXTURES=<folder>; `.ci/run` sets it when `../shared/fixtures` exists)
 * becomes the curated file of a fresh memory repo, real logs of other projects are its sessions, and one real cycle
 * runs. Nothing in those logs is about these files, so a team would accept no prune, merge, resolve or update of what
 * it wrote, no lost rule line and no structure the file did not have. Skipped without the collection.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHarmCase, sessionSources } from '../../bench/real/harm-case.js';

const SHARED = process.env.REVERIE_SHARED_FIXTURES ?? '';
const MEMORY_DIR = SHARED === '' ? '' : path.join(SHARED, 'real-memory', 'memory-files');
const present = MEMORY_DIR !== '' && existsSync(MEMORY_DIR);
const files = present ? readdirSync(MEMORY_DIR).sort() : [];

describe.skipIf(!present)('a cycle on real hand-written memory', () => {
  const sessions = present ? sessionSources(SHARED).filter(([, source]) => existsSync(source)) : [];

  it.each(files)('does no harm to %s', async (file) => {
    const text = readFileSync(path.join(MEMORY_DIR, file), 'utf8');
    const result = await runHarmCase({ name: file, text, layout: 'claude-md', sessions });
    expect(result.outcome, 'a cycle that stopped').not.toBe('stopped');
    expect(result.harmful, 'destructive actions without session evidence').toEqual([]);
    expect(result.rulesLost, 'rule lines lost').toEqual([]);
    expect(result.structure, 'structure the file did not have').toEqual([]);
  });
});
