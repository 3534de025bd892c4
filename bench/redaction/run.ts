/**
 * How well redaction works, measured: recall on planted secrets of every kind the quality corpus knows, in the
 * places they turn up in sessions, and false positives on strings that look like secrets but are not (commit
 * ids, digests, UUIDs, integrity hashes, ARNs, placeholders ...); then throughput.
 *
 *     npx tsx bench/redaction/run.ts [--per-kind 50] [--seed 1] [--json]
 *
 * A secret counts as caught when none of its needles (the random body's ends) is left in the redacted text; a
 * look-alike counts as a false positive when redaction changed it at all. The same texts also go through
 * secretlint's recommended rule preset (a maintained rule set in the spirit of gitleaks'), which finds rather than
 * redacts: a secret counts as caught by it when it reports a finding that covers a needle.
 */
import { parseArgs } from 'node:util';
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import { redact } from '../../src/sessions/redact.js';
import type { Event } from '../quality/model.js';
import { ALNUM, B64, Rng } from '../quality/rng.js';
import { plantSecret, SECRET_KINDS } from '../quality/secrets.js';
import { agentsFor, type Ctx } from '../quality/world.js';

const { values } = parseArgs({
  options: {
    'per-kind': { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
  },
});

const PER_KIND = Number(values['per-kind']);
const SEED = Number(values.seed);

/** Every text an event carries, as a session log would hold it. */
function textsOf(event: Event): string[] {
  if (event.type === 'user') return [event.text];
  if (event.type !== 'assistant') return [];
  const tools = (event.tools ?? []).flatMap((t) => Object.values(t).filter((v): v is string => typeof v === 'string'));
  return [...(event.text ? [event.text] : []), ...tools];
}

interface KindResult {
  kind: string;
  planted: number;
  caught: number;
  /** Caught by secretlint's recommended preset. */
  secretlint: number;
}

const SECRETLINT = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended }] };

/** The stretches of `text` that secretlint's recommended rules report as secrets. */
async function secretlintFindings(text: string): Promise<string[]> {
  const result = await lintSource({ source: { content: text, filePath: 'session.log', ext: '.log', contentType: 'text' }, options: { config: SECRETLINT, noPhysicFilePath: true } });
  return result.messages.map((m) => text.slice(m.range[0], m.range[1]));
}

async function secretRecall(): Promise<KindResult[]> {
  const [agent] = agentsFor([1]);
  if (!agent) throw new Error('no agent');
  const results: KindResult[] = [];
  for (const kind of SECRET_KINDS) {
    let caught = 0;
    let secretlint = 0;
    for (let i = 0; i < PER_KIND; i++) {
      const c: Ctx = { rng: new Rng(`redaction:${SEED}:${kind}:${i}`), agent, format: i % 2 ? 'claude-code' : 'reverie', branch: 'main', nth: i };
      const plant = plantSecret(kind, c);
      const texts = plant.events.flatMap(textsOf);
      const redacted = texts.map(redact).join('\n');
      if (!plant.needles.some((needle) => redacted.includes(needle))) caught++;
      const found = (await Promise.all(texts.map(secretlintFindings))).flat();
      if (plant.needles.every((needle) => found.some((f) => f.includes(needle)) || !texts.some((t) => t.includes(needle)))) secretlint++;
    }
    results.push({ kind, planted: PER_KIND, caught, secretlint });
  }
  return results;
}

/** Strings that look random or key-like and are not secrets, each in a sentence where an agent would meet it. */
const LOOK_ALIKES: { kind: string; make: (rng: Rng) => string }[] = [
  { kind: 'git commit id', make: (r) => `[main ${r.hex(7)}] fix(api): handle empty cart\ncommit ${r.hex(40)}` },
  { kind: 'sha256 digest', make: (r) => `sha256:${r.hex(64)}  dist/app.tar.gz` },
  { kind: 'docker image digest', make: (r) => `ghcr.io/tidewater-io/api@sha256:${r.hex(64)}` },
  { kind: 'uuid', make: (r) => `session ${r.hex(8)}-${r.hex(4)}-4${r.hex(3)}-a${r.hex(3)}-${r.hex(12)} started` },
  { kind: 'npm integrity', make: (r) => `"integrity": "sha512-${r.chars(86, B64)}=="` },
  { kind: 'go.sum line', make: (r) => `github.com/jackc/pgx/v5 v5.5.${r.int(0, 9)} h1:${r.chars(43, B64)}=` },
  { kind: 'aws arn', make: (r) => `arn:aws:iam::${r.int(100000000000, 999999999999)}:role/tidewater-ci` },
  { kind: 'placeholder key', make: () => 'Set ANTHROPIC_API_KEY=your-api-key-here in .env.local (see .env.example)' },
  { kind: 'css color and ids', make: (r) => `.badge { color: #${r.hex(6)}; } <div id="orders-table-${r.hex(6)}">` },
  { kind: 'long identifier', make: () => 'TestListOrders_CursorPaginationWithDeletedCarriersAndEmptyPages passed in 0.42s' },
  { kind: 'file path', make: (r) => `services/api/internal/carriers/${r.chars(12, ALNUM).toLowerCase()}_test.go:118` },
  { kind: 'env var name', make: () => 'export DATABASE_URL=postgres://localhost:55432/tidewater  # no password locally' },
  { kind: 'request id', make: (r) => `req_id=${r.hex(16)} status=200 duration=12ms` },
  { kind: 'base64 of text', make: () => `echo ${Buffer.from('tidewater orders export, 2026-11-20').toString('base64')} | base64 -d` },
];

interface LookAlikeResult {
  kind: string;
  tried: number;
  changed: number;
  example?: string;
  /** Reported by secretlint's recommended preset. */
  secretlint: number;
}

async function falsePositives(): Promise<LookAlikeResult[]> {
  const results: LookAlikeResult[] = [];
  for (const { kind, make } of LOOK_ALIKES) {
    let changed = 0;
    let secretlint = 0;
    let example: string | undefined;
    for (let i = 0; i < PER_KIND; i++) {
      const text = make(new Rng(`redaction:${SEED}:look-alike:${kind}:${i}`));
      const out = redact(text);
      if (out !== text) {
        changed++;
        example ??= out;
      }
      if ((await secretlintFindings(text)).length > 0) secretlint++;
    }
    results.push({ kind, tried: PER_KIND, changed, secretlint, ...(example ? { example } : {}) });
  }
  return results;
}

/** MB/s of redaction over session-like text: tool output with a secret every few kilobytes. */
function throughput(): { mb: number; seconds: number; mbPerSecond: number } {
  const rng = new Rng(`redaction:${SEED}:throughput`);
  const chunks: string[] = [];
  for (let i = 0; i < 4000; i++) {
    chunks.push(LOOK_ALIKES[i % LOOK_ALIKES.length]?.make(rng) ?? '', 'ok  \tgithub.com/tidewater-io/tidewater/services/api/internal/orders\t1.204s\n'.repeat(20));
  }
  const text = chunks.join('\n');
  const started = performance.now();
  let out = 0;
  for (const line of text.split('\n')) out += redact(line).length;
  const seconds = (performance.now() - started) / 1000;
  const mb = Buffer.byteLength(text) / 1e6;
  if (out === 0) throw new Error('nothing redacted');
  return { mb, seconds, mbPerSecond: mb / seconds };
}

const recall = await secretRecall();
const lookAlikes = await falsePositives();
const speed = throughput();
if (values.json) {
  console.log(JSON.stringify({ seed: SEED, perKind: PER_KIND, recall, lookAlikes, speed }, null, 2));
} else {
  const sum = <T>(rows: T[], f: (r: T) => number) => rows.reduce((n, r) => n + f(r), 0);
  const planted = sum(recall, (r) => r.planted);
  const rate = (n: number, of: number) => (n / of).toFixed(3);
  console.log(`reverie redaction benchmark: seed ${SEED}, ${PER_KIND} of each kind; secretlint: its recommended rule preset on the same texts\n`);
  console.log('| secret kind | reverie: caught / planted | secretlint: found |');
  console.log('| --- | --- | --- |');
  for (const r of recall) console.log(`| ${r.kind} | ${r.caught} / ${r.planted} | ${r.secretlint} |`);
  const caught = sum(recall, (r) => r.caught);
  const byLint = sum(recall, (r) => r.secretlint);
  console.log(`| **all ${recall.length} kinds** | **${caught} / ${planted} (recall ${rate(caught, planted)})** | **${byLint} (recall ${rate(byLint, planted)})** |\n`);
  const tried = sum(lookAlikes, (r) => r.tried);
  console.log('| look-alike (not a secret) | reverie: redacted / tried | secretlint: reported | example of a reverie false positive |');
  console.log('| --- | --- | --- | --- |');
  for (const r of lookAlikes) console.log(`| ${r.kind} | ${r.changed} / ${r.tried} | ${r.secretlint} | ${r.example ? `\`${r.example.replace(/\|/g, '\\|').replace(/\n/g, ' ')}\`` : ''} |`);
  const changed = sum(lookAlikes, (r) => r.changed);
  const linted = sum(lookAlikes, (r) => r.secretlint);
  console.log(`| **all ${lookAlikes.length} kinds** | **${changed} / ${tried} (false-positive rate ${rate(changed, tried)})** | **${linted} (${rate(linted, tried)})** | |\n`);
  console.log(`throughput: ${speed.mb.toFixed(1)} MB of session-like text in ${speed.seconds.toFixed(2)} s, ${speed.mbPerSecond.toFixed(1)} MB/s (one line at a time)`);
}
