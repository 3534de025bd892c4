import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editedEntries, EntryVersion } from '../../../src/memory/entry-versions.js';
import { entriesOf, parseDocument, type Entry } from '../../../src/memory/index.js';
import { parseDocumentWhole } from '../../../src/memory/markdown.js';
import { longFile, markdownish } from './fixtures.js';

const keyOf = (raw: string) => raw.trimEnd();
const whole = (text: string) => entriesOf(parseDocumentWhole('m.md', text), 'notes', 'dream');

/** An edit as a test makes one: where it starts, how much it takes away, what it puts in, and whether its result is read whole. */
const edit = fc.tuple(fc.nat(), fc.nat(), fc.oneof(markdownish, fc.constant('- a new note\n')), fc.boolean(), fc.nat());

describe('entries through a run of edits', { timeout: 120_000 }, () => {
  it('give, read whole or by text after any run of edits, the entries of the text parsed whole; each entry one object per version', () => {
    let lazy = 0;
    fc.assert(
      fc.property(longFile, fc.array(edit, { minLength: 1, maxLength: 12 }), (first, edits) => {
        let text = first;
        let doc = parseDocument('m.md', text);
        let version = EntryVersion.of(entriesOf(doc, 'notes', 'dream'));
        for (const [a, b, insert, readAll, pick] of edits) {
          const start = a % (text.length + 1);
          const end = start + (b % Math.min(400, text.length - start + 1));
          const next = text.slice(0, start) + insert + text.slice(end);
          const nextDoc = parseDocument('m.md', next);
          const added: Entry[] = [];
          const edited = editedEntries({ blocks: doc.blocks, version }, nextDoc, 'notes', 'dream', (e) => added.push(e));
          const expected = whole(next);
          if (edited) {
            lazy++;
            expect(edited.added).toEqual(added);
            // What the edit took away and brought, by text: the entries before and after, less those they share.
            const counts = new Map<string, number>();
            for (const e of version.all()) counts.set(e.raw, (counts.get(e.raw) ?? 0) + 1);
            for (const e of edited.removed) counts.set(e.raw, (counts.get(e.raw) ?? 0) - 1);
            for (const e of edited.added) counts.set(e.raw, (counts.get(e.raw) ?? 0) + 1);
            const after = new Map<string, number>();
            for (const e of expected) after.set(e.raw, (after.get(e.raw) ?? 0) + 1);
            expect(new Map([...counts].filter(([, n]) => n !== 0))).toEqual(after);
            version = edited.version;
          } else {
            version = EntryVersion.of(whole(next));
          }
          // Read by text first (some of them), then whole: the same objects either way.
          const wanted = expected[pick % Math.max(1, expected.length)];
          const found = wanted ? version.withKey(keyOf(wanted.raw), keyOf) : [];
          expect(found).toEqual(expected.filter((e) => wanted && keyOf(e.raw) === keyOf(wanted.raw)));
          if (readAll) {
            const all = version.all();
            expect(all).toEqual(expected);
            for (const e of found) expect(all).toContain(e);
          }
          expect(Array.from({ length: version.length }, (_, i) => version.at(i))).toEqual(expected);
          text = next;
          doc = nextDoc;
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 150) },
    );
    expect(lazy).toBeGreaterThan(0);
  });

  it('a version read by text moves only the entries it finds (a long file, parsed between its headings)', () => {
    const part = (k: number) => `## Part ${k}\n\n${Array.from({ length: 100 }, (_, i) => `- note ${k * 100 + i}\n`).join('')}\n`;
    const text = `# Notes\n\n${Array.from({ length: 20 }, (_, k) => part(k)).join('')}`;
    const doc = parseDocument('m.md', text);
    const before = entriesOf(doc, 'notes', 'dream');
    const next = text.replace('- note 150\n', '- note 150\n  more on it\n');
    const edited = editedEntries({ blocks: doc.blocks, version: EntryVersion.of(before) }, parseDocument('m.md', next), 'notes', 'dream', () => undefined);
    if (!edited) throw new Error('an edit that keeps the headings is carried over');
    const [found] = edited.version.withKey('- note 1500', keyOf);
    expect(found).toMatchObject({ raw: '- note 1500\n', line: (before[1500] as Entry).line + 1 });
    // Entries of the sections before the edit are the same objects; those after, moved copies made once.
    expect(edited.version.at(5)).toBe(before[5]);
    expect(edited.version.at(1500)).toBe(found);
    expect(edited.version.all()[1500]).toBe(found);
    expect(edited.version.all()).toEqual(entriesOf(parseDocumentWhole('m.md', next), 'notes', 'dream'));
    // The section of the edit was read again up to the note it changed: those notes are what it took away and brought.
    expect(edited.removed.map((e) => e.raw)).toEqual(Array.from({ length: 51 }, (_, i) => `- note ${100 + i}\n`));
    expect(edited.added.map((e) => e.raw)).toEqual([...Array.from({ length: 50 }, (_, i) => `- note ${100 + i}\n`), '- note 150\n  more on it\n']);
  });
});
