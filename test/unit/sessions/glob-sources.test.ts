/**
 * A `<folder>/**` source is told without asking picomatch about each log (list.ts): it must take exactly what
 * picomatch's `**` takes, and a listing must name the same files either way.
 */
import fc from 'fast-check';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { listSessionFiles, undottedPath } from '../../../src/sessions/list.js';
import { tempDir } from './helpers.js';

const segment = fc.stringMatching(/^[.]{0,2}[a-z0-9 _-]{0,5}[.]?[a-z0-9]{0,3}$/).filter((s) => s !== '' && s !== '.' && s !== '..');

describe('a `<folder>/**` source', () => {
  it("takes the paths picomatch's `**` takes, for any folder", () => {
    fc.assert(
      fc.property(fc.constantFrom('sessions', '.claude/projects', '/home/me/.codex/sessions', 'logs 2'), fc.array(segment, { minLength: 1, maxLength: 4 }), (base, parts) => {
        const relative = parts.join('/');
        expect(undottedPath(relative)).toBe(picomatch(`${base}/**`, { windows: false })(`${base}/${relative}`));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 2000) },
    );
  });

  it('lists what the same source written as another glob lists', async () => {
    const repo = await tempDir();
    const files = ['sessions/a.jsonl', 'sessions/deep/b.jsonl', 'sessions/.hidden/c.jsonl', 'sessions/deep/.d.jsonl', 'sessions/e.txt', 'sessions/deep/er/f.json'];
    for (const file of files) {
      await mkdir(join(repo, file, '..'), { recursive: true });
      await writeFile(join(repo, file), '{}\n');
    }
    const names = async (path: string) => {
      const listing = await listSessionFiles(repo, [{ path, format: 'auto' }]);
      return { logs: listing.files.map((f) => f.display), unread: listing.unread.map((u) => u.file), warnings: listing.warnings };
    };
    const fast = await names('sessions/**');
    expect(fast.logs).toEqual(['sessions/a.jsonl', 'sessions/deep/b.jsonl', 'sessions/deep/er/f.json']);
    // `sessions/**/` + `*` is the same set through picomatch, one match per file.
    expect(await names('sessions/**/*')).toEqual(fast);
  });
});
