import type { Command } from 'commander';
import { openContext } from '../../cycle/repo-context.js';
import { explainFile, groupByOrigin, parseLineSpec, type ActionDetail, type LineOrigin } from '../../cycle/provenance.js';
import { quoted, shortOid, type Output } from '../output.js';

export function registerWhy(program: Command, out: Output): void {
  program
    .command('why')
    .description('where each line of a memory file at main came from: the cycle, action, rationale and sessions, a revert, an agent session\'s memory tool write, or a hand edit')
    .argument('<file>', 'a file at main, from the repository root (or the memory root), with :line or :from-to to pick lines')
    .option('--json', 'print one JSON object, one entry per line')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (spec: string, flags: { json?: boolean; config: string; repo: string }) => {
      const { file, range } = parseLineSpec(spec);
      const provenance = await explainFile(await openContext(flags.repo, flags.config), file, range);
      if (flags.json) return out.json(provenance);
      out.line(`${provenance.file} at ${shortOid(provenance.main)}`);
      for (const group of groupByOrigin(provenance.lines)) {
        out.line('');
        const lines = group.from === group.to ? `line ${group.from}` : `lines ${group.from}-${group.to}`;
        const [headline, ...details] = describe(group.origin);
        out.line(`${lines}: ${headline}`);
        for (const detail of details) out.line(detail);
        const width = String(group.to).length;
        for (const line of group.lines) out.line(`  ${String(line.line).padStart(width)} | ${line.text}`);
      }
    });
}

/** The explanation of one origin: a headline, then indented details. */
function describe(origin: LineOrigin): string[] {
  const commit = `${shortOid(origin.commit)} ${origin.date.slice(0, 10)}`;
  if (origin.kind === 'hand-written') {
    return [`hand-written, by ${origin.author.name} <${origin.author.email}> in ${commit} "${origin.subject}"`];
  }
  if (origin.kind === 'session') {
    const how = origin.tool ? ` with the ${origin.tool} tool${origin.command ? ` (${origin.command})` : ''}` : '';
    return [`written by agent session ${origin.session}${how}, ${commit} "${origin.subject}"`];
  }
  if (origin.kind === 'revert') {
    const undone = origin.reverted.map((r) => `    ${r.action_id ? `${r.type ?? 'action'} ${r.action_id} of cycle ${r.cycle}` : `commit ${shortOid(r.commit)}`}${r.summary ? `: ${r.summary}` : ''}`);
    return [`restored by a revert, ${commit} "${origin.subject}", which undid:`, ...undone];
  }
  const where = `cycle ${origin.cycle}${origin.engine ? ` (${origin.engine})` : ''}, ${commit}`;
  if (origin.exact) return [`${actionTitle(origin.actions[0]!)}, ${where}`, ...actionDetails(origin.actions[0]!)];
  // Squashed into one commit, and no one action's content holds the line: name the candidates, `--json` has the rest.
  return [`one of ${origin.actions.length} actions squashed into ${where}:`, ...origin.actions.map((a) => `    - ${actionTitle(a)}`)];
}

function actionTitle(action: ActionDetail): string {
  return `${action.type} ${action.id}${action.summary ? ` (${action.summary})` : ''}`;
}

function actionDetails(action: ActionDetail): string[] {
  const details = action.rationale ? [`    why: ${action.rationale.replace(/\n+/g, ' ')}`] : [];
  const evidence = action.evidence.map((e) => {
    const who = e.agent ? ` (${e.agent}${e.turn !== undefined ? `, turn ${e.turn}` : ''})` : '';
    return `${e.session_id}${who}${e.quote ? `: ${quoted(e.quote)}` : ''}`;
  });
  if (evidence.length > 0) details.push(`    evidence: ${evidence[0]}`, ...evidence.slice(1).map((e) => `              ${e}`));
  return details;
}
