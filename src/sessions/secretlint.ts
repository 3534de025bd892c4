/**
 * The second pass of redaction: secretlint's recommended rule preset, a rule set its maintainers keep up with new
 * token formats, run over text after our own table (redact.ts) has had its turn.
 *
 * The preset's rules are run here directly, through the rule interface secretlint documents for rule authors
 * (`create(context)` returns a `file(source)` handler that calls `context.report`), not through @secretlint/core's
 * lintSource, for three reasons measured on this code base:
 * - every place text leaves reverie (a commit message, a line on the console) is synchronous, and lintSource is not;
 * - lintSource builds every rule anew for each text, about 10 times the cost of the scan itself on a log line;
 * - lintSource marks each call in a process-wide PerformanceObserver that keeps every entry, so a process that lints
 *   thousands of texts grows and, once done, spends minutes measuring them.
 * The rules of the preset scan text synchronously; a rule that ever answers with a promise is refused with an error
 * (see secretlintFindings), so that an upgrade of the preset that changes this cannot skip a rule unnoticed.
 */
import type { SecretLintRuleContext, SecretLintRuleReportHandler, SecretLintSourceCode } from '@secretlint/types';
import { presetRules } from './secretlint-preset.js';

/** What the preset found: where, and the kind that goes into `[REDACTED:<kind>]`. */
export interface SecretlintFinding {
  kind: string;
  start: number;
  end: number;
}

/**
 * Left out: `filter-comments` honours `secretlint-disable` comments in the text scanned, and the text scanned comes
 * from logs, where anyone could write one to switch detection off.
 */
const LEFT_OUT = new Set(['@secretlint/secretlint-rule-filter-comments']);

/** Props of the preset's messages that carry the secret itself (`found slack token: ${TOKEN}`). */
const SECRET_PROPS = new Set(['TOKEN', 'KEY', 'ID', 'URL', 'URI', 'CREDENTIAL']);

interface Loaded {
  kind: string;
  handler: SecretLintRuleReportHandler;
}

interface Report {
  kind: string;
  range: readonly [number, number];
  values: string[];
}

/** Where the rule in progress reports to; set for the length of one scan (scans never overlap: they are synchronous). */
let sink: Report[] | null = null;
let loaded: Loaded[] | null = null;

/** `@secretlint/secretlint-rule-slack` → `secretlint-slack`. */
export function kindOf(ruleId: string): string {
  return `secretlint-${ruleId.replace(/^@secretlint\/secretlint-rule-/, '').replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}`;
}

/**
 * What each rule of the preset needs before it can report anything: literals, one of which is in every text it can
 * report in, as its patterns spell them (none of these patterns ignores case where a literal has letters). Read from
 * the rules of the version in PRESET_VERSION, given a source as sourceOf gives it (no file name, no extension); a test
 * holds the table to the preset's rules and its version, so that an upgrade is read again before it is used.
 * - aws: the secret access key after its name (`(?:SECRET|secret|Secret)`); the scans for key and account ids are
 *   off unless asked for, and reverie does not ask.
 * - gcp: reads only a file named .p12 or .json, and is never given one: no text can make it report.
 * - npm: `https?://…:x-oauth-basic@github.com/` (a text with no file name counts as a package.json), `npm_` tokens;
 *   `_authToken=` is looked for in .npmrc files only, and kept here all the same.
 * - database-connection-string, basicauth and slack's webhooks: each pattern is a URL, `mongodb://`, `https://` …
 */
const PRESET_NEEDS: Readonly<Record<string, readonly string[]>> = {
  '@secretlint/secretlint-rule-aws': ['SECRET', 'secret', 'Secret'],
  '@secretlint/secretlint-rule-gcp': [],
  '@secretlint/secretlint-rule-privatekey': ['-----BEGIN'],
  '@secretlint/secretlint-rule-npm': ['://', 'npm_', '_authToken='],
  '@secretlint/secretlint-rule-basicauth': ['://'],
  '@secretlint/secretlint-rule-slack': ['xoxb-', 'xoxp-', 'xapp-', 'xoxa-', 'xoxo-', 'xoxr-', '://'],
  '@secretlint/secretlint-rule-sendgrid': ['SG.'],
  '@secretlint/secretlint-rule-shopify': ['shppa_', 'shpca_', 'shpat_', 'shpss_'],
  '@secretlint/secretlint-rule-github': ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
  '@secretlint/secretlint-rule-openai': ['T3BlbkFJ'],
  '@secretlint/secretlint-rule-anthropic': ['sk-ant-api0'],
  '@secretlint/secretlint-rule-linear': ['lin_api_'],
  '@secretlint/secretlint-rule-1password': ['ops_ey'],
  '@secretlint/secretlint-rule-database-connection-string': ['://'],
};

/** The version of the preset whose rules PRESET_NEEDS was read from. */
export const PRESET_VERSION = '11.7.1';

/** The rules PRESET_NEEDS knows, in the preset's order, for the test that holds it to the preset. */
export const PRESET_RULE_IDS: readonly string[] = Object.keys(PRESET_NEEDS);

const NEEDED: readonly string[] = [...new Set(Object.values(PRESET_NEEDS).flat())];
/** Any of the literals: one scan of a text, where a search for each would read it once per literal (28 of them). */
const ANY_NEEDED = new RegExp(NEEDED.map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));

/**
 * Whether any rule of the preset could report something in `text`: false when the text holds none of the literals
 * its rules need, and then running them would find nothing. Most lines reverie prints hold none.
 */
export function mayHoldPresetSecret(text: string): boolean {
  return ANY_NEEDED.test(text);
}

/** The kinds this pass can produce, for lint and for tests. */
export const SECRETLINT_KINDS: readonly string[] = PRESET_RULE_IDS.map(kindOf);

function load(): Loaded[] {
  if (loaded) return loaded;
  const rules = presetRules().filter((rule) => !LEFT_OUT.has(rule.meta.id));
  // A rule PRESET_NEEDS does not know would be skipped on every text that holds none of the others' literals.
  const unread = rules.map((rule) => rule.meta.id).filter((id) => !(id in PRESET_NEEDS));
  if (unread.length > 0) throw new Error(`secretlint's preset has rules reverie has not read (${unread.join(', ')}): see PRESET_NEEDS in secretlint.ts`);
  loaded = rules
    .map((rule) => {
      const kind = kindOf(rule.meta.id);
      const context: SecretLintRuleContext = {
        sharedOptions: {},
        // The message is never formatted: the preset's messages quote the secret. Only the props are kept, to find it.
        createTranslator: () => (messageId: string, props?: Record<string, unknown>) => ({ message: messageId, messageId, data: props ?? {} }),
        report: (descriptor) => {
          const props = (descriptor.message.data ?? {}) as Record<string, unknown>;
          const values = Object.entries(props)
            .filter(([key, value]) => SECRET_PROPS.has(key) && typeof value === 'string' && value.length >= 8)
            .map(([, value]) => value as string);
          sink?.push({ kind, range: descriptor.range, values });
        },
        // Only filter-comments ignores, and it is left out.
        ignore: () => undefined,
      } as SecretLintRuleContext;
      return { kind, handler: rule.create(context, {}) };
    });
  return loaded;
}

/** A source as the preset's rules read it: text, with no file behind it (so no rule reads a file). */
function sourceOf(content: string): SecretLintSourceCode {
  const unsupported = (): never => {
    throw new Error('a secretlint rule asked for source positions, which reverie does not provide to the rules it runs');
  };
  return {
    hasBOM: false,
    content,
    filePath: undefined,
    physicalFilePath: undefined,
    contentType: 'text',
    ext: '',
    getFilePath: () => undefined,
    getPhysicalFilePath: () => undefined,
    locationToRange: unsupported,
    rangeToLocation: unsupported,
    positionToIndex: unsupported,
    indexToPosition: unsupported,
  };
}

/**
 * The spans of `text` that the preset reports as secrets, merged where they overlap, in order. `alreadyTaken` says
 * of a reported secret that an earlier pass took it out (`postgres://app:[REDACTED:url-password]@db` is still a
 * connection string to the preset): such a report is left out, so that the host and user around it stay readable.
 */
export function secretlintFindings(text: string, alreadyTaken: (secret: string) => boolean = () => false): SecretlintFinding[] {
  return mayHoldPresetSecret(text) ? runPreset(text, alreadyTaken) : [];
}

/** secretlintFindings without the look for what the rules need first: every rule over the text, for tests. */
export function runPreset(text: string, alreadyTaken: (secret: string) => boolean = () => false): SecretlintFinding[] {
  if (text.length === 0) return [];
  const reports: Report[] = [];
  sink = reports;
  try {
    const source = sourceOf(text);
    for (const { kind, handler } of load()) {
      const done = handler.file?.(source);
      if (done && typeof (done as Promise<void>).then === 'function') {
        // Keep an unhandled rejection from crashing the process later; the error below says what went wrong.
        (done as Promise<void>).catch(() => undefined);
        throw new Error(`secretlint rule ${kind} scans asynchronously; reverie runs the preset's rules synchronously and cannot use it`);
      }
    }
  } finally {
    sink = null;
  }
  const fresh = reports.filter((report) => {
    const secrets = report.values.length > 0 ? report.values : [text.slice(report.range[0], report.range[1])];
    return !secrets.some(alreadyTaken);
  });
  return merge(fresh.flatMap((report) => spansOf(text, report)));
}

/**
 * What to cover for one report: its range, carried on to the end of the key it ends in (the AWS rule reports a
 * range as long as the key but starting where the assignment starts, which would leave the key's tail), and every
 * occurrence of the secret the report names, wherever it is in the text.
 */
function spansOf(text: string, report: Report): SecretlintFinding[] {
  const [start, end] = report.range;
  const spans: SecretlintFinding[] = [];
  if (Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end > start && end <= text.length) {
    spans.push({ kind: report.kind, start, end: wordEnd(text, end) });
  }
  for (const value of report.values) {
    for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + value.length)) {
      spans.push({ kind: report.kind, start: at, end: at + value.length });
    }
  }
  return spans;
}

const KEY_CHAR = /[A-Za-z0-9/+=_-]/;

/** A range that ends inside a run of key characters is carried to the end of the run; else it stays as it is. */
function wordEnd(text: string, end: number): number {
  if (!KEY_CHAR.test(text[end - 1] ?? '')) return end;
  let at = end;
  while (at < text.length && KEY_CHAR.test(text[at] ?? '')) at++;
  return at;
}

function merge(spans: SecretlintFinding[]): SecretlintFinding[] {
  const sorted = spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: SecretlintFinding[] = [];
  for (const span of sorted) {
    const last = out[out.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else out.push({ ...span });
  }
  return out;
}
