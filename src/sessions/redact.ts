/**
 * Secret redaction: the one place where text from logs is scrubbed before it can reach an engine, a
 * commit message or a console. Two passes: our table (`redact`), cheap enough for every string of every log, which
 * the readers run; then secretlint's maintained preset (see secretlint.ts), over each session as it is read
 * (`secondPass`) and, both passes again, wherever text leaves reverie (`redactText`, `redactTextValue`).
 * `reverie lint` reports what the same two passes find.
 *
 * Every rule replaces the secret with `[REDACTED:<rule name>]`. Rules run in table order, so the
 * specific token shapes claim their matches before the generic assignment and entropy rules look.
 */

import { mayHoldPresetSecret, runPreset, secretlintFindings } from './secretlint.js';

export interface RedactionRule {
  /** Kind shown in the placeholder, e.g. `github-token`. */
  name: string;
  /** Global regex. A named group `secret` limits the replacement to that group; the rest of the match is kept. */
  pattern: RegExp;
  /** Last word on a candidate: false keeps the text as it is (look-alikes, placeholders, code). */
  check?: (candidate: Candidate) => boolean;
  /**
   * A cheap test that holds for every text the rule can change: every text the pattern can match in (a literal the
   * pattern cannot match without), or at least every text it can match in with a match its check keeps; false skips
   * the pattern. Most texts from logs hold no secret, and a literal search is far cheaper than a regex with
   * lookbehinds, run for every rule over every string of every log.
   */
  trigger?: (text: string, lower: string) => boolean;
  /**
   * Literals in lower case, at least one of which is in every text the pattern can match in (ASCII case aside). One
   * scan of a text for the keys of every rule at once (see `candidates`) says which rules are worth asking their
   * trigger; a rule without keys is asked of every text, unless the scan works out its trigger (`scan`).
   */
  keys?: readonly string[];
  /**
   * For a rule without keys, its trigger worked out by the scan for keys, in the same pass over the text: the scan
   * knows the answer, and the rule is not asked its trigger again (a second and a third pass over every long text).
   * `trigger` stays the same test, named: see candidates() for the two the scan knows.
   */
  scan?: ScannedTrigger;
}

/** The triggers the scan for keys works out itself: a lone token (hasLoneToken), an assigned value (hasAssignedValue). */
export type ScannedTrigger = 'lone-token' | 'assigned-value';

export interface Candidate {
  /** The part that would be replaced (the `secret` group, else the whole match), quotes included. */
  secret: string;
  groups: Record<string, string | undefined>;
  /** The whole text and where the match ends in it, for rules that look at what follows. */
  input: string;
  end: number;
}

/** Words in a key name that mark its value as a secret (`DB_PASSWORD`, `apiKey`, `client_secret`). */
const SECRET_NAME = 'secret|token|passw(?:or)?d|api[_-]?key|private[_-]?key|access[_-]?key|credentials?|passphrase';
/** SECRET_NAME's words as literals, one of which is in every text SECRET_NAME matches in (ASCII case aside). */
const SECRET_NAME_KEYS = ['secret', 'token', 'passwd', 'password', 'apikey', 'api_key', 'api-key', 'privatekey', 'private_key', 'private-key', 'accesskey', 'access_key', 'access-key', 'credential', 'passphrase'];
const SECRET_NAME_RE = new RegExp(`(?:${SECRET_NAME})`, 'gi');
/** The same words, to ask only whether there is one (a non-global regex keeps no position between calls). */
const HAS_SECRET_NAME = new RegExp(`(?:${SECRET_NAME})`, 'i');
/**
 * A secret name's word, then what the secret-assignment pattern allows between it and the separator: in every text
 * that pattern matches in. Looked for from the word on, it rules out in one pass most texts where a secret name is
 * only mentioned (`max_tokens` in prose, `token` in a sentence), which the pattern would have tried at every position,
 * each with up to 40 characters of name before the word.
 */
const SECRET_NAME_THEN_SEPARATOR = new RegExp(`(?:${SECRET_NAME})[A-Za-z0-9_.-]{0,40}["']?[ \t]*[:=]`, 'i');
const has = (literal: string) => (text: string) => text.includes(literal);
/** For a trigger that is a small pattern (not global: a global regex would carry its position from call to call). */
const hasMatch = (pattern: RegExp) => (text: string) => pattern.test(text);
const ASSIGNS = /[:=]/;
/** Every literal a trigger looks for in any case: one regex over the text says whether any is there at all. */
const CASELESS_LITERALS: string[] = [];

/**
 * A trigger that ignores case: whether the text in lower case (made once per text for all the rules, and only when
 * one of these literals is in it, else empty) holds one of `literals`.
 */
const anyOf = (...literals: string[]) => {
  CASELESS_LITERALS.push(...literals);
  return (_text: string, lower: string): boolean => {
    for (const literal of literals) if (lower.includes(literal)) return true;
    return false;
  };
};
const PIN = anyOf('pin');
const WEBHOOK_HOSTS = anyOf('hooks.slack', 'discord', 'webhook', 'logic.azure', 'chat.googleapis');
const PWD_OR_PASSWORD = anyOf('pwd', 'password');
const CLIENTS = anyOf('mysql', 'mariadb', 'sshpass', 'redis-cli', 'mongo');
const PASSW = anyOf('passw');
const USER_FLAG = anyOf('-u', '-a');
const HTTP_CLIENTS = anyOf('curl', 'http', 'xh');

/** ASCII characters a run is made of, as a lookup table by char code. */
function charTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (const c of chars) table[c.charCodeAt(0)] = 1;
  return table;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** [A-Za-z0-9_-]: what a bare token is made of. */
const TOKEN = `${ALNUM}_-`;
const TOKEN_CHARS = charTable(TOKEN);
/** [A-Za-z0-9+/=_-]: what an assigned base64-like value is made of. */
const VALUE = `${ALNUM}+/=_-`;
const VALUE_CHARS = charTable(VALUE);

/** The characters that join a token to what is around it, so that the random-token pattern passes it over: `./+=`. */
const JOINERS = charTable('./+=');

/** The lengths of a token the random-token rule takes, and of a value the high-entropy rule takes (its least). */
const LONE_TOKEN_MIN = 28;
const LONE_TOKEN_MAX = 512;
const ASSIGNED_VALUE_LENGTH = 20;

/** What looksRandom needs of a token before anything else: a lower-case letter, an upper-case one and a digit. */
const LOWER_CASE = 1;
const UPPER_CASE = 2;
const DIGIT = 4;
const MIXED = LOWER_CASE | UPPER_CASE | DIGIT;
/** By ASCII char code, which of LOWER_CASE, UPPER_CASE and DIGIT the character is. */
const CASE_OF = Uint8Array.from({ length: 128 }, (_, code) => (code >= 97 && code <= 122 ? LOWER_CASE : code >= 65 && code <= 90 ? UPPER_CASE : code >= 48 && code <= 57 ? DIGIT : 0));

/**
 * Whether `text` holds a token the random-token rule could take: a whole run of TOKEN characters, `min` to `max`
 * long, with no joiner on either side (where the pattern matches: a path's segment, a file name or a base64 line is
 * none), mixing lower case, upper case and digits (what its check, looksRandom, needs first). One pass, where the
 * pattern's lookbehind is tried at every position; long names in code and prose (`getTeamMembersWithJoinedDetails`)
 * are no such token.
 */
function hasLoneToken(text: string, min: number, max: number): boolean {
  let start = 0;
  let cases = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : -1;
    if (code >= 0 && code < 128 && TOKEN_CHARS[code] === 1) {
      cases |= CASE_OF[code] as number;
      continue;
    }
    const length = i - start;
    if (cases === MIXED && length >= min && length <= max && !isJoiner(text.charCodeAt(start - 1)) && !isJoiner(code)) return true;
    start = i + 1;
    cases = 0;
  }
  return false;
}

function isJoiner(code: number): boolean {
  return code >= 0 && code < 128 && JOINERS[code] === 1;
}

/**
 * Whether `text` holds a value the high-entropy rule could take: `length` or more VALUE characters right after a `:`
 * or `=`, any blanks and at most one quote (where the pattern's value starts; it runs to the end of the run of VALUE
 * characters), mixing lower case, upper case and digits (what its check, looksRandom, needs first). `=` is a VALUE
 * character itself: inside a run, the run goes on counted from its first separator (every value that starts later in
 * it is a part of that one), and a value may also start anew past blanks and a quote. One pass, where the pattern
 * starts over at every word.
 */
function hasAssignedValue(text: string, length: number): boolean {
  /** VALUE characters since the separator, or -1 when no separator opened this run. */
  let run = -1;
  let cases = 0;
  /** Right after a separator: blanks, then one quote, may come before the value. */
  let opening = false;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 128 && VALUE_CHARS[code] === 1) {
      if (run < 0 && code !== 61 /* = */) continue;
      if (run < 0) cases = 0;
      else cases |= CASE_OF[code] as number;
      run++;
      opening = code === 61;
      quoted = false;
      continue;
    }
    // The run ends here: the value it holds is whole.
    if (run >= length && cases === MIXED) return true;
    if (code === 58 /* : */) {
      [run, cases, opening, quoted] = [0, 0, true, false];
    } else if (opening && !quoted && (code === 32 || code === 9 || code === 34 || code === 39)) {
      [run, cases, quoted] = [0, 0, code === 34 || code === 39];
    } else {
      run = -1;
      opening = false;
    }
  }
  return run >= length && cases === MIXED;
}

/** A password in a sentence: no space, no quote, nothing that makes it code (brackets, parentheses). */
const PROSE_VALUE = String.raw`[^\s"'\x60()<>{}\[\]]`;
/** What follows "password" in prose and is no password: a number of characters, a version, a count. */
const NOT_PASSWORD = /^(?:v?\d+(?:\.\d+)+|\d+\+?(?:chars?|characters?|digits?|letters?)?)$/i;
/**
 * What links a password or PIN to its value in a sentence: "is" and "was" after a few words ("the password for
 * staging is"), "to" right after it or after a verb of setting ("set the pin to", "the password was changed to").
 */
const PROSE_LINK = String.raw`(?:[^.\n]{0,40}?[ \t](?:is|was|are|(?:set|changed|reset|updated|rotated)[ \t]+to)|[ \t]+to)`;
/** "password manager", "password field": a thing about passwords, whose "is" does not give one. */
const NOT_THE_PASSWORD = String.raw`[ \t]+(?:managers?|fields?|policy|policies|resets?|length|hash(?:es|ing)?|files?|prompts?|stores?|vaults?|rules?|requirements?|strength|expiry|changes?|inputs?|box(?:es)?|protected|less|auth(?:entication)?|login)\b`;
const DIGIT_WORDS = 'zero|oh|one|two|three|four|five|six|seven|eight|nine';
const PIN_WORD = /\bpin\b/i;
/** Keys of an ADO.NET or ODBC connection string, whose presence makes `Password=` part of one. */
const ADO_KEYS = /\b(?:Server|Data Source|Host|Address|Initial Catalog|Database|User ID|UID|User|Username|Driver|DSN|Provider)[ \t]*=/i;

/** Unquoted values stop at whatever ends a value in env files, shell, JSON, YAML and code. */
const BARE_VALUE = String.raw`[^\s"'\x60,;(){}\[\]<>]{1,512}(?=$|[\s"'\x60,;)}\]])`;

export const RULES: readonly RedactionRule[] = [
  {
    name: 'private-key',
    // An unterminated block (a truncated log) is redacted to the end of the text.
    pattern: /-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----|$)/g,
    trigger: has('-----BEGIN'),
    keys: ['-----begin'],
  },
  { name: 'anthropic-key', pattern: /(?<![A-Za-z0-9])sk-ant-[A-Za-z0-9_-]{20,}/g, trigger: has('sk-ant-'), keys: ['sk-ant-'] },
  {
    name: 'openai-key',
    pattern: /(?<![A-Za-z0-9])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g,
    check: ({ secret }) => /\d/.test(secret) && /[A-Za-z]/.test(secret.slice(3)),
    trigger: has('sk-'),
    keys: ['sk-'],
  },
  {
    name: 'github-token',
    pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{30,})/g,
    trigger: hasMatch(/gh[pousr]_|github_pat_/),
    keys: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
  },
  {
    name: 'aws-access-key-id',
    pattern: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/g,
    trigger: hasMatch(/AKIA|ASIA|ABIA|ACCA/),
    keys: ['akia', 'asia', 'abia', 'acca'],
  },
  {
    name: 'aws-secret-access-key',
    pattern: /(?<pre>aws_?secret_?(?:access_?)?key["']?\s*[:=]\s*["']?)(?<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    trigger: hasMatch(/aws_?secret/i),
    keys: ['awssecret', 'aws_secret'],
  },
  {
    name: 'gitlab-token',
    pattern: /(?<![A-Za-z0-9_-])gl(?:pat|ptt|dt|rt|cbt|oas)-[A-Za-z0-9_-]{20,}/g,
    trigger: hasMatch(/gl(?:pat|ptt|dt|rt|cbt|oas)-/),
    keys: ['glpat-', 'glptt-', 'gldt-', 'glrt-', 'glcbt-', 'gloas-'],
  },
  { name: 'huggingface-token', pattern: /(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,}/g, trigger: has('hf_'), keys: ['hf_'] },
  { name: 'npm-token', pattern: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36,}/g, trigger: has('npm_'), keys: ['npm_'] },
  { name: 'sendgrid-key', pattern: /(?<![A-Za-z0-9_])SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g, trigger: has('SG.'), keys: ['sg.'] },
  { name: 'azure-storage-key', pattern: /(?<pre>AccountKey=)(?<secret>[A-Za-z0-9+/=]{40,})/g, trigger: has('AccountKey='), keys: ['accountkey='] },
  { name: 'google-api-key', pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g, trigger: has('AIza'), keys: ['aiza'] },
  { name: 'slack-token', pattern: /(?<![A-Za-z0-9])xox[baprs]-[A-Za-z0-9-]{10,}/g, trigger: hasMatch(/xox[baprs]-/), keys: ['xoxb-', 'xoxa-', 'xoxp-', 'xoxr-', 'xoxs-'] },
  {
    name: 'stripe-key',
    pattern: /(?<![A-Za-z0-9])[sr]k_(?:live|test)_[A-Za-z0-9]{16,}/g,
    trigger: hasMatch(/[sr]k_(?:live|test)_/),
    keys: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'],
  },
  {
    name: 'bearer-token',
    pattern: /(?<pre>\bAuthorization["']?\s*[:=]\s*["']?(?:Bearer|Basic|Token)\s+)(?<secret>[A-Za-z0-9._~+/=-]{8,})/gi,
    trigger: hasMatch(/authorization/i),
    keys: ['authorization'],
  },
  { name: 'jwt', pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g, trigger: has('eyJ'), keys: ['eyj'] },
  {
    // Chat webhooks: whoever holds the URL can post to the channel, so the path after the host is the secret.
    name: 'webhook-url',
    pattern: new RegExp(
      String.raw`(?<pre>https?://(?:` +
        String.raw`hooks\.slack\.com/(?:services|workflows|triggers)/` +
        String.raw`|(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/` +
        String.raw`|[A-Za-z0-9-]{1,64}\.webhook\.office\.com/webhookb2/|outlook\.office(?:365)?\.com/webhook/` +
        String.raw`|[A-Za-z0-9.-]{1,64}\.logic\.azure\.com(?::\d{1,5})?/workflows/` +
        String.raw`|chat\.googleapis\.com/v1/spaces/))(?<secret>[^\s"'\x60<>(){}\[\]]{8,1024})`,
      'gi',
    ),
    check: ({ secret }) => !isPlaceholder(secret) && !isWebhookExample(secret),
    trigger: (text, lower) => text.includes('://') && WEBHOOK_HOSTS(text, lower),
    keys: ['hooks.slack', 'discord', 'webhook', 'logic.azure', 'chat.googleapis'],
  },
  {
    name: 'url-password',
    // The user may be empty: `redis://:pw@host` is how Redis URLs carry a password alone.
    pattern: /(?<pre>(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/[^\s:@/?#]{0,256}:)(?<secret>[^\s@/?#]{1,256})(?=@)/g,
    check: ({ secret }) => !isPlaceholder(secret),
    // What the pattern needs from `://` on: a text that only has a URL and an `@` somewhere (a mail address, a
    // decorator, a scoped package) is not tried at every letter.
    trigger: hasMatch(/:\/\/[^\s:@/?#]{0,256}:[^\s@/?#]{1,256}@/),
    keys: ['://'],
  },
  {
    // ADO.NET / ODBC connection strings: `Server=db;User Id=sa;Password=pass word;`. The value runs to the `;`
    // (it may hold spaces), which the generic assignment rule below would stop short of.
    name: 'connection-string-password',
    pattern: /(?<pre>(?:^|[;"'\s])(?:Password|Pwd)[ \t]*=[ \t]*)(?<secret>'[^'\n]{1,256}'|"[^"\n]{1,256}"|[^;"'\n]{1,256}?)(?=[ \t]*(?:;|$|["']))/gim,
    check: ({ secret, input, end }) => inAdoString(input, end) && isPlausibleSecret(unquote(secret), true),
    trigger: (text, lower) => text.includes('=') && PWD_OR_PASSWORD(text, lower),
    keys: ['pwd', 'password'],
  },
  {
    // Passwords given to a database or login client as a flag: `mysql -pSECRET` (attached: `-p db` names a
    // database), `sshpass -p SECRET`, `redis-cli -a SECRET`, `mongosh -p SECRET`, and `--password SECRET` anywhere.
    name: 'cli-password',
    pattern: new RegExp(
      String.raw`(?<pre>(?:` +
        String.raw`\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlpump|mysqlsh|mariadb(?:-dump|-admin)?)\b[^\n|;&]{0,200}?[ \t]-p` +
        String.raw`|\bsshpass\b[^\n|;&]{0,40}?[ \t]-p[ \t]*` +
        String.raw`|\bredis-cli\b[^\n|;&]{0,200}?[ \t](?:-a|--pass)[ \t]+` +
        String.raw`|\b(?:mongo|mongosh|mongodump|mongorestore|mongoexport|mongoimport)\b[^\n|;&]{0,200}?[ \t]-p[ \t]+` +
        String.raw`|(?<![\w-])--(?:[a-z]+-)?passw(?:or)?d[ \t]+` +
        String.raw`))(?<secret>"[^"\n]{1,256}"|'[^'\n]{1,256}'|[^\s"'\x60|;&<>()]{1,256})`,
      'gi',
    ),
    // Attached to `-p`, a value is a password whatever it looks like; after a space, it may be a help text's type.
    check: ({ secret, groups }) => isPlausibleSecret(unquote(secret), /^["']/.test(secret) || /-p$/.test(groups.pre ?? '')) && !secret.startsWith('-'),
    trigger: (text, lower) => CLIENTS(text, lower) || (text.includes('--') && PASSW(text, lower)),
    keys: ['mysql', 'mariadb', 'sshpass', 'redis-cli', 'mongo', 'passw'],
  },
  {
    // `curl -u user:password`, `curl --user user:password`, httpie's `http -a user:password`: the part after the colon.
    name: 'cli-user-password',
    pattern:
      /(?<pre>\b(?:curl|http|https|xh)\b[^\n|;&]{0,200}?[ \t](?:-u|--user|-a|--auth)(?:[ \t]*|=)["']?[^\s:"'$]{1,128}:)(?<secret>[^\s"'@]{1,256})/gi,
    check: ({ secret }) => isPlausibleSecret(secret, true),
    trigger: (text, lower) => text.includes('-') && USER_FLAG(text, lower) && HTTP_CLIENTS(text, lower),
    keys: ['curl', 'http', 'xh'],
  },
  {
    // A secret set through a tool's configuration command: `aws configure set aws_secret_access_key VALUE`,
    // `npm config set //registry.npmjs.org/:_authToken VALUE`, `poetry config pypi-token.pypi VALUE`, and a
    // secret store's `gh secret set NAME --body VALUE`, `fly secrets set NAME=VALUE`.
    name: 'cli-secret-setting',
    pattern: new RegExp(
      String.raw`(?<pre>(?:` +
        String.raw`\b(?:configure|config)(?:[ \t]+(?:set|add|put|--?[A-Za-z][\w-]*(?:=\S+)?))*[ \t]+["']?(?<name>[\w.:/@-]{0,80}?(?:${SECRET_NAME})[\w.:/@-]{0,40})["']?[ \t]+` +
        String.raw`|\bsecrets?[ \t]+set\b[^\n|;&]{0,200}?[ \t](?:--body|-b)(?:[ \t]+|=)` +
        String.raw`|\bsecrets?[ \t]+(?:set|import)(?:[ \t]+--?[A-Za-z][\w-]*(?:=\S+)?)*[ \t]+[A-Za-z_][\w.-]{0,80}=` +
        String.raw`))(?<secret>"[^"\n]{1,512}"|'[^'\n]{1,512}'|[^\s"'\x60|;&<>()]{1,512})`,
      'gi',
    ),
    check: (c) => (c.groups.name === undefined || isSecretName(c.groups.name)) && isPlausibleSecret(unquote(c.secret), /^["']/.test(c.secret)),
    trigger: anyOf('config', 'secret'),
    keys: ['config', 'secret'],
  },
  {
    name: 'secret-assignment',
    pattern: new RegExp(
      String.raw`(?<pre>(?<![A-Za-z0-9_])(?<name>[A-Za-z0-9_.-]{0,40}?(?:${SECRET_NAME})[A-Za-z0-9_.-]{0,40})["']?[ \t]*(?<sep>[:=])[ \t]*)` +
        String.raw`(?<secret>"[^"\n]{1,512}"|'[^'\n]{1,512}'|${BARE_VALUE})`,
      'gim',
    ),
    check: (c) => isSecretName(c.groups.name ?? '') && isAssignedSecret(c),
    trigger: (text) => ASSIGNS.test(text) && SECRET_NAME_THEN_SEPARATOR.test(text),
    keys: SECRET_NAME_KEYS,
  },
  {
    // A login given in prose: "staging basic auth is admin / harbor-x7Kq-tide42!", "credentials: ci / s3cret".
    name: 'login-password',
    pattern: /(?<pre>\b(?:basic[- ]?auth|http auth|credentials?|login|user(?:name)? and password)\b[^.\n]{0,24}?(?:\bis\b|\bare\b|=|:)[ \t]*[\w.@+-]{1,64}[ \t]*[/:][ \t]*)(?<secret>[^\s'"`]{4,128})/gi,
    check: ({ secret }) => !isPlaceholder(secret) && !NOT_SECRET_WORDS.test(secret) && /[^A-Za-z]/.test(secret),
    trigger: anyOf('basic', 'auth', 'credential', 'login', 'password'),
    keys: ['basic', 'http auth', 'credential', 'login', 'password'],
  },
  {
    // A password stated in a sentence: "the password is Sup3rS3cret!x", "set the staging password to X",
    // "the password Sup3rS3cret!x", "passphrase: X, then". Prose is full of passwords that are not given ("the
    // password field is required"), so the value must hold a digit or a symbol, where a word holds none.
    name: 'password-in-prose',
    pattern: new RegExp(
      String.raw`(?<pre>\b(?:passwords?|passwd|passphrase|passcode|pw)\b(?!${NOT_THE_PASSWORD})(?:${PROSE_LINK}|[ \t]*[:=-]|[^.\n]{0,40}?[ \t]*[:=])?[ \t]+)` +
        String.raw`(?<secret>"[^"\n]{3,128}"|'[^'\n]{3,128}'|(?=${PROSE_VALUE}{0,127}?[0-9!@#$%^&*+=?~|\\])${PROSE_VALUE}{3,127}[^\s"'\x60()<>{}\[\].,;:?])`,
      'gi',
    ),
    check: ({ secret }) => isPlausibleSecret(unquote(secret), true) && !NOT_PASSWORD.test(unquote(secret)),
    // Not 'pass' alone: "12 passed" is in every test run's output.
    trigger: anyOf('passw', 'passphrase', 'passcode', 'pw'),
    keys: ['passw', 'passphrase', 'passcode', 'pw'],
  },
  {
    // A PIN in a sentence or a note: "pin 4821", "PIN: 4821", "the staging pin is 4821", "door pin code 4821",
    // and spelled out: "the pin is four eight two one". Four to eight digits, never a version (`pin 18.2.0`).
    name: 'pin',
    pattern: new RegExp(
      String.raw`(?<pre>\bpin\b(?:[ \t]+(?:code|number|no\.?)|[ \t]*#)?(?:${PROSE_LINK}|[ \t]*[:=-])?[ \t]*)` +
        String.raw`(?<secret>\d{4,8}(?!\d|[.,:/-]\d)|(?:(?:${DIGIT_WORDS})[ \t,-]+){3,7}(?:${DIGIT_WORDS})\b)`,
      'gi',
    ),
    trigger: (text, lower) => PIN(text, lower) && PIN_WORD.test(text),
    keys: ['pin'],
  },
  {
    // A token pasted into prose ("use my token X"): no name, no assignment, only its randomness gives it away.
    name: 'random-token',
    pattern: /(?<![A-Za-z0-9_./+=-])[A-Za-z0-9_-]{28,512}(?![A-Za-z0-9_./+=-])/g,
    check: ({ secret }) => looksRandom(secret),
    trigger: (text) => hasLoneToken(text, LONE_TOKEN_MIN, LONE_TOKEN_MAX),
    scan: 'lone-token',
  },
  {
    name: 'high-entropy',
    pattern:
      /(?<pre>(?<![A-Za-z0-9_])[A-Za-z_][A-Za-z0-9_.-]{0,63}["']?[ \t]*[:=][ \t]*["']?)(?<secret>[A-Za-z0-9+/=_-]{20,512})(?![A-Za-z0-9+/=_-])/g,
    check: ({ secret, groups }) => looksRandom(secret) && !isPublicDigest(groups.pre ?? '', secret),
    trigger: (text) => hasAssignedValue(text, ASSIGNED_VALUE_LENGTH),
    scan: 'assigned-value',
  },
];

/** Whether a text holds any literal of the caseless triggers: most texts of a log hold none, and skip them all. */
const CASELESS = new RegExp(CASELESS_LITERALS.map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');

/** The text in lower case for the caseless triggers, or nothing when none of their literals is in it. */
function lowerForTriggers(text: string): string {
  return CASELESS.test(text) ? text.toLowerCase() : '';
}

/** Rule names, i.e. the `<kind>`s that can appear in `[REDACTED:<kind>]`. */
export const RULE_NAMES: readonly string[] = RULES.map((rule) => rule.name);

/**
 * Redaction for text on its way out of reverie (a commit, a memory file, the state, the console, a pull request, a
 * request to a model): our table, then secretlint's recommended preset over what the table left. The second pass
 * costs more per call than the table (every rule of the preset over the whole text, with no cheap trigger), so the
 * readers, which see every string of every log, run the table alone, and the preset goes over each session once,
 * all its strings at a time (secondPass).
 */
export function redactText(text: string): string {
  const first = redact(text);
  const findings = secretlintFindings(first, judgedByTable);
  if (findings.length === 0) return first;
  let out = '';
  let at = 0;
  for (const finding of findings) {
    out += first.slice(at, finding.start) + placeholder(finding.kind);
    at = finding.end;
  }
  return out + first.slice(at);
}

/** What the table took out, or left in as a placeholder or a documentation example, it judged already. */
function judgedByTable(secret: string): boolean {
  return secret.includes('[REDACTED:') || isExampleSecret(secret);
}

/** Between the strings of a value scanned as one text: no rule of the preset matches across a blank line. */
const SEPARATOR = '\n\n';

/**
 * Every string (and key) of a JSON-like value through redactText, with redactValue's reading of secret-named keys.
 * The preset runs once over all the strings joined rather than once per string (the state of a repository with
 * 10,000 sessions holds tens of thousands); only a string a finding falls in is then redacted on its own.
 */
export function redactTextValue<T>(value: T): T {
  return secondPass(walk(value, undefined, 0, (text) => text, redact) as T);
}

/**
 * The second pass alone, for a value whose every string the table has redacted already: a session as a reader hands
 * it on. Run there, once per session over all its text, so that what the engines take apart, shorten and quote
 * (a summary clipped in the middle of a token no rule would know any more) is already clean.
 */
export function secondPass<T>(first: T): T {
  // Most sessions hold no string with a literal one of the preset's rules needs, and then no rule can report in
  // them: they are done without joining all their text (no literal holds a line break, so joining makes none). When
  // the strings that hold one give no finding, all of them would give none either (no rule matches across SEPARATOR).
  const holding = uniqueStrings(first, mayHoldPresetSecret);
  if (holding.length === 0 || runPreset(holding.join(SEPARATOR), judgedByTable).length === 0) return first;
  // Each string once: a session repeats its keys, tool names, paths and often whole tool outputs, and the preset's
  // findings in a string are the same wherever else it occurs (no rule matches across SEPARATOR).
  const strings = uniqueStrings(first, () => true);
  const findings = secretlintFindings(strings.join(SEPARATOR), judgedByTable);
  if (findings.length === 0) return first;
  const flagged = new Set<string>();
  let at = 0;
  let next = 0;
  for (const text of strings) {
    const end = at + text.length;
    while (next < findings.length && (findings[next]?.end ?? 0) <= at) next++;
    if ((findings[next]?.start ?? Infinity) < end) flagged.add(text);
    at = end + SEPARATOR.length;
  }
  return mapStrings(first, 0, (text) => (flagged.has(text) ? redactText(text) : text)) as T;
}

/**
 * The distinct strings (and keys) of a value that `keep` holds for, in the order first met. `keep` is asked first: a
 * session repeats few of its long strings, and looking a string up in the set hashes all of it.
 */
function uniqueStrings(value: unknown, keep: (text: string) => boolean): string[] {
  const unique = new Set<string>();
  eachString(value, 0, (text) => {
    if (keep(text)) unique.add(text);
  });
  return [...unique];
}

function eachString(value: unknown, depth: number, visit: (text: string) => void): void {
  if (typeof value === 'string') return visit(value);
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) eachString(item, depth + 1, visit);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    visit(key);
    eachString(record[key], depth + 1, visit);
  }
}

function mapStrings(value: unknown, depth: number, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, depth + 1, map));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [map(key), mapStrings(item, depth + 1, map)]));
}

/** Replaces every secret the rules find with `[REDACTED:<kind>]`. Idempotent. */
export function redact(text: string): string {
  // One scan for the keys of every rule; most texts of a log hold none, and are done.
  let asked = candidates(text);
  if (asked === NONE) return text;
  let out = text;
  // Triggers that ignore case share the text lower-cased, made anew only when a rule changed the text.
  let lower = asked & ASKS_LOWER ? lowerForTriggers(out) : '';
  for (let i = 0; i < RULES.length; i++) {
    if ((asked & (1 << i)) === 0) continue;
    const rule = RULES[i] as RedactionRule;
    // A trigger the scan worked out holds already: the rule's bit is set only when it does.
    if (rule.trigger && (SCANNED & (1 << i)) === 0 && !rule.trigger(out, lower)) continue;
    const next = applyRule(out, rule);
    if (next !== out) {
      // A placeholder may hold a later rule's key (`[REDACTED:secret-assignment]`): the changed text is scanned anew.
      asked = candidates(next);
      lower = asked & ASKS_LOWER ? lowerForTriggers(next) : '';
    }
    out = next;
  }
  return out;
}

/** A set of rules as bits, by their place in RULES. */
type RuleSet = number;
const NONE: RuleSet = 0;
if (RULES.length > 30) throw new Error('redact.ts: more rules than a RuleSet has bits; make RuleSet an array');
const bit = (rule: RedactionRule): RuleSet => 1 << RULES.indexOf(rule);
/** Rules with neither keys nor a trigger the scan works out: asked of every text. */
const ALWAYS: RuleSet = RULES.filter((rule) => !rule.keys && !rule.scan).reduce((set, rule) => set | bit(rule), NONE);
/** Rules whose triggers read the lower-cased text; the others are not worth lower-casing it for. */
const ASKS_LOWER: RuleSet = RULES.filter((rule) => rule.trigger && rule.trigger.length >= 2).reduce((set, rule) => set | bit(rule), NONE);

/** A key, with the rules it stands for. */
interface Key {
  key: string;
  rules: RuleSet;
}

/** ASCII lower-casing by char code, for char codes below 128. */
const LOWER = Uint8Array.from({ length: 128 }, (_, code) => (code >= 65 && code <= 90 ? code + 32 : code));

/**
 * Keys by their first two characters in lower case (`(a << 7) | b`); whether any key starts with a pair (1), and
 * whether one is the pair alone (2); and, as a bit set, the first three characters of the longer keys. Pairs like
 * `pa`, `co` or `se` start many words and few keys: the third character rules most of them out.
 */
const KEYS_BY_PAIR = new Map<number, Key[]>();
const STARTS_KEY = new Uint8Array(128 * 128);
const STARTS_KEY3 = new Uint32Array((128 * 128 * 128) / 32);
for (const rule of RULES) {
  for (const key of rule.keys ?? []) {
    if (key !== key.toLowerCase() || key.length < 2 || /[^\x20-\x7e]/.test(key)) throw new Error(`redact.ts: key ${JSON.stringify(key)} of ${rule.name} is not two or more printable ASCII characters in lower case`);
    const pair = (key.charCodeAt(0) << 7) | key.charCodeAt(1);
    const list = KEYS_BY_PAIR.get(pair) ?? [];
    const known = list.find((k) => k.key === key);
    if (known) known.rules |= bit(rule);
    else list.push({ key, rules: bit(rule) });
    KEYS_BY_PAIR.set(pair, list);
    STARTS_KEY[pair] = (STARTS_KEY[pair] as number) | (key.length === 2 ? 2 : 1);
    if (key.length > 2) {
      const triple = (pair << 7) | key.charCodeAt(2);
      STARTS_KEY3[triple >>> 5] = (STARTS_KEY3[triple >>> 5] as number) | (1 << (triple & 31));
    }
  }
}

/** Whether a key could start at `at`, whose first two characters in lower case are `pair`: see STARTS_KEY3. */
function mayStartKey(text: string, at: number, pair: number): boolean {
  const starts = STARTS_KEY[pair] as number;
  if (starts === 0) return false;
  if (starts & 2) return true;
  const third = at + 2 < text.length ? text.charCodeAt(at + 2) : 128;
  if (third >= 128) return false;
  const triple = (pair << 7) | (LOWER[third] as number);
  return (((STARTS_KEY3[triple >>> 5] as number) >>> (triple & 31)) & 1) === 1;
}

/** The rule whose trigger the scan works out as `scan`, as a RuleSet (none when no rule has it). */
const scannedBit = (scan: ScannedTrigger): RuleSet => RULES.filter((rule) => rule.scan === scan).reduce((set, rule) => set | bit(rule), NONE);
const LONE_TOKEN = scannedBit('lone-token');
const ASSIGNED_VALUE = scannedBit('assigned-value');
/** Rules whose trigger the scan works out: redact() does not ask them again. */
const SCANNED: RuleSet = LONE_TOKEN | ASSIGNED_VALUE;

/**
 * By ASCII char code, what the scan needs to know of a character in one lookup: 1, a TOKEN character; 2, a VALUE
 * character; 4, a joiner; and its case as CASE_OF says, three bits up (SCANNED_MIXED: all three seen).
 */
const SCAN_CLASS = Uint8Array.from(
  { length: 128 },
  (_, code) => (TOKEN_CHARS[code] as number) | ((VALUE_CHARS[code] as number) << 1) | ((JOINERS[code] as number) << 2) | ((CASE_OF[code] as number) << 3),
);
const SCANNED_MIXED = MIXED << 3;

/**
 * The rules worth asking their trigger about `text`, in one pass over it: those whose key is in it (compared
 * ignoring ASCII case, as a pattern without the `u` flag matches letters), those with neither keys nor a scanned
 * trigger, and those whose scanned trigger holds. No rule's pattern can match in a text that holds none of its keys,
 * so a rule left out would have changed nothing; a scanned trigger is the rule's own trigger, worked out the same
 * way in the same pass (hasLoneToken and hasAssignedValue are the reference, and a property test holds the two equal).
 */
function candidates(text: string): RuleSet {
  return WIDE.test(text) ? scanWide(text) : scanNarrow(text);
}

/**
 * A character beyond Latin-1: V8 keeps a string holding one with two bytes a character, and one holding none with
 * one (the strings JSON.parse makes, and most others). V8 compiles a function's reads of characters for the kinds of
 * string it has been given; given both kinds, as the strings of a log give it (a tick, a dash or an arrow makes a
 * string two-byte), the scan ran at half the speed it runs at on one kind. So it is written twice, word for word, one
 * copy for each kind of string, and a test holds the two copies the same.
 */
const WIDE = /[^\u0000-\u00ff]/;

/** The scan of candidates(), for strings of one byte a character. scanWide is the same, word for word. */
function scanNarrow(text: string): RuleSet {
  const n = text.length;
  let found = ALWAYS;
  // As hasLoneToken: where the run of TOKEN characters that goes on here started, and the cases seen in it.
  let tokenStart = 0;
  let tokenCases = 0;
  let loneToken = false;
  // As hasAssignedValue: VALUE characters since a separator (-1 when none opened the run), their cases, and whether
  // blanks or a quote may still come before the value.
  let run = -1;
  let cases = 0;
  let opening = false;
  let quoted = false;
  let assignedValue = false;
  let next = n > 0 ? text.charCodeAt(0) : 0;
  for (let i = 0; i < n; i++) {
    const code = next;
    next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
    const cls = code < 128 ? (SCAN_CLASS[code] as number) : 0;
    // The cases gather with the class's other bits, which the comparisons with SCANNED_MIXED leave out.
    if (cls & 1) {
      // A TOKEN character, which is a VALUE character too, and neither `=` nor `:`: the common case, kept short.
      tokenCases |= cls;
      if (run >= 0) {
        cases |= cls;
        run++;
        opening = false;
        quoted = false;
      }
    } else {
      if ((tokenCases & SCANNED_MIXED) === SCANNED_MIXED && !loneToken) loneToken = isLoneToken(text, tokenStart, i, (cls & 4) !== 0);
      tokenStart = i + 1;
      tokenCases = 0;
      if (cls & 2) {
        // `+`, `/` or `=`: a VALUE character counts in a run a separator opened; `=` opens one itself.
        if (run >= 0) {
          cases |= cls;
          run++;
          opening = code === 61 /* = */;
          quoted = false;
        } else if (code === 61) {
          run = 0;
          cases = 0;
          opening = true;
          quoted = false;
        }
      } else if (run >= 0) {
        // The run ends here: the value it holds is whole. (Without a run, nothing is opening: only a `:` starts one.)
        if (run >= ASSIGNED_VALUE_LENGTH && (cases & SCANNED_MIXED) === SCANNED_MIXED) assignedValue = true;
        if (code === 58 /* : */) {
          run = 0;
          cases = 0;
          opening = true;
          quoted = false;
        } else if (opening && !quoted && (code === 32 || code === 9 || code === 34 || code === 39)) {
          run = 0;
          cases = 0;
          quoted = code === 34 || code === 39;
        } else {
          run = -1;
          opening = false;
        }
      } else if (code === 58) {
        run = 0;
        cases = 0;
        opening = true;
        quoted = false;
      }
    }
    if (code < 128 && next < 128) {
      const pair = ((LOWER[code] as number) << 7) | (LOWER[next] as number);
      if (mayStartKey(text, i, pair)) {
        for (const { key, rules } of KEYS_BY_PAIR.get(pair) as Key[]) if ((found & rules) !== rules && startsWithIgnoringCase(text, i, key)) found |= rules;
      }
    }
  }
  if ((tokenCases & SCANNED_MIXED) === SCANNED_MIXED && !loneToken) loneToken = isLoneToken(text, tokenStart, n, false);
  if (run >= ASSIGNED_VALUE_LENGTH && (cases & SCANNED_MIXED) === SCANNED_MIXED) assignedValue = true;
  if (loneToken) found |= LONE_TOKEN;
  if (assignedValue) found |= ASSIGNED_VALUE;
  return found;
}

/** The scan of candidates(), for strings of two bytes a character. scanNarrow is the same, word for word. */
function scanWide(text: string): RuleSet {
  const n = text.length;
  let found = ALWAYS;
  // As hasLoneToken: where the run of TOKEN characters that goes on here started, and the cases seen in it.
  let tokenStart = 0;
  let tokenCases = 0;
  let loneToken = false;
  // As hasAssignedValue: VALUE characters since a separator (-1 when none opened the run), their cases, and whether
  // blanks or a quote may still come before the value.
  let run = -1;
  let cases = 0;
  let opening = false;
  let quoted = false;
  let assignedValue = false;
  let next = n > 0 ? text.charCodeAt(0) : 0;
  for (let i = 0; i < n; i++) {
    const code = next;
    next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
    const cls = code < 128 ? (SCAN_CLASS[code] as number) : 0;
    // The cases gather with the class's other bits, which the comparisons with SCANNED_MIXED leave out.
    if (cls & 1) {
      // A TOKEN character, which is a VALUE character too, and neither `=` nor `:`: the common case, kept short.
      tokenCases |= cls;
      if (run >= 0) {
        cases |= cls;
        run++;
        opening = false;
        quoted = false;
      }
    } else {
      if ((tokenCases & SCANNED_MIXED) === SCANNED_MIXED && !loneToken) loneToken = isLoneToken(text, tokenStart, i, (cls & 4) !== 0);
      tokenStart = i + 1;
      tokenCases = 0;
      if (cls & 2) {
        // `+`, `/` or `=`: a VALUE character counts in a run a separator opened; `=` opens one itself.
        if (run >= 0) {
          cases |= cls;
          run++;
          opening = code === 61 /* = */;
          quoted = false;
        } else if (code === 61) {
          run = 0;
          cases = 0;
          opening = true;
          quoted = false;
        }
      } else if (run >= 0) {
        // The run ends here: the value it holds is whole. (Without a run, nothing is opening: only a `:` starts one.)
        if (run >= ASSIGNED_VALUE_LENGTH && (cases & SCANNED_MIXED) === SCANNED_MIXED) assignedValue = true;
        if (code === 58 /* : */) {
          run = 0;
          cases = 0;
          opening = true;
          quoted = false;
        } else if (opening && !quoted && (code === 32 || code === 9 || code === 34 || code === 39)) {
          run = 0;
          cases = 0;
          quoted = code === 34 || code === 39;
        } else {
          run = -1;
          opening = false;
        }
      } else if (code === 58) {
        run = 0;
        cases = 0;
        opening = true;
        quoted = false;
      }
    }
    if (code < 128 && next < 128) {
      const pair = ((LOWER[code] as number) << 7) | (LOWER[next] as number);
      if (mayStartKey(text, i, pair)) {
        for (const { key, rules } of KEYS_BY_PAIR.get(pair) as Key[]) if ((found & rules) !== rules && startsWithIgnoringCase(text, i, key)) found |= rules;
      }
    }
  }
  if ((tokenCases & SCANNED_MIXED) === SCANNED_MIXED && !loneToken) loneToken = isLoneToken(text, tokenStart, n, false);
  if (run >= ASSIGNED_VALUE_LENGTH && (cases & SCANNED_MIXED) === SCANNED_MIXED) assignedValue = true;
  if (loneToken) found |= LONE_TOKEN;
  if (assignedValue) found |= ASSIGNED_VALUE;
  return found;
}

/** Whether the run of TOKEN characters from `start` to `end` is a lone token, as hasLoneToken judges one. */
function isLoneToken(text: string, start: number, end: number, joinerAfter: boolean): boolean {
  const length = end - start;
  return length >= LONE_TOKEN_MIN && length <= LONE_TOKEN_MAX && !joinerAfter && !isJoiner(text.charCodeAt(start - 1));
}

/** The names of the rules the scan of `text` asks (their keys, a trigger it worked out, or neither): for tests. */
export function rulesAsked(text: string): string[] {
  const asked = candidates(text);
  return RULES.filter((_, i) => (asked & (1 << i)) !== 0).map((rule) => rule.name);
}

function lowerAscii(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

/** Whether `text` holds `key` (ASCII, lower case) at `at`, ASCII letters in any case. */
function startsWithIgnoringCase(text: string, at: number, key: string): boolean {
  if (at + key.length > text.length) return false;
  for (let i = 0; i < key.length; i++) if (lowerAscii(text.charCodeAt(at + i)) !== key.charCodeAt(i)) return false;
  return true;
}

/**
 * Redacts every string inside a JSON-like value (tool inputs). A value under a secret-named key
 * (`{"password": "..."}`) is redacted whole, since the key is the context a text rule would need.
 * `thenText` further transforms each string once redacted (e.g. shortens it).
 */
export function redactValue<T>(value: T, thenText: (text: string) => string = (text) => text): T {
  return walk(value, undefined, 0, thenText, redact) as T;
}

const MAX_DEPTH = 64;

type Redactor = (text: string) => string;

/**
 * `thenText` is applied to every string once redacted, so that a caller needs no second walk to shorten them;
 * `text` is the redaction itself (the table alone, or the table and secretlint).
 */
function walk(value: unknown, key: string | undefined, depth: number, thenText: Redactor, text: Redactor): unknown {
  if (typeof value === 'string') return thenText(redactString(value, key, text));
  if (value === null || typeof value !== 'object') return value;
  // Deeper than any real tool input; refusing to descend keeps hostile input from exhausting the stack.
  if (depth >= MAX_DEPTH) return thenText('[too deeply nested]');
  if (Array.isArray(value)) return value.map((item) => walk(item, key, depth + 1, thenText, text));
  // fromEntries defines own properties, so a "__proto__" key from a log stays a plain key.
  // Keys are log text too: a token can be a key (`{"ghp_…": true}`); the value is read under the original key.
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [text(k), walk(v, k, depth + 1, thenText, text)]));
}

function redactString(value: string, key: string | undefined, redactor: Redactor): string {
  if (key !== undefined && isSecretName(key) && isPlausibleSecret(value, true)) return placeholder('secret-assignment');
  const text = redactor(value);
  if (key !== undefined && text === value && /^[A-Za-z0-9+/=_-]{20,512}$/.test(value) && looksRandom(value)) {
    return placeholder('high-entropy');
  }
  return text;
}

function placeholder(kind: string): string {
  return `[REDACTED:${kind}]`;
}

function applyRule(text: string, rule: RedactionRule): string {
  rule.pattern.lastIndex = 0;
  return text.replace(rule.pattern, (...args: unknown[]) => {
    const match = args[0] as string;
    const last = args[args.length - 1];
    const groups = (typeof last === 'object' && last !== null ? last : {}) as Record<string, string | undefined>;
    const offset = args.find((a, i) => i > 0 && typeof a === 'number') as number;
    const secret = groups.secret ?? match;
    if (rule.check && !rule.check({ secret, groups, input: text, end: offset + match.length })) return match;
    const pre = groups.secret === undefined ? '' : (groups.pre ?? '');
    const post = match.slice(pre.length + secret.length);
    return pre + keepQuotes(secret, placeholder(rule.name)) + post;
  });
}

/**
 * Whether the `Password=` ending at `end` sits in a connection string: another of its keys close by. Only the
 * stretch around it is searched, so that a text of many `Pwd=…;` stays linear.
 */
function inAdoString(input: string, end: number): boolean {
  return ADO_KEYS.test(input.slice(Math.max(0, end - 600), end + 300));
}

function unquote(value: string): string {
  const q = value[0];
  return (q === '"' || q === "'") && value.length >= 2 && value.endsWith(q) ? value.slice(1, -1) : value;
}

function keepQuotes(secret: string, replacement: string): string {
  const q = secret[0];
  return (q === '"' || q === "'") && secret.length >= 2 && secret.endsWith(q) ? q + replacement + q : replacement;
}

/**
 * Whether a key name really names a secret. The part after the last secret word decides:
 * `max_tokens`, `token_count`, `secret_name`, `passwordField` name something about a secret, not one.
 */
export function isSecretName(name: string): boolean {
  // Most keys (`command`, `file_path`) hold no secret word at all: say so before collecting matches.
  if (!HAS_SECRET_NAME.test(name)) return false;
  const matches = [...name.matchAll(SECRET_NAME_RE)];
  const lastMatch = matches[matches.length - 1];
  if (!lastMatch) return false;
  const tail = name.slice((lastMatch.index ?? 0) + lastMatch[0].length);
  return !/^(?:s|i[sz]e[rd]?s?|i[sz]ation|less|[_.-]?(?:count|limit|size|len|length|type|kind|url|uri|endpoint|file|path|dir|name|env|var|header|field|prefix|expiry|expires(?:_?at)?|ttl|timeout|duration|ids?|ref|hint|policy|usage|budget|helper))$/i.test(
    tail,
  );
}

function isAssignedSecret({ secret, groups, input, end }: Candidate): boolean {
  const quoted = /^["']/.test(secret);
  if (!isPlausibleSecret(quoted ? secret.slice(1, -1) : secret, quoted)) return false;
  // An unquoted value after a colon is YAML only when nothing follows it on the line; otherwise it is
  // prose ("Error: invalid token: see docs") or a type annotation (`password: string;`).
  return quoted || groups.sep !== ':' || /^[ \t]*(?:#.*)?(?:\r?\n|$)/.test(input.slice(end));
}

const NOT_SECRET_WORDS =
  /^(?:true|false|null|nil|none|undefined|string|number|boolean|bool|str|int|integer|bytes|any|unknown|object|required|optional)$/i;

/** `quoted`: the value was delimited (a string literal, a JSON value), so it cannot be code. */
function isPlausibleSecret(value: string, quoted: boolean): boolean {
  if (value.trim().length < 3 || isPlaceholder(value) || NOT_SECRET_WORDS.test(value)) return false;
  // Version ranges: `"jsonwebtoken": "^9.0.2"` names a package, not a token.
  if (/^[\^~>=<v]*\d+(?:\.\d+)+(?:[-+.\w]*)$/.test(value)) return false;
  if (quoted) return true;
  // Bare identifiers, property paths and numbers are code or settings (`token = newToken`,
  // `password = req.body.password`, `token_duration = 0.5`).
  return !/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value) && !/^[a-z][A-Za-z]*$/.test(value) && !/^-?\d{1,5}(?:\.\d+)?$/.test(value);
}

/** Template slots, masks and markers (`${DB_PASS}`, `{token}`, `<token>`, `[PAD]`, `****`) hold no secret. */
function isPlaceholder(value: string): boolean {
  // And what a template says to fill in: `your-api-key-here`, `changeme`, `<token>`, `user:password@localhost`.
  return /^(?:\$|%|\{|<|\[|\*{3,}|x{4,}|X{4,}|\.{3}|…)/.test(value) || /^(?:your|my)[-_ ].*(?:key|token|secret|password|here)$|^(?:changeme|change-me|replace-me|example|dummy|placeholder|todo|password|passwd|pass|pwd|secret)$/i.test(value);
}

/**
 * The webhook URLs of documentation: `T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX`, `{id}/{token}`, `…/…`. A path
 * whose every segment is one character repeated (after a type letter) or a word such as `token` posts nowhere.
 */
function isWebhookExample(path: string): boolean {
  if (/\.\.\.|…|\{|%7B/i.test(path)) return true;
  const segments = path.split(/[/?&=@]/).filter(Boolean);
  return segments.every((segment) => /^[A-Za-z]?(.)\1*$/.test(segment) || /^(?:id|token|key|secret|webhook|hook|your[\w-]*|example[\w-]*|services|triggers|workflows)$/i.test(segment));
}

/** A secret reported by secretlint that is a template slot or a documentation example once its scheme and host are off. */
function isExampleSecret(secret: string): boolean {
  const path = secret.replace(/^[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/[^/\s]*\/?/, '');
  return isPlaceholder(path) || isWebhookExample(path);
}

/**
 * Digests published next to what they check (`"integrity": "sha512-…"` in a lockfile, `h1:…` in go.sum,
 * `sha256:…`): random-looking by nature, and no secret.
 */
function isPublicDigest(before: string, value: string): boolean {
  return /^(?:sha1|sha256|sha384|sha512)-/i.test(value) || /\b(?:h1|sha256|sha512|integrity)["']?[ \t]*[:=][ \t]*["']?$/i.test(before);
}

/**
 * A token that looks machine-generated: long, mixing lower, upper and digits, with high per-character
 * entropy and few word-like runs. Hashes and ids in hex (commits, sha256, UUIDs) never qualify, nor do
 * camelCase identifiers (`useStickToBottomHook2`), which are made of words.
 */
export function looksRandom(token: string): boolean {
  if (token.length < 20 || /^[0-9a-f-]+$/i.test(token) || NON_SECRET_ID.test(token)) return false;
  if (!/[a-z]/.test(token) || !/[A-Z]/.test(token) || !/[0-9]/.test(token)) return false;
  if (isPathLike(token)) return false;
  return shannonEntropy(token) >= 3.5 && wordiness(token) < 0.5;
}

/**
 * Object ids of model APIs (tool calls, messages, requests; Managed Agents' memory stores, memories and their
 * versions, sessions and their events, dreams, and the ids, not the secrets, of API keys): random-looking but not
 * secret, and useful.
 */
const NON_SECRET_ID = /^(?:toolu|srvtoolu|msg|req|call|resp|chatcmpl|memstore|mem|memver|sesn|sevt|drm|apikey|svac|wrkspc)[_-]/;

/** Share of characters inside runs of three or more lower-case letters: high for words, low for random text. */
function wordiness(token: string): number {
  let inWords = 0;
  for (const run of token.match(/[a-z]{3,}/g) ?? []) inWords += run.length;
  return inWords / token.length;
}

function isPathLike(token: string): boolean {
  const segments = token.split('/').filter(Boolean);
  if (segments.length < 2) return false;
  const wordy = segments.filter((s) => /^[A-Za-z][a-z]+(?:[A-Z_-]?[A-Za-z][a-z]+)*[0-9]*$/.test(s));
  return wordy.length * 2 >= segments.length;
}

export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
