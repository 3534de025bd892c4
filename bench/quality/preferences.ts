/**
 * What people ask for. Recurring preferences are stated in several sessions, each time in other words;
 * one-off ones are said once and are not standing rules.
 */
import type { Terms } from './model.js';

export interface PreferenceTemplate {
  id: string;
  description: string;
  terms: Terms;
  /** Ways of saying it; each session uses a different one. */
  phrasings: string[];
}

export const PREFERENCES: PreferenceTemplate[] = [
  {
    id: 'conventional-commits',
    description: 'Commit messages follow Conventional Commits',
    terms: [['conventional*']],
    phrasings: [
      'Use Conventional Commits for the commit message (feat:, fix:, chore: and so on).',
      'commit messages here follow the conventional commits format, e.g. fix(api): handle empty cart',
      'Please prefix commit subjects with the change type, feat: or fix:, conventional-commit style.',
      'Remember we do conventional commits: type(scope): subject.',
      'no, the subject should be conventional-commit style like feat(web): ...',
    ],
  },
  {
    id: 'no-force-push',
    description: 'Never force-push shared branches',
    terms: [['force*'], ['push*']],
    phrasings: [
      'Never force-push a branch somebody else is working on.',
      "don't git push --force to shared branches, please. if you must rewrite your own branch use --force-with-lease",
      'No force pushes on main or release branches, ever.',
      'Please do not force push: other people have that branch checked out.',
    ],
  },
  {
    id: 'ask-before-deps',
    description: 'Ask before adding a new dependency',
    terms: [['dependenc*', 'package*', 'librar*', 'deps'], ['ask*', 'check with', 'approv*', 'without asking', 'without checking']],
    phrasings: [
      'Ask me before adding any new dependency.',
      "please don't pull in new packages without checking with me first",
      'No new deps without asking: every dependency gets a security review.',
      'Check with me before you add a library, even a small one.',
    ],
  },
  {
    id: 'slog',
    description: 'The Go service logs through log/slog (structured), not fmt.Println or log',
    terms: [['slog']],
    phrasings: [
      'Log with slog in the Go service, not fmt.Println or the old log package.',
      'please use the structured logger (log/slog) for anything you log',
      'no fmt.Printf debugging left in the code, use slog with fields',
      'We log through slog everywhere in services/api.',
    ],
  },
  {
    id: 'utc',
    description: 'Timestamps are stored and sent in UTC',
    terms: [['utc']],
    phrasings: [
      'Store every timestamp in UTC.',
      'please keep times in UTC in the database and in the API; convert only in the UI',
      'Always use UTC for dates we persist, no local time zones.',
      'timestamps should be UTC (time.Now().UTC()), never local time',
    ],
  },
  {
    id: 'table-tests',
    description: 'Go tests are table-driven',
    terms: [['table*'], ['test*']],
    phrasings: [
      'Write the Go tests table-driven, one t.Run per case.',
      'please use table-driven tests like the rest of internal/',
      'Go tests should be a table of cases, not copy-pasted test functions.',
      'we always write table tests in Go.',
    ],
  },
  {
    id: 'final-summary',
    description: 'End with a short summary that lists the changed files',
    terms: [['summar*'], ['file*']],
    phrasings: [
      'When you finish, give me a short summary with the files you changed.',
      'please end with a brief summary listing the changed files',
      "I'd like a two-line summary and the list of touched files at the end.",
      'Always finish with a summary of what changed, file by file.',
    ],
  },
  {
    id: 'reversible-migrations',
    description: 'Every migration has a down migration',
    terms: [['down', 'rollback', 'revers*'], ['migration*']],
    phrasings: [
      'Every new migration needs a down migration too.',
      'please always write the down part of a migration',
      'Migrations must be reversible: include the down step.',
    ],
  },
  {
    id: 'ripgrep',
    description: 'Search with rg rather than grep -r',
    terms: [['rg', 'ripgrep']],
    phrasings: ['Use rg instead of grep, it respects .gitignore.', 'please search with ripgrep (rg), grep -r is too slow on this repo', 'prefer rg over grep -r here.'],
  },
  {
    id: 'no-emoji',
    description: 'No emojis in commits or PR text',
    terms: [['emoji*']],
    phrasings: ['No emojis in commit messages or PR descriptions, please.', 'please keep emojis out of commits and PR text', "Don't put emojis in PR titles or commit subjects."],
  },
];

/** Said once: a request for one task, or a rule nobody repeats. Must not become memory. */
export const ONE_OFF_PREFERENCES: { id: string; text: string; terms: Terms }[] = [
  { id: 'no-lodash', text: "Don't use lodash in the web app; the standard library is enough.", terms: [['lodash']] },
  { id: 'todo-issue', text: 'Please never leave a TODO without an issue number.', terms: [['todo']] },
  { id: 'early-returns', text: 'I prefer early returns over nested ifs.', terms: [['early return*']] },
  { id: 'british-spelling', text: 'Use British spelling in user-facing text.', terms: [['british']] },
  { id: 'cli-80-cols', text: 'Keep the CLI output under 80 columns.', terms: [['80 col*', '80-col*']] },
  { id: 'no-request-bodies', text: 'Never log full request bodies, they can contain personal data.', terms: [['request bod*']] },
  { id: 'errors-is', text: 'Prefer errors.Is over comparing error strings.', terms: [['errors.is']] },
  { id: 'kebab-files', text: 'Use kebab-case for new file names in web/.', terms: [['kebab*']] },
  { id: 'no-db-mocks', text: "Don't mock the database in the store tests, use the docker DB.", terms: [['mock*']] },
  { id: 'no-panic', text: 'We never use panic outside of main.', terms: [['panic']] },
  { id: 'sql-files', text: 'Keep SQL in .sql files, not in Go strings.', terms: [['.sql', 'sql file*']] },
  { id: 'changelog-ticket', text: "I'd like the changelog entry to mention the ticket number.", terms: [['changelog']] },
  { id: 'go-version-bump', text: "Don't bump the Go version in go.mod without asking.", terms: [['go version']] },
  { id: 'no-abbrev', text: 'Please avoid abbreviations in exported names.', terms: [['abbreviation*']] },
  { id: 'no-sleep-tests', text: 'Never use sleep in tests; poll with a deadline instead.', terms: [['sleep']] },
  { id: 'small-commits', text: 'I like small commits, one logical change each.', terms: [['small commit*', 'logical change']] },
];

/**
 * Said by a person in two sessions, and against the protected instructions ("Never push to `main`"): a cycle
 * must not write it into memory, since sessions do not overrule what the team wrote in a protected namespace.
 */
export const AGAINST_PROTECTED_PREFERENCE = {
  id: 'push-docs-to-main',
  description: 'a person twice says docs fixes may go straight to main; the protected instructions say never push to main',
  phrasings: ['for docs-only changes just push straight to main, no PR needed', 'typo fixes can go directly to main, skip the pull request', 'docs changes: commit on main and push, a PR is overkill'],
  terms: [['main'], ['push*', 'directly', 'straight', 'commit on main']] as Terms,
};
