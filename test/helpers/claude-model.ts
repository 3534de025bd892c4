/**
 * A scripted "model" for the fake Anthropic API that answers the claude engine's two questions as a model would:
 * the map question (one session, fenced in <session>) with observations quoted from that session's own transcript,
 * and the curate question with steps that name the entries and patterns the prompt gave it. Tests script what it
 * notices (`MapRule`s) and what it proposes (a `Curator`), and read back what it was asked.
 */
import type { MessageBody, Responder, ResponderContext, ScriptedReply } from './fake-anthropic.js';
import { reply } from './fake-anthropic.js';

export interface Observation {
  kind: 'mistake' | 'workflow' | 'preference' | 'fact';
  statement: string;
  topic: string;
  quote: string;
  turn: number;
  fix: string | null;
}

/** When a transcript line matches, the model reports this observation, quoting the matched text from that line. */
export interface MapRule {
  match: RegExp;
  observation: Omit<Observation, 'quote' | 'turn'>;
}

export interface CurateView {
  /** Writable entries: id → text (as shown after the id). */
  entries: Map<string, string>;
  /** Ids of anything in the protected block (there should be none). */
  protectedIds: string[];
  patterns: { key: string; kind: string; sessions: number; agents: number; statement: string }[];
  body: MessageBody;
}

export interface Proposal {
  type: 'add' | 'update' | 'merge' | 'resolve' | 'prune';
  targets: string[];
  content: string | null;
  file: string | null;
  section: string | null;
  patterns: string[];
  summary: string;
  rationale: string;
}

export type Curator = (view: CurateView) => Proposal[];

export type Phase = 'map' | 'curate' | 'other';

export function phaseOf(body: MessageBody): Phase {
  const schema = body.output_config?.format?.schema as { properties?: Record<string, unknown> } | undefined;
  if (schema?.properties?.observations) return 'map';
  if (schema?.properties?.actions) return 'curate';
  return 'other';
}

export function userText(body: MessageBody): string {
  const content = body.messages[0]?.content;
  if (typeof content === 'string') return content;
  return (content ?? []).map((block) => ('text' in block ? block.text : '')).join('');
}

export function systemText(body: MessageBody): string {
  const system = body.system;
  if (typeof system === 'string') return system;
  return (system ?? []).map((block) => block.text).join('\n');
}

/** The session id of a map question. */
export function sessionIdOf(body: MessageBody): string | undefined {
  return /<session id="([^"]+)"/.exec(userText(body))?.[1];
}

/** Observations for a map question: every rule that matches a line of the transcript, quoting that line. */
export function observe(body: MessageBody, rules: MapRule[]): Observation[] {
  const transcript = /<session[^>]*>\n([\s\S]*)\n<\/session>/.exec(userText(body))?.[1] ?? '';
  const found: Observation[] = [];
  for (const rule of rules) {
    for (const line of transcript.split('\n')) {
      const match = rule.match.exec(line);
      if (!match) continue;
      const turn = Number(/^\[turn (\d+)\]/.exec(line)?.[1] ?? 0);
      found.push({ ...rule.observation, quote: match[0], turn });
      break;
    }
  }
  return found;
}

/** What the curate question shows: the writable entries by id, the protected block, the patterns. */
export function curateView(body: MessageBody): CurateView {
  const system = systemText(body);
  const writable = /<memory note="[^"]*">\n([\s\S]*?)\n<\/memory>/.exec(system)?.[1] ?? '';
  const protectedBlock = /<protected_memory[^>]*>\n([\s\S]*?)\n<\/protected_memory>/.exec(system)?.[1] ?? '';
  const entries = new Map<string, string>();
  for (const match of writable.matchAll(/^\[([^\]\s]+#[0-9a-f]{12})\] (.*)$/gm)) entries.set(match[1] as string, match[2] as string);
  const protectedIds = [...protectedBlock.matchAll(/\[([^\]\s]+#[0-9a-f]{12})\]/g)].map((m) => m[1] as string);
  const patterns = [...userText(body).matchAll(/<pattern key="([^"]+)" kind="([^"]+)" sessions="(\d+)" agents="(\d+)"[^>]*>\nstatement: (.*)/g)].map((m) => ({
    key: m[1] as string,
    kind: m[2] as string,
    sessions: Number(m[3]),
    agents: Number(m[4]),
    statement: m[5] as string,
  }));
  return { entries, protectedIds, patterns, body };
}

export interface ScriptedModel {
  responder: Responder;
  /** Map questions answered, by session id. */
  mapped: string[];
  curated: CurateView[];
}

/**
 * A responder that answers map questions by `rules` and curate questions by `curate`; `override` may answer any
 * question first (a fault, a malformed answer) by returning a reply, or pass by returning undefined.
 */
export function scriptedModel(
  rules: MapRule[],
  curate: Curator,
  override?: (body: MessageBody, context: ResponderContext, phase: Phase) => ScriptedReply | undefined,
): ScriptedModel {
  const model: ScriptedModel = { mapped: [], curated: [], responder: () => reply.text('') };
  model.responder = (body, context) => {
    const phase = phaseOf(body);
    const scripted = override?.(body, context, phase);
    if (scripted) return scripted;
    if (phase === 'map') {
      model.mapped.push(sessionIdOf(body) ?? '?');
      return reply.json({ observations: observe(body, rules) });
    }
    if (phase === 'curate') {
      const view = curateView(body);
      model.curated.push(view);
      return reply.json({ actions: curate(view) });
    }
    return reply.text('unexpected question');
  };
  return model;
}

/** A proposal with the fields a test does not care about filled in. */
export function proposal(type: Proposal['type'], fields: Partial<Proposal> = {}): Proposal {
  return { type, targets: [], content: null, file: null, section: null, patterns: [], summary: `${type} a note`, rationale: 'The sessions show it.', ...fields };
}
