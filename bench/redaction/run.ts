/**
 * How well redaction works, measured: recall on planted secrets of every kind the quality corpus knows and of the
 * kinds that hide in prose and flags (bench/redaction/kinds.ts), in the places they turn up in sessions, and false
 * positives on strings that look like secrets but are not (commit ids, digests, UUIDs, integrity hashes, ARNs,
 * placeholders, prose about passwords, `mysql -p` with no value ...); then throughput.
 *
 *     npx tsx bench/redaction/run.ts [--per-kind 50] [--seed 1] [--json]
 *
 * Three redactions are measured on the same texts: reverie's table alone (`redact`, what the readers run on every
 * string), secretlint's recommended preset alone (as reverie runs it, src/sessions/secretlint.ts), and both, the
 * table then the preset (`redactText`: what a session holds once read, and what leaves reverie). A secret counts as
 * caught when none of its needles (the random body's ends) is left in the redacted text; for the preset alone, when
 * it reports a finding that covers every needle. A look-alike is a false positive when redaction changes it at all
 * (for the preset alone: when it reports anything).
 */
import { parseArgs } from 'node:util';
import { redact, redactText, secondPass } from '../../src/sessions/redact.js';
import { secretlintFindings } from '../../src/sessions/secretlint.js';
import type { Event } from '../quality/model.js';
import { ALNUM, B64, Rng } from '../quality/rng.js';
import { plantSecret, SECRET_KINDS, type SecretPlant } from '../quality/secrets.js';
import { agentsFor, type Ctx } from '../quality/world.js';
import { MORE_SECRET_KINDS, plantMore } from './kinds.js';

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
  /** Caught by reverie's table alone. */
  caught: number;
  /** Caught by secretlint's recommended preset alone. */
  secretlint: number;
  /** Caught by both: the table, then the preset. */
  both: number;
}

/** Whether the preset alone reports every needle of the texts that hold it. */
function presetCatches(texts: string[], needles: string[]): boolean {
  const found = texts.flatMap((text) => secretlintFindings(text).map((f) => text.slice(f.start, f.end)));
  return needles.every((needle) => found.some((f) => f.includes(needle)) || !texts.some((t) => t.includes(needle)));
}

function secretRecall(): KindResult[] {
  const [agent] = agentsFor([1]);
  if (!agent) throw new Error('no agent');
  const results: KindResult[] = [];
  const kinds = [...SECRET_KINDS.map((kind) => ({ kind, plant: plantSecret })), ...MORE_SECRET_KINDS.map((kind) => ({ kind, plant: plantMore }))];
  for (const { kind, plant: plantOf } of kinds) {
    const counts = { caught: 0, secretlint: 0, both: 0 };
    for (let i = 0; i < PER_KIND; i++) {
      const c: Ctx = { rng: new Rng(`redaction:${SEED}:${kind}:${i}`), agent, format: i % 2 ? 'claude-code' : 'reverie', branch: 'main', nth: i };
      const plant: SecretPlant = plantOf(kind, c);
      const texts = plant.events.flatMap(textsOf);
      const leaves = (redacted: string) => plant.needles.some((needle) => redacted.includes(needle));
      if (!leaves(texts.map(redact).join('\n'))) counts.caught++;
      if (presetCatches(texts, plant.needles)) counts.secretlint++;
      if (!leaves(texts.map(redactText).join('\n'))) counts.both++;
    }
    results.push({ kind, planted: PER_KIND, ...counts });
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
  // Look-alikes of the secrets in prose and flags: placeholders, prose about passwords, flags with no value.
  { kind: 'password placeholder', make: (r) => r.pick(['password: <password>', 'PASSWORD=$PASSWORD', 'password: ${{ secrets.DB_PASSWORD }}', 'Password: ********', 'the password is your-password']) },
  { kind: 'prose about passwords', make: (r) => r.pick(['the password field is required', 'the password must be at least 12 characters', 'use the password manager (1Password) for staging', 'password reset link expires in 24h', 'passwords of 16chars or more']) },
  { kind: 'password in code', make: (r) => r.pick(['password: string;', 'if password == confirm:', 'password = input("Password: ")', 'const password = generatePassword(16)', 'password: z.string().min(8)']) },
  { kind: 'client with no password', make: (r) => r.pick(['mysql -u root -p tidewater', 'mysql -u root -p -h db.internal', 'mysql -P 3306 --protocol=tcp -u root -p', 'docker login --password-stdin ghcr.io', '-p, --password string   Password for the registry']) },
  { kind: 'user without password', make: (r) => r.pick(['curl -u root https://ci.tidewater.dev', 'curl -u "$CI_USER:$CI_TOKEN" https://ci.tidewater.dev', `docker run -u ${r.int(1000, 1999)}:${r.int(1000, 1999)} node:20`]) },
  { kind: 'version pins', make: (r) => `we pin node ${r.int(18, 22)} and pin react to ${r.int(16, 19)}.${r.int(0, 9)}.${r.int(0, 9)}; pinned version ${r.int(1000, 9999)}` },
  { kind: 'documentation webhook', make: (r) => r.pick(['https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', 'https://discord.com/api/webhooks/{id}/{token}', 'SLACK_WEBHOOK_URL=https://hooks.slack.com/services/...']) },
  { kind: 'configuration without a secret', make: (r) => r.pick(['aws configure set region eu-west-1', 'aws configure get aws_secret_access_key', 'git config --global credential.helper store', 'npm config set //registry.npmjs.org/:_authToken ${NPM_TOKEN}']) },
  { kind: 'local connection string', make: (r) => r.pick(['postgres://user:password@localhost:5432/app', 'redis://:${REDIS_PASSWORD}@cache:6379/0', 'Server=db;Database=app;User ID=sa;Password=<password>;']) },
];

interface LookAlikeResult {
  kind: string;
  tried: number;
  /** Changed by reverie's table alone. */
  changed: number;
  example?: string;
  /** Reported by secretlint's recommended preset alone. */
  secretlint: number;
  /** Changed by both: the table, then the preset. */
  both: number;
}

function falsePositives(): LookAlikeResult[] {
  const results: LookAlikeResult[] = [];
  for (const { kind, make } of LOOK_ALIKES) {
    let changed = 0;
    let secretlint = 0;
    let both = 0;
    let example: string | undefined;
    for (let i = 0; i < PER_KIND; i++) {
      const text = make(new Rng(`redaction:${SEED}:look-alike:${kind}:${i}`));
      const out = redact(text);
      if (out !== text) {
        changed++;
        example ??= out;
      }
      if (secretlintFindings(text).length > 0) secretlint++;
      const whole = redactText(text);
      if (whole !== text) {
        both++;
        example ??= whole;
      }
    }
    results.push({ kind, tried: PER_KIND, changed, secretlint, both, ...(example ? { example } : {}) });
  }
  return results;
}

interface Speed {
  mb: number;
  /** reverie's table, one line at a time, as the readers run it. */
  table: number;
  /** The preset over whole sessions (about 10 kB each, all strings at a time), as the loader runs it. */
  session: number;
  /** Both passes on each line by itself, as an exit redacts a short text. */
  perLine: number;
}

/** MB/s of redaction over session-like text: tool output with a secret every few kilobytes. */
function throughput(): Speed {
  const rng = new Rng(`redaction:${SEED}:throughput`);
  const chunks: string[] = [];
  for (let i = 0; i < 4000; i++) {
    chunks.push(LOOK_ALIKES[i % LOOK_ALIKES.length]?.make(rng) ?? '', 'ok  \tgithub.com/tidewater-io/tidewater/services/api/internal/orders\t1.204s\n'.repeat(20));
  }
  const text = chunks.join('\n');
  const lines = text.split('\n');
  const mb = Buffer.byteLength(text) / 1e6;
  // Each run once to warm it, then the fastest of three: one cold run measured the compiler as much as the code, and
  // other work on the machine slows a run, never speeds one up.
  const rate = (run: () => number) => {
    if (run() === 0) throw new Error('nothing redacted');
    let fastest = Infinity;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      run();
      fastest = Math.min(fastest, performance.now() - started);
    }
    return mb / (fastest / 1000);
  };
  const sessions: string[][] = [];
  for (let i = 0, size = 0; i < lines.length; i++) {
    if (size === 0) sessions.push([]);
    sessions.at(-1)?.push(lines[i] ?? '');
    size = (size + (lines[i]?.length ?? 0)) % 10_000;
  }
  return {
    mb,
    table: rate(() => lines.reduce((n, line) => n + redact(line).length, 0)),
    session: rate(() => sessions.reduce((n, session) => n + secondPass({ turns: session }).turns.length, 0)),
    perLine: rate(() => lines.reduce((n, line) => n + redactText(line).length, 0)),
  };
}

const recall = secretRecall();
const lookAlikes = falsePositives();
const speed = throughput();
if (values.json) {
  console.log(JSON.stringify({ seed: SEED, perKind: PER_KIND, recall, lookAlikes, speed }, null, 2));
} else {
  const sum = <T>(rows: T[], f: (r: T) => number) => rows.reduce((n, r) => n + f(r), 0);
  const planted = sum(recall, (r) => r.planted);
  const rate = (n: number, of: number) => (n / of).toFixed(3);
  console.log(`reverie redaction benchmark: seed ${SEED}, ${PER_KIND} of each kind; table: reverie's rules alone; preset: secretlint's recommended rule preset alone; both: the table, then the preset (what reverie runs)\n`);
  console.log('| secret kind | table: caught / planted | preset: found | both: caught |');
  console.log('| --- | --- | --- | --- |');
  for (const r of recall) console.log(`| ${r.kind} | ${r.caught} / ${r.planted} | ${r.secretlint} | ${r.both} |`);
  const caught = sum(recall, (r) => r.caught);
  const byLint = sum(recall, (r) => r.secretlint);
  const byBoth = sum(recall, (r) => r.both);
  console.log(`| **all ${recall.length} kinds** | **${caught} / ${planted} (recall ${rate(caught, planted)})** | **${byLint} (recall ${rate(byLint, planted)})** | **${byBoth} (recall ${rate(byBoth, planted)})** |\n`);
  const tried = sum(lookAlikes, (r) => r.tried);
  console.log('| look-alike (not a secret) | table: redacted / tried | preset: reported | both: redacted | example of a false positive |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of lookAlikes) console.log(`| ${r.kind} | ${r.changed} / ${r.tried} | ${r.secretlint} | ${r.both} | ${r.example ? `\`${r.example.replace(/\|/g, '\\|').replace(/\n/g, ' ')}\`` : ''} |`);
  const changed = sum(lookAlikes, (r) => r.changed);
  const linted = sum(lookAlikes, (r) => r.secretlint);
  const both = sum(lookAlikes, (r) => r.both);
  console.log(`| **all ${lookAlikes.length} kinds** | **${changed} / ${tried} (false-positive rate ${rate(changed, tried)})** | **${linted} (${rate(linted, tried)})** | **${both} (${rate(both, tried)})** | |\n`);
  console.log(`throughput on ${speed.mb.toFixed(1)} MB of session-like text (each the fastest of three runs after one to warm it): table ${speed.table.toFixed(1)} MB/s (one line at a time); preset ${speed.session.toFixed(1)} MB/s (a session at a time); both ${speed.perLine.toFixed(1)} MB/s (one line at a time)`);
}
