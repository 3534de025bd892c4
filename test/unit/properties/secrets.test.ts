/**
 * Secrets in session logs never reach a plan: `redact` removes generated secrets of the shapes it knows, in the
 * places logs put them, and a plan made from sessions redacted the way a reader redacts them (cleanText,
 * cleanInput) carries none of them in its actions, patterns, state or the memory it writes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyActions } from '../../../src/dream/apply.js';
import { emptyState, planCycle } from '../../../src/dream/plan.js';
import { redact } from '../../../src/sessions/redact.js';
import { session, type SessionStep } from '../../helpers/sessions.js';
import { asRead, filesOf, inputOf, memoryFiles, namespaces } from './arbitraries.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 60);
const TIMEOUT = Math.max(30_000, RUNS * 200);

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const chars = (alphabet: string, minLength: number, maxLength: number) => fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });
/** Random enough to be a credential: letters and digits both (fast-check likes "aaaa…", which no rule should need to catch). */
const mixed = (alphabet: string, minLength: number, maxLength: number) =>
  chars(alphabet, minLength, maxLength).filter((s) => /[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s));

interface Secret {
  /** The text as it appears in the log. */
  text: string;
  /** Parts that must not survive redaction (the credential itself, without its well-known prefix). */
  raw: string[];
  /** A bare token, which may sit anywhere; else a whole assignment, URL or key block, which stands on its own. */
  token: boolean;
}

const token = (text: string, raw: string[]): Secret => ({ text, raw, token: true });
const standalone = (text: string, raw: string[]): Secret => ({ text, raw, token: false });

const secret: fc.Arbitrary<Secret> = fc.oneof(
  mixed(`${ALNUM}_-`, 40, 95).map((body) => token(`sk-ant-api03-${body}`, [body])),
  mixed(ALNUM, 40, 64).map((body) => token(`sk-proj-${body}`, [body])),
  mixed(ALNUM, 36, 40).map((body) => token(`ghp_${body}`, [body])),
  chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16, 16).map((body) => token(`AKIA${body}`, [`AKIA${body}`])),
  mixed(ALNUM, 24, 32).map((body) => token(`sk_live_${body}`, [body])),
  fc.tuple(chars('0123456789', 10, 12), mixed(ALNUM, 24, 24)).map(([n, body]) => token(`xoxb-${n}-${body}`, [body])),
  fc
    .tuple(mixed(`${ALNUM}_-`, 20, 40), mixed(`${ALNUM}_-`, 20, 60), mixed(`${ALNUM}_-`, 20, 43))
    .map(([a, b, c]) => token(`eyJ${a}.${b}.${c}`, [b, c])),
  mixed(ALNUM, 10, 24).map((pw) => standalone(`postgres://admin:${pw}@db.internal:5432/app`, [pw])),
  mixed(ALNUM, 12, 32).map((pw) => standalone(`DB_PASSWORD="${pw}"`, [pw])),
  fc
    .array(mixed(`${ALNUM}+/`, 64, 64), { minLength: 2, maxLength: 4 })
    .map((lines) => standalone(`-----BEGIN RSA PRIVATE KEY-----\n${lines.join('\n')}\n-----END RSA PRIVATE KEY-----`, lines)),
);

/** Where logs carry secrets: after a space, a quote, `=`, a header, on a line of its own, in JSON. */
const context = fc.record({
  before: fc.constantFrom('', ' ', '\n', '"', "'", '`', 'key=', 'token: ', 'export ANTHROPIC_API_KEY=', 'Authorization: Bearer ', '(', '{"key": "'),
  after: fc.constantFrom('', ' ', '\n', '"', "'", '`', '.', ',', ')', '"}'),
  words: fc.constantFrom('', 'npm error 401 Unauthorized: ', 'Always use pnpm for installs, the deploy key is ', 'curl -H "x-api-key: '),
});

function leaks(text: string, secrets: Secret[]): string[] {
  return secrets.flatMap((s) => s.raw).filter((raw) => text.includes(raw));
}

describe('redact: properties', () => {
  it('leaves no generated secret in the text, in any of the places logs put one, and is idempotent', () => {
    fc.assert(
      fc.property(secret, context, (s, { before, after, words }) => {
        // A whole assignment, URL or key block does not go after `key=` or inside a header.
        const input = s.token
          ? `${words}${before}${s.text}${after} and more text`
          : `${words.startsWith('curl') ? '' : words}${before.trim() === '' ? before : ' '}${s.text}${after.trim() === '' ? after : ' '} and more text`;
        const once = redact(input);
        expect(leaks(once, [s]), once).toEqual([]);
        expect(once).toContain('[REDACTED:');
        expect(redact(once)).toBe(once);
      }),
      { numRuns: RUNS * 10 },
    );
  }, TIMEOUT);
});

/** Session steps that carry a secret where a pattern would pick it up: a preference, a failing command, its fix. */
function leakySteps(s: Secret, where: number): SessionStep[] {
  const env = s.token ? `ANTHROPIC_API_KEY=${s.text}` : s.text;
  const url = s.token ? `https://x:${s.text}@github.com/acme/app.git/` : `https://github.com/acme/app.git/ ${s.text}`;
  const steps: SessionStep[][] = [
    [{ user: `Always use pnpm for installs, never npm. The deploy key is ${s.text} by the way.` }],
    [
      { bash: `${env} npm install`, output: `npm error 401 Unauthorized: ${s.text}`, error: true },
      { bash: `${env} pnpm install`, output: 'Done' },
    ],
    [
      { bash: 'git push', output: `fatal: unable to access '${url}': rejected`, error: true },
      { bash: 'git pull --rebase origin main', output: 'ok' },
      { bash: 'git push', output: 'ok' },
    ],
    [{ user: `no, use pnpm with the token ${s.text}, not npm` }],
  ];
  return steps[where % steps.length] ?? [];
}

describe('planCycle: no secret from a session reaches the plan', () => {
  it('actions, evidence, patterns, state and the memory written carry no raw secret', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(secret, fc.nat(), fc.constantFrom('claude', 'codex')), { minLength: 2, maxLength: 5 }),
        memoryFiles,
        namespaces,
        (leaky, files, ns) => {
          const secrets = leaky.map(([s]) => s);
          // Each session repeats every secret-carrying step, so that the patterns recur and are written.
          const steps = leaky.flatMap(([s, where]) => leakySteps(s, where));
          const sessions = leaky.map(([, , agent], i) =>
            asRead(session({ id: `k${i}`, agent, start: `2026-11-0${(i % 4) + 1}T10:00:00.000Z` }, [{ user: 'Deploy the preview.' }, ...steps])),
          );
          // The reader's redaction is what keeps secrets out; check it held before blaming the planner.
          expect(leaks(JSON.stringify(sessions), secrets)).toEqual([]);
          const input = inputOf(files, ns, sessions, emptyState(), 2);
          const plan = planCycle(input);
          expect(leaks(JSON.stringify(plan), secrets)).toEqual([]);
          const written = applyActions(filesOf(input), plan.actions);
          expect(leaks([...written.values()].join('\n'), secrets)).toEqual([]);
        },
      ),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('the raw secrets would be in the plan if the sessions were not redacted (the check above can fail)', () => {
    const s = token('sk-ant-api03-Zx9Qw2Er4Ty6Ui8Op0AsDfGhJkL1ZxCvBnM3qWeRtY', ['Zx9Qw2Er4Ty6Ui8Op0AsDfGhJkL1ZxCvBnM3qWeRtY']);
    const steps = leakySteps(s, 1);
    const raw = [0, 1].map((i) => session({ id: `r${i}`, start: `2026-11-0${i + 1}T10:00:00.000Z` }, steps));
    const ns = [{ name: 'notes', paths: ['**/*.md'], policy: 'dream' as const }];
    expect(leaks(JSON.stringify(planCycle(inputOf([], ns, raw, emptyState(), 2))), [s])).not.toEqual([]);
    expect(leaks(JSON.stringify(planCycle(inputOf([], ns, raw.map(asRead), emptyState(), 2))), [s])).toEqual([]);
  });
});
