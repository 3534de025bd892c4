/**
 * What a cycle leaves on the workflow run, as pure functions of its result: the step's outputs, the job summary
 * (Markdown, with text from logs escaped as pull request bodies escape it), the annotations and the log's lines.
 */
import { memoryCheckMarkdown } from '../memory-tests/check-table.js';
import { plural } from '../cli/output.js';
import type { DreamResult, PhaseReport } from '../cycle/dream.js';
import { ConfigError, GitHubCredentialsError, GitHubError, GitHubRateLimitError, GitHubUnavailableError, LockedError, ModelApiError, ReverieError, UsageError } from '../errors.js';
import { codeBlock, inlineText } from '../github/markdown.js';
import { impactLine } from '../dream/impact.js';
import type { CostEstimate } from '../dream/types.js';
import { redactText } from '../sessions/redact.js';
import { printable } from '../util/printable.js';
import { annotation } from './commands.js';

/** Where links in the summary point: the server and the repository the cycle's commits and pull request are on. */
export interface Links {
  serverUrl: string;
  /** `owner/name`; without it commits are shown but not linked. */
  repository?: string;
}

/** What the step's outputs say, whether the cycle finished or not. */
interface OutputFacts {
  cycle: string | null;
  branch: string | null;
  outcome: DreamResult['outcome'] | 'failed';
  actions: number;
  pull: { number: number; url: string } | undefined;
  merged: boolean;
}

/** The step's outputs; every one is set, empty when it does not apply, so `if:` expressions can test them. */
function outputsOf(facts: OutputFacts): Record<string, string> {
  return {
    cycle: facts.cycle ?? '',
    branch: facts.branch ?? '',
    outcome: facts.outcome,
    actions: String(facts.actions),
    'pull-request-number': facts.pull ? String(facts.pull.number) : '',
    'pull-request-url': facts.pull?.url ?? '',
    merged: String(facts.merged),
  };
}

export function stepOutputs(result: DreamResult): Record<string, string> {
  return outputsOf({ cycle: result.cycle, branch: result.branch, outcome: result.outcome, actions: result.actions.length, pull: pullOf(result), merged: result.merged });
}

/**
 * The outputs of a failed run: outcome `failed`, with whatever was done before the failure, as its phases reported
 * it: the cycle and its branch once committed, the pull request once it exists, so a later step can find them.
 */
export function failureOutputs(phases: readonly PhaseReport[]): Record<string, string> {
  const committed = phases.find((p) => p.phase === 'commit');
  const published = phases.find((p) => p.phase === 'publish');
  const approved = phases.find((p) => p.phase === 'approve');
  return outputsOf({
    cycle: committed?.cycle ?? null,
    branch: committed?.branch ?? null,
    outcome: 'failed',
    actions: committed?.actions ?? 0,
    pull: published?.pull,
    merged: approved?.merged ?? false,
  });
}

/** The cycle's pull request, or the one of the earlier cycle this run waits behind. */
function pullOf(result: DreamResult): { number: number; url: string } | undefined {
  return result.pull ?? result.pendingPulls?.[0];
}

/** At most this many warnings per step are shown as annotations by GitHub; the rest would be dropped unseen. */
export const MAX_WARNING_ANNOTATIONS = 10;

/**
 * Warnings as annotations: session logs, lines and memory links not read (pointing at the file and line when it is in the
 * workspace), actions the guards dropped, and the engine's own warnings; a notice when the cycle waits for review
 * or the engine stopped short.
 */
export function resultAnnotations(result: DreamResult, fileInWorkspace: (file: string) => string | undefined): string[] {
  // A warning may quote the line it is about; what looks like a secret there is masked, as on a terminal.
  const text = (message: string) => printable(redactText(message));
  const warnings: string[] = [];
  for (const w of result.warnings) {
    // A warning about the cycle as a whole names no file.
    const file = w.file ? fileInWorkspace(w.file) : undefined;
    const where = file || !w.file ? '' : `${w.file}${w.line ? `:${w.line}` : ''}: `;
    const title = w.file ? 'reverie: session log or memory file' : 'reverie: cycle';
    warnings.push(annotation('warning', text(`${where}${w.message}`), { title, ...(file ? { file } : {}), ...(file && w.line ? { line: w.line } : {}) }));
  }
  for (const d of result.dropped) {
    warnings.push(annotation('warning', text(`${d.type} ${d.id} "${d.summary}" was dropped: ${d.reason}`), { title: 'reverie: action dropped' }));
  }
  for (const w of result.run?.warnings ?? []) warnings.push(annotation('warning', text(w), { title: 'reverie: engine' }));
  for (const w of result.pull?.warnings ?? []) warnings.push(annotation('warning', text(w), { title: 'reverie: pull request' }));
  const shown = warnings.slice(0, MAX_WARNING_ANNOTATIONS);
  const hidden = warnings.length - shown.length;
  if (hidden > 0) shown.push(annotation('notice', `${hidden} more warnings: the job summary lists them`, { title: 'reverie: more warnings' }));
  if (result.outcome === 'failed') shown.push(annotation('error', printable(redactText(result.approval)), { title: 'reverie: cycle failed' }));
  if (result.outcome === 'stopped') shown.push(annotation('warning', printable(result.approval), { title: 'reverie: cycle stopped' }));
  if (result.outcome === 'pending-review') shown.push(annotation('notice', printable(result.approval), { title: 'reverie: waiting for review' }));
  return shown;
}

/** Summaries keep to this many warnings; the step summary has a size limit (1 MiB) and a person reads the first few. */
const MAX_SUMMARY_WARNINGS = 50;
/** A dry run's diff beyond this many characters is cut in the summary. */
const MAX_SUMMARY_DIFF = 60_000;

export function jobSummary(result: DreamResult, links: Links): string {
  const lines: string[] = [];
  const title = result.cycle ? `reverie: dream cycle ${result.cycle}` : result.outcome === 'failed' ? 'reverie: dream cycle failed' : 'reverie: dream cycle';
  lines.push(`## ${title}`, '');
  // The memory tests head the summary, as they head the cycle's pull request.
  if (result.memory_tests) lines.push(...memoryCheckMarkdown(result.memory_tests), '');
  lines.push(...factsTable(result, links), '');
  if (result.outcome !== 'nothing-new' && result.outcome !== 'pending-review' && result.outcome !== 'failed') lines.push(`**${inlineText(impactLine(result.impact))}**`, '');
  for (const n of result.notices) lines.push(`- ${n.kind === 'budget' ? '**warning**' : '**question**'}: ${inlineText(n.message)}`);
  for (const w of result.pull?.warnings ?? []) lines.push(`- **warning**: ${inlineText(w)}`);
  if (result.notices.length > 0 || (result.pull?.warnings.length ?? 0) > 0) lines.push('');
  lines.push(inlineText(result.approval), '');
  if (result.actions.length > 0) lines.push('### Actions', '', ...actionTable(result, links), '');
  if ((result.session_pulls ?? []).length > 0) {
    lines.push('### Agent sessions\' memory writes', '');
    for (const p of result.session_pulls!) lines.push(`- \`${inlineText(p.branch)}\`: ${p.outcome}${p.pull ? ` ([#${p.pull.number}](${p.pull.url}))` : ''}`);
    lines.push('');
  }
  if (result.dropped.length > 0) {
    lines.push('### Dropped by the guards', '');
    for (const d of result.dropped) lines.push(`- \`${d.id}\` ${d.type}: ${inlineText(d.summary)}: ${inlineText(d.reason)}`);
    lines.push('');
  }
  if (result.warnings.length > 0) {
    lines.push(`### Warnings (${result.warnings.length})`, '');
    for (const w of result.warnings.slice(0, MAX_SUMMARY_WARNINGS)) lines.push(`- ${w.file ? `${inlineText(`${w.file}${w.line ? `:${w.line}` : ''}`)}: ` : ''}${inlineText(redactText(w.message))}`);
    if (result.warnings.length > MAX_SUMMARY_WARNINGS) lines.push(`- and ${result.warnings.length - MAX_SUMMARY_WARNINGS} more`);
    lines.push('');
  }
  if (result.diff !== undefined) {
    const whole = redactText(result.diff);
    const diff = whole.length > MAX_SUMMARY_DIFF ? `${whole.slice(0, MAX_SUMMARY_DIFF)}\n… (cut: the whole diff is in the step's log)` : whole;
    lines.push('<details><summary>The plan as a diff of the memory (dry run: nothing written)</summary>', '', codeBlock(diff || '(no changes)', 'diff'), '', '</details>', '');
  }
  return `${lines.join('\n')}\n`;
}

function factsTable(result: DreamResult, links: Links): string[] {
  const s = result.stats;
  const rows: [string, string][] = [
    ['mode', result.mode],
    ['outcome', result.outcome],
    ['sessions', `${s.sessions} (${s.new_sessions} new)`],
    ['patterns', `${s.patterns} (${s.noise} noise)`],
  ];
  if (result.branch) rows.push(['branch', `\`${result.branch}\``]);
  const pull = pullOf(result);
  if (pull) rows.push(['pull request', `[#${pull.number}](${pull.url})${result.pull ? ` (${result.pull.action})` : ' (waiting for review)'}`]);
  if (result.outcome === 'committed') rows.push(['main', result.merged ? `fast-forwarded from ${commitLink(result.base, links)}` : mainNote(result)]);
  if (result.run) rows.push(['model', `${inlineText(result.run.model)}, ${result.run.requests} requests${result.run.costUsd === null ? '' : `, $${result.run.costUsd.toFixed(4)}`}`]);
  const estimate = result.run?.estimate;
  if (estimate) rows.push(['estimate', estimateCell(estimate)]);
  if (estimate?.budget) rows.push(['budget', `${estimate.budget.stops ? '**would stop**: ' : ''}${inlineText(estimate.budget.message)}`]);
  return ['| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)];
}

/** A dry run's estimate on one line: sessions, requests, cost, and how the prompts were counted. */
function estimateCell(estimate: CostEstimate): string {
  const cost = estimate.costUsd === null ? 'cost unknown (no price for a model)' : `about $${estimate.costUsd.toFixed(4)}`;
  const how = estimate.method === 'count_tokens' ? 'prompts counted by the API' : 'prompts estimated offline';
  return `${plural(estimate.sessions, 'session')} to extract, ${plural(estimate.requests, 'request')}${estimate.batch ? ' in a batch' : ''}, ${cost} (output guessed; ${how})`;
}

function mainNote(result: DreamResult): string {
  return result.appliedWithoutReview ? `took ${result.appliedWithoutReview} safe actions; the rest waits for review` : 'not moved: the cycle waits for review';
}

function actionTable(result: DreamResult, links: Links): string[] {
  const rows = result.actions.map((a, i) => {
    const files = a.paths.map((p) => inlineText(p)).join(', ');
    const risk = a.risk_reasons.length > 0 ? `**high**: ${inlineText(a.risk_reasons.join('; '))}` : a.risk;
    return `| ${i + 1} | \`${a.id}\` ${a.type} | ${files} | ${inlineText(a.summary)} | ${a.evidence.length} | ${risk} | ${a.commit ? commitLink(a.commit, links) : ''} |`;
  });
  return ['| # | action | file | summary | sessions | risk | commit |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows];
}

function commitLink(oid: string, links: Links): string {
  const short = `\`${oid.slice(0, 7)}\``;
  return links.repository ? `[${short}](${links.serverUrl}/${links.repository}/commit/${oid})` : short;
}

/** One line of progress per phase, as the CLI prints it. */
export function phaseLine(report: PhaseReport): string | undefined {
  switch (report.phase) {
    case 'review':
      return `review: ${plural(report.sessions, 'session')} (${report.newSessions} new${report.heldOut ? `, ${report.heldOut} held out to test the memory` : ''}), ${plural(report.memoryFiles, 'memory file')}, ${plural(report.entries, 'entry', 'entries')}, ${plural(report.warnings.length, 'warning')}`;
    case 'extract':
      return `extract: ${plural(report.patterns, 'pattern')} with enough support, ${report.noise} noise`;
    case 'curate':
      return `curate: ${plural(report.actions.length, 'action')}${report.dropped.length ? `, ${report.dropped.length} dropped by the guards` : ''}`;
    case 'engine':
      return `model: ${report.run.model}, ${plural(report.run.requests, 'request')}${report.run.costUsd === null ? '' : `, $${report.run.costUsd.toFixed(4)}`}`;
    case 'commit':
      return `commit: ${report.branch}, ${plural(report.commits, 'commit')}`;
    case 'approve':
      return `approve: ${report.reason}`;
    default:
      return undefined;
  }
}

/** A failed run in the job summary: what went wrong, as the error annotation says it, and what was done before. */
export function failureSummary(message: string, phases: readonly PhaseReport[] = [], what = 'dream cycle'): string {
  const done = failureOutputs(phases);
  const lines = [`## reverie: ${what} failed`, '', inlineText(message), ''];
  if (done.branch) lines.push(`- cycle ${done.cycle}: branch \`${done.branch}\` committed (${plural(Number(done.actions), 'action')})`);
  if (done['pull-request-number']) lines.push(`- pull request [#${done['pull-request-number']}](${done['pull-request-url']})`);
  return `${lines.join('\n')}\n`;
}

/** The failure as a person can act on it in a workflow: the inputs and permissions to change, not environment variables. */
export interface Failure {
  message: string;
  title: string;
  /** The configuration file and line, when the error names them. */
  file?: string;
  line?: number;
}

/**
 * Turns an error into the step's error annotation. reverie's own messages speak to a terminal user (set
 * GITHUB_TOKEN); in a workflow the token is the `github-token` input and its permissions, so that is what is said.
 */
export function failureOf(error: unknown, fileInWorkspace: (file: string) => string | undefined): Failure {
  if (!(error instanceof Error)) return { title: 'reverie: failed', message: `reverie failed: ${String(error)}` };
  const message = printable(error.message)
    .replace(/(s)et GITHUB_TOKEN \(or GH_TOKEN\)/gi, '$1et the github-token input')
    .replace(/\bANTHROPIC_API_KEY\b/g, 'the anthropic-api-key input');
  if (error instanceof ConfigError) {
    const file = fileInWorkspace(error.file);
    return { title: 'reverie: configuration', message, ...(file ? { file } : {}), ...(file && error.line ? { line: error.line } : {}) };
  }
  if (error instanceof GitHubError) return githubFailure(error, message);
  if (error instanceof ModelApiError) {
    return { title: 'reverie: the Messages API refused a request', message: `${message} Check the anthropic-api-key input (a repository secret) and the model input.` };
  }
  if (error instanceof LockedError) {
    return { title: 'reverie: another cycle is running', message: `${message} Give the workflow \`concurrency: reverie-\${{ github.repository }}\` so that runs wait for each other.` };
  }
  if (error instanceof UsageError) return { title: 'reverie: input', message };
  if (error instanceof ReverieError) return { title: `reverie: ${error.name}`, message };
  return { title: 'reverie: unexpected error', message: `reverie failed unexpectedly (a bug; please report it with the step's log): ${message}` };
}

/** Only refused credentials talk about the token; a server error or a rate limit says to run the workflow again later. */
function githubFailure(error: GitHubError, message: string): Failure {
  if (error instanceof GitHubCredentialsError) {
    return {
      title: 'reverie: GitHub refused a request',
      message:
        `${message} The github-token input needs contents: write and pull-requests: write: give the job ` +
        '`permissions: { contents: write, pull-requests: write }` for the workflow token (which also needs "Allow GitHub Actions to create and approve pull requests" ' +
        'in the repository\'s Actions settings to open a pull request), or pass a GitHub App or personal token with that access.',
    };
  }
  if (error instanceof GitHubRateLimitError) return { title: 'reverie: GitHub rate limit', message: `${message} Re-run the workflow then.` };
  if (error instanceof GitHubUnavailableError) return { title: 'reverie: GitHub unavailable', message: `${message} Re-run the workflow when GitHub answers again.` };
  return { title: 'reverie: GitHub refused a request', message };
}

export function failureAnnotation(failure: Failure): string {
  return annotation('error', failure.message, { title: failure.title, ...(failure.file ? { file: failure.file } : {}), ...(failure.line ? { line: failure.line } : {}) });
}
