/**
 * What `command: check` leaves on the workflow run, as pure functions of the check's report: an annotation per
 * finding on its file and line (GitHub shows them on the pull request's diff), the step's outputs and the log's
 * headline. The job summary is `reverie check`'s own Markdown (cycle/check.ts).
 */
import { plural } from '../cli/output.js';
import type { CheckReport } from '../cycle/check.js';
import type { Finding } from '../memory/lint.js';
import { brokenHold } from '../memory-tests/compare.js';
import { redactText } from '../sessions/redact.js';
import { printable } from '../util/printable.js';
import { annotation } from './commands.js';

/** GitHub shows at most 10 error and 10 warning annotations per step; the ones after that would be dropped unseen. */
export const MAX_ANNOTATIONS_PER_LEVEL = 10;

/**
 * Each finding as an error or warning annotation, errors first. A finding whose file lies outside the workspace
 * (a memory repo checked out elsewhere) names its file and line in the message instead. Past the limit a notice
 * says how many more the job summary lists.
 */
export function checkAnnotations(report: CheckReport, fileInWorkspace: (file: string) => string | undefined): string[] {
  const lines: string[] = [];
  let hidden = 0;
  for (const severity of ['error', 'warning'] as const) {
    const findings = report.lint.findings.filter((f) => f.severity === severity);
    lines.push(...findings.slice(0, MAX_ANNOTATIONS_PER_LEVEL).map((f) => findingAnnotation(f, fileInWorkspace(f.file))));
    hidden += Math.max(0, findings.length - MAX_ANNOTATIONS_PER_LEVEL);
  }
  if (hidden > 0) lines.push(annotation('notice', `${hidden} more findings: the job summary lists them`, { title: 'reverie: more findings' }));
  return [...lines, ...holdAnnotations(report, fileInWorkspace)];
}

/**
 * What fails the check besides lint, one error each: a case the change breaks, on its line of the test file (the
 * line is in the pull request's diff when the change edits that file), a target it takes over a limit.
 */
function holdAnnotations(report: CheckReport, fileInWorkspace: (file: string) => string | undefined): string[] {
  const check = report.memoryTests;
  if (!check) return [];
  const broken = check.cases.filter((c) => c.change === 'broken');
  const byCase = broken.map((c) => {
    const file = fileInWorkspace(c.file);
    const why = [...c.after.missing.map((t) => `"${t}" is in none of the entries retrieved`), ...c.after.forbidden.map((f) => `"${f.term}" is given by ${f.path}:${f.line}`)].join('; ');
    const message = `${file ? '' : `${c.file}:${c.line}: `}memory test "${c.name}" passes on the base and fails with this change${why ? `: ${why}` : ''}`;
    return annotation('error', printable(redactText(message)), { title: 'reverie: memory test broken', ...(file ? { file, line: c.line } : {}) });
  });
  const brokenHolds = new Set(broken.map(brokenHold));
  const limits = check.holds.filter((h) => !brokenHolds.has(h)).map((h) => annotation('error', printable(redactText(h.replace(/^it /, 'the change '))), { title: 'reverie: context cost over a limit' }));
  return [...byCase, ...limits];
}

function findingAnnotation(finding: Finding, file: string | undefined): string {
  const where = file ? '' : `${finding.file}${finding.line ? `:${finding.line}` : ''}: `;
  // A message may quote a memory line (a dangling label, a heading); what looks like a secret there is masked.
  const message = printable(redactText(`${where}${finding.message}`));
  return annotation(finding.severity, message, { title: `reverie: ${finding.rule}`, ...(file ? { file } : {}), ...(file && finding.line ? { line: finding.line } : {}) });
}

/** The step's outputs: how many errors and warnings the lint found. */
export function checkOutputs(report: CheckReport): Record<string, string> {
  return { errors: String(report.lint.errors), warnings: String(report.lint.warnings) };
}

/** One line for the log: the counts, what the memory was compared with, and what fails the check. */
export function checkHeadline(report: CheckReport): string {
  const { errors, warnings, files } = report.lint;
  const holds = report.memoryTests?.holds.length ?? 0;
  const counts = `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(files, 'memory file')}`;
  const tests = report.memoryTests ? `; memory tests: ${report.memoryTests.fixed} fixed, ${report.memoryTests.broken} broken` : '';
  const failing = [...(errors > 0 ? ['a lint error fails the check'] : []), ...(holds > 0 ? [`${plural(holds, 'memory check')} failed, which fails the check: the change needs a person`] : [])];
  return [`check: ${counts}, compared with ${report.base.slice(0, 7)}${tests}`, ...failing].join('; ');
}
