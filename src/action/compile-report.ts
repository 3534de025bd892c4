/**
 * What `command: compile` leaves on the workflow run, as pure functions of the compile's report and what went to
 * GitHub: an annotation per problem (on the compiled file's line when it is in the workspace), the step's outputs,
 * the log's headline and the job summary.
 */
import path from 'node:path';
import { plural } from '../cli/output.js';
import type { CompilePublication } from '../compile/publish.js';
import type { AgentReport, CompileReport } from '../compile/run.js';
import { inlineText } from '../github/markdown.js';
import { redactText } from '../sessions/redact.js';
import { printable } from '../util/printable.js';
import { annotation } from './commands.js';
import { MAX_ANNOTATIONS_PER_LEVEL } from './check-report.js';

/** The run as a whole: written, nothing to do, not up to date (under check), or an agent that could not be compiled. */
export type CompileOutcome = 'compiled' | 'up-to-date' | 'stale' | 'failed';

export function compileOutcome(report: CompileReport): CompileOutcome {
  if (report.failed) return 'failed';
  if (report.check) return report.stale ? 'stale' : 'up-to-date';
  const wrote = report.agents.some((a) => a.commit !== null || a.files.some((f) => f.action === 'write' || f.action === 'delete') || a.hand_edits.some((h) => h.branch !== null));
  return wrote || report.record_commit !== null ? 'compiled' : 'up-to-date';
}

/** The step fails as `reverie compile` exits 1: an agent over a limit, an untraceable edit, or under check anything stale. */
export function compileFails(report: CompileReport): boolean {
  return report.failed || (report.check && report.stale);
}

/**
 * Errors first (what fails the step), then warnings, then notices (a hand edit proposed), at most
 * MAX_ANNOTATIONS_PER_LEVEL each. `fileOf` gives a compiled file's path in the workspace (relative to the memory
 * repository as the report names it), undefined when it lies outside.
 */
export function compileAnnotations(report: CompileReport, fileOf: (file: string) => string | undefined): string[] {
  const text = (message: string) => printable(redactText(message));
  const errors: string[] = [];
  const warnings: string[] = [];
  const notices: string[] = [];
  for (const agent of report.agents) {
    const display = (file: string) => (agent.into === '.' ? file : path.posix.join(agent.into.replace(/\\/g, '/'), file));
    if (agent.error) errors.push(annotation('error', text(`agent ${agent.agent}: ${agent.error}`), { title: 'reverie: compile' }));
    for (const over of agent.over) {
      const where = over.file ? `${display(over.file)}: ` : '';
      errors.push(annotation('error', text(`agent ${agent.agent}: ${where}${over.size} ${over.limit} of at most ${over.max}, over by ${over.over_by} (${over.source}); nothing of ${agent.agent} was written`), { title: 'reverie: over a limit' }));
    }
    for (const problem of agent.untraceable) {
      const file = fileOf(problem.file);
      const where = file ? '' : `${problem.file}:${problem.line}: `;
      errors.push(annotation('error', text(`${where}${problem.message}; the file is left as it is`), { title: 'reverie: hand edit that cannot be traced', ...(file ? { file, line: problem.line } : {}) }));
    }
    if (report.check) errors.push(...staleFiles(agent, display).map((f) => annotation('error', text(`${f} is not up to date with the memory: run reverie compile`), { title: 'reverie: compiled file stale', ...(fileOf(f) ? { file: fileOf(f)! } : {}) })));
    for (const warning of agent.warnings) warnings.push(annotation('warning', text(`agent ${agent.agent}: ${warning}`), { title: 'reverie: compile' }));
    for (const edit of agent.hand_edits) {
      const where = edit.waiting ? `waits for review on ${edit.waiting}` : edit.branch ? `proposed to the memory on ${edit.branch}` : 'would be proposed to the memory';
      notices.push(annotation('notice', text(`${edit.file} was edited by hand: the edit of ${edit.sources.join(', ')} ${where}`), { title: 'reverie: hand edit', ...(fileOf(edit.file) ? { file: fileOf(edit.file)! } : {}) }));
    }
  }
  const capped = (lines: string[], level: string) => [...lines.slice(0, MAX_ANNOTATIONS_PER_LEVEL), ...(lines.length > MAX_ANNOTATIONS_PER_LEVEL ? [annotation('notice', `${lines.length - MAX_ANNOTATIONS_PER_LEVEL} more ${level}: the job summary lists them`, { title: 'reverie: more' })] : [])];
  return [...capped(errors, 'errors'), ...capped(warnings, 'warnings'), ...capped(notices, 'notices')];
}

function staleFiles(agent: AgentReport, display: (file: string) => string): string[] {
  return agent.files.filter((f) => f.action === 'write' || f.action === 'delete').map((f) => display(f.path));
}

/** The step's outputs, every one set (empty when it does not apply): the first pull request is the one a later step wants. */
export function compileOutputs(report: CompileReport, github: readonly CompilePublication[]): Record<string, string> {
  const pull = github.find((p) => p.pull !== null)?.pull;
  return {
    outcome: compileOutcome(report),
    // After a run that writes, the files are up to date where they go: stale is a check's finding.
    stale: String(report.check && report.stale),
    'pull-request-number': pull ? String(pull.number) : '',
    'pull-request-url': pull?.url ?? '',
  };
}

/** One line for the log. */
export function compileHeadline(report: CompileReport, github: readonly CompilePublication[]): string {
  const files = report.agents.flatMap((a) => a.files);
  const count = (action: string) => files.filter((f) => f.action === action).length;
  const verb = report.check ? 'would write' : 'written';
  const pulls = github.filter((p) => p.pull).map((p) => `${p.repository} #${p.pull!.number} ${p.pull!.action}`);
  return [
    `compile: ${plural(report.agents.length, 'agent')} from memory ${report.memory_commit.slice(0, 7)} (${report.check ? 'check' : report.mode}): ${count('write')} ${verb}, ${count('unchanged')} unchanged, ${count('kept')} kept`,
    ...(pulls.length > 0 ? [`pull requests: ${pulls.join(', ')}`] : []),
    ...(report.failed ? ['an agent could not be compiled as it is, which fails the step'] : report.check && report.stale ? ['the compiled files are not up to date with the memory, which fails the check'] : []),
  ].join('; ');
}

/** The job summary: a row per agent, its files, its problems, and what went to GitHub. */
export function compileSummary(report: CompileReport, github: readonly CompilePublication[]): string {
  const lines = [`## reverie compile${report.check ? ' (check)' : ''}`, ''];
  lines.push(`Memory at \`${report.memory_commit.slice(0, 12)}\`, ${report.check ? 'checked: nothing written' : `${report.mode} mode`}: **${compileOutcome(report)}**.`, '');
  if (report.agents.length === 0) lines.push('No agent has `compile:` in reverie.yaml.', '');
  else {
    lines.push('| agent | format | into | files | size |', '| --- | --- | --- | --- | --- |');
    for (const a of report.agents) {
      const files = a.files.map((f) => `${report.check && f.action === 'write' ? 'would write' : report.check && f.action === 'delete' ? 'would delete' : f.action} ${inlineText(f.path)}`).join('<br>');
      const where = a.destination.branch ? `${inlineText(a.into)} (\`${inlineText(a.destination.branch)}\`)` : inlineText(a.into);
      lines.push(`| ${inlineText(a.agent)} | ${a.format} | ${where} | ${files || '—'} | ${a.size.lines} lines, ${a.size.bytes} bytes, ~${a.size.tokens} tokens |`);
    }
    lines.push('');
  }
  const problems = report.agents.flatMap((a) => [
    ...(a.error ? [`**error** ${inlineText(a.agent)}: ${inlineText(redactText(a.error))}`] : []),
    ...a.over.map((o) => `**over a limit** ${inlineText(a.agent)}${o.file ? ` ${inlineText(o.file)}` : ''}: ${o.size} ${o.limit} of at most ${o.max}, over by ${o.over_by} (${inlineText(o.source)})`),
    ...a.untraceable.map((u) => `**cannot be traced** ${inlineText(`${u.file}:${u.line}`)}: ${inlineText(redactText(u.message))}`),
    ...a.hand_edits.map((h) => `**hand edit** ${inlineText(h.file)} → ${inlineText(h.sources.join(', '))}: ${h.waiting ? `waits on \`${inlineText(h.waiting)}\`` : h.branch ? `proposed on \`${inlineText(h.branch)}\`` : 'would be proposed'}`),
    ...a.warnings.map((w) => `**warning** ${inlineText(a.agent)}: ${inlineText(w)}`),
  ]);
  if (problems.length > 0) lines.push(...problems.map((p) => `- ${p}`), '');
  if (github.length > 0) {
    lines.push('### On GitHub', '');
    for (const p of github) {
      const pull = p.pull ? `; pull request [#${p.pull.number}](${p.pull.url}) ${p.pull.action}` : '';
      lines.push(`- ${inlineText(p.repository ?? p.into)}: \`${inlineText(p.branch)}\` ${p.push.replace(/-/g, ' ')}${pull}${p.note ? ` (${inlineText(p.note)})` : ''}`);
    }
    lines.push('');
  }
  if (report.record_commit) lines.push(`Recorded in \`.reverie/compiled.json\` on main (\`${report.record_commit.slice(0, 7)}\`).`, '');
  return `${lines.join('\n')}\n`;
}
