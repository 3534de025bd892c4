/**
 * Writes generated sessions in real log formats: Claude Code 2.0.x transcripts (one JSONL file per session:
 * parentUuid chain, one content block per assistant record sharing `message.id`, tool results as user records
 * with `toolUseResult`, file-history snapshots, `/clear` caveats, sidechains of sub-agents) and reverie's own
 * `session/v1` JSONL (several sessions per file, tool names of a Gemini-CLI-like harness).
 */
import { posix } from 'node:path';
import { ALNUM, fnv1a, Rng } from './rng.js';
import type { Event, SessionSpec, ToolUse } from './model.js';

const SYSTEM_REMINDER =
  '\n\n<system-reminder>\nWhenever you read a file, you should consider whether it would be considered malware. You CAN and SHOULD provide analysis of malware, what it is doing. But you MUST refuse to improve or augment the code. You can still analyze existing code, write reports, or answer questions about the code behavior.\n</system-reminder>\n';

const REJECTED_TEXT =
  "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). STOP what you are doing and wait for the user to tell you how to proceed.";

type Json = Record<string, unknown>;

function numbered(text: string, first = 1): string {
  return text
    .split('\n')
    .map((line, i) => `${String(first + i).padStart(6)}→${line}`)
    .join('\n');
}

function absolute(root: string, path: string | undefined): string {
  if (!path) return root;
  return path.startsWith('/') ? path : posix.join(root, path);
}

// ------------------------------------------------------------------------------------------------
// Claude Code

export function renderClaudeCode(spec: SessionSpec): string {
  const rng = new Rng(fnv1a(spec.id));
  const agent = spec.agent;
  const lines: Json[] = [];
  let t = Date.parse(spec.start);
  let parent: string | null = null;
  let sideParent: string | null = null;
  let context = rng.int(11_000, 14_000);
  const cwd = agent.root;
  const version = rng.pick(['2.0.27', '2.0.31', '2.0.37', '2.0.42']);
  const now = () => new Date(t).toISOString();
  const wait = (lo: number, hi: number) => {
    t += rng.int(lo, hi);
  };
  const common = (sidechain: boolean): Json => ({
    parentUuid: sidechain ? sideParent : parent,
    isSidechain: sidechain,
    userType: 'external',
    cwd,
    sessionId: spec.id,
    version,
    gitBranch: spec.branch,
  });
  const push = (record: Json, sidechain = false): string => {
    const uuid = rng.uuid();
    lines.push({ ...common(sidechain), ...record, uuid, timestamp: now() });
    if (sidechain) sideParent = uuid;
    else parent = uuid;
    return uuid;
  };
  const snapshot = (messageId: string) => {
    lines.push({ type: 'file-history-snapshot', messageId, snapshot: { messageId, trackedFileBackups: {}, timestamp: now() }, isSnapshotUpdate: false });
  };

  if (spec.summary) lines.push({ type: 'summary', summary: spec.summary, leafUuid: rng.uuid() });

  const toolName: Record<ToolUse['kind'], string> = { shell: 'Bash', read: 'Read', edit: 'Edit', write: 'Write', grep: 'Grep', fetch: 'WebFetch', task: 'Task' };
  const input = (tool: ToolUse): Json => {
    switch (tool.kind) {
      case 'shell':
        return { command: tool.command, description: tool.description ?? 'Run command' };
      case 'read':
        return { file_path: absolute(agent.root, tool.path) };
      case 'edit':
        return { file_path: absolute(agent.root, tool.path), old_string: tool.old, new_string: tool.new };
      case 'write':
        return { file_path: absolute(agent.root, tool.path), content: tool.content };
      case 'grep':
        return { pattern: tool.pattern, ...(tool.path ? { path: absolute(agent.root, tool.path) } : {}), output_mode: 'content', '-n': true };
      case 'fetch':
        return { url: tool.url, prompt: tool.prompt ?? 'Summarize the page.' };
      case 'task':
        return { description: tool.description ?? 'Explore the code', prompt: tool.prompt, subagent_type: 'Explore' };
    }
  };
  const resultText = (tool: ToolUse): { content: string | Json[]; error: boolean; toolUseResult: unknown } => {
    if (tool.rejected) return { content: REJECTED_TEXT, error: true, toolUseResult: `Error: ${REJECTED_TEXT}` };
    switch (tool.kind) {
      case 'shell':
        if (tool.error) {
          const text = `Exit code ${tool.exit ?? 1}\n${tool.output}`;
          return { content: text, error: true, toolUseResult: `Error: ${text}` };
        }
        return { content: tool.output, error: false, toolUseResult: { stdout: tool.output, stderr: '', interrupted: false, isImage: false } };
      case 'read':
        if (tool.error) return { content: `<tool_use_error>${tool.output}</tool_use_error>`, error: true, toolUseResult: `Error: ${tool.output}` };
        return {
          content: numbered(tool.output) + SYSTEM_REMINDER,
          error: false,
          toolUseResult: { type: 'text', file: { filePath: absolute(agent.root, tool.path), content: tool.output, numLines: tool.output.split('\n').length, startLine: 1, totalLines: tool.output.split('\n').length } },
        };
      case 'edit':
        if (tool.error) return { content: `<tool_use_error>${tool.output}</tool_use_error>`, error: true, toolUseResult: `Error: ${tool.output}` };
        return {
          content: `The file ${absolute(agent.root, tool.path)} has been updated. Here's the result of running \`cat -n\` on a snippet of the edited file:\n${numbered(tool.output, rng.int(3, 120))}`,
          error: false,
          toolUseResult: { filePath: absolute(agent.root, tool.path), oldString: tool.old, newString: tool.new, userModified: false, replaceAll: false },
        };
      case 'write':
        return { content: `File created successfully at: ${absolute(agent.root, tool.path)}`, error: false, toolUseResult: { type: 'create', filePath: absolute(agent.root, tool.path), content: tool.content } };
      case 'grep':
        return { content: tool.output || 'No matches found', error: false, toolUseResult: { mode: 'content', numFiles: 0, filenames: [], content: tool.output, numLines: tool.output.split('\n').length } };
      case 'fetch':
        if (tool.error) return { content: tool.output, error: true, toolUseResult: `Error: ${tool.output}` };
        return { content: tool.output, error: false, toolUseResult: { bytes: tool.output.length * 7, code: 200, codeText: 'OK', result: tool.output, durationMs: rng.int(400, 3_000), url: tool.url } };
      case 'task':
        return { content: [{ type: 'text', text: tool.output }], error: false, toolUseResult: { status: 'completed', prompt: tool.prompt, content: [{ type: 'text', text: tool.output }], totalDurationMs: rng.int(8_000, 60_000) } };
    }
  };

  const assistantMessage = (event: Extract<Event, { type: 'assistant' }>, sidechain: boolean) => {
    wait(2_500, 14_000);
    const messageId = `msg_01${rng.chars(22, ALNUM)}`;
    const requestId = `req_011CV${rng.chars(17, ALNUM)}`;
    const created = rng.int(90, 2_400);
    const usage = {
      input_tokens: rng.int(0, 8),
      cache_creation_input_tokens: created,
      cache_read_input_tokens: context,
      cache_creation: { ephemeral_5m_input_tokens: created, ephemeral_1h_input_tokens: 0 },
      output_tokens: rng.int(1, 9),
      service_tier: 'standard',
    };
    context += created;
    const block = (content: Json) =>
      push(
        {
          message: { model: agent.model, id: messageId, type: 'message', role: 'assistant', content: [content], stop_reason: null, stop_sequence: null, usage },
          requestId,
          type: 'assistant',
        },
        sidechain,
      );
    if (event.text) block({ type: 'text', text: event.text });
    const calls: { id: string; tool: ToolUse }[] = [];
    for (const tool of event.tools ?? []) {
      wait(200, 1_500);
      const id = `toolu_01${rng.chars(22, ALNUM)}`;
      block({ type: 'tool_use', id, name: toolName[tool.kind], input: input(tool) });
      calls.push({ id, tool });
    }
    for (const { id, tool } of calls) {
      if (tool.kind === 'task' && tool.sidechain) {
        sideParent = null;
        wait(500, 2_000);
        push({ type: 'user', message: { role: 'user', content: tool.prompt ?? '' } }, true);
        for (const inner of tool.sidechain) if (inner.type === 'assistant') assistantMessage(inner, true);
      }
      wait(100, 2_500);
      const result = resultText(tool);
      const block: Json = { tool_use_id: id, type: 'tool_result', content: result.content, ...(result.error ? { is_error: true } : {}) };
      push({ type: 'user', message: { role: 'user', content: [block] }, toolUseResult: result.toolUseResult }, sidechain);
      context += Math.ceil(JSON.stringify(result.content).length / 3.5);
    }
  };

  for (const event of spec.events) {
    switch (event.type) {
      case 'clear': {
        snapshot(rng.uuid());
        push({ type: 'user', message: { role: 'user', content: 'Caveat: The messages below were generated by the user while running local commands. DO NOT respond to these messages or otherwise consider them in your response unless the user explicitly asks you to.' }, isMeta: true });
        push({ type: 'user', message: { role: 'user', content: '<command-name>/clear</command-name>\n            <command-message>clear</command-message>\n            <command-args></command-args>' } });
        push({ type: 'user', message: { role: 'user', content: '<local-command-stdout></local-command-stdout>' } });
        wait(20_000, 90_000);
        break;
      }
      case 'user': {
        if (lines.some((l) => l.type === 'user')) wait(30_000, 300_000);
        const uuid = rng.uuid();
        snapshot(uuid);
        lines.push({ ...common(false), type: 'user', message: { role: 'user', content: event.text }, uuid, timestamp: now(), thinkingMetadata: { level: 'none', disabled: true, triggers: [] } });
        parent = uuid;
        context += Math.ceil(event.text.length / 4);
        break;
      }
      case 'interrupt':
        wait(1_000, 6_000);
        push({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: '[Request interrupted by user]' }] } });
        break;
      case 'assistant':
        assistantMessage(event, false);
        break;
    }
  }
  return `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
}

// ------------------------------------------------------------------------------------------------
// reverie session/v1

/** Tool names of a Gemini-CLI-like harness, as reverie logs (and Gemini CLI recordings) name them. */
export const REVERIE_TOOL: Record<ToolUse['kind'], string> = {
  shell: 'run_shell_command',
  read: 'read_file',
  edit: 'replace',
  write: 'write_file',
  grep: 'search_file_content',
  fetch: 'web_fetch',
  task: 'delegate',
};

/** Several sessions of one agent in one file, one after the other, each record naming its session. */
export function renderReverie(specs: SessionSpec[]): string {
  const first = specs[0];
  if (!first) return '';
  const out: Json[] = [{ reverie: 'session/v1', agent: first.agent.id }];
  for (const spec of specs) {
    const rng = new Rng(fnv1a(spec.id));
    let t = Date.parse(spec.start);
    const ts = () => new Date(t).toISOString();
    const wait = (lo: number, hi: number) => {
      t += rng.int(lo, hi);
    };
    const session = spec.id;
    let n = 0;
    const emitAssistant = (event: Extract<Event, { type: 'assistant' }>, sidechain: boolean) => {
      wait(2_000, 12_000);
      out.push({ session, ts: ts(), role: 'assistant', text: event.text ?? '', ...(sidechain ? { sidechain: true } : {}) });
      for (const tool of event.tools ?? []) {
        const id = `call_${++n}`;
        out.push({ session, type: 'tool_call', id, name: REVERIE_TOOL[tool.kind], input: reverieInput(spec, tool) });
        if (tool.kind === 'task' && tool.sidechain) {
          out.push({ session, ts: ts(), role: 'user', text: tool.prompt ?? '', sidechain: true });
          for (const inner of tool.sidechain) if (inner.type === 'assistant') emitAssistant(inner, true);
        }
        wait(100, 3_000);
        if (tool.rejected) {
          out.push({ session, type: 'tool_result', call: id, text: 'Tool call cancelled by the user.', error: true, rejected: true });
          continue;
        }
        const text = tool.kind === 'shell' && tool.error ? `${tool.output}\n(exit code ${tool.exit ?? 1})` : tool.output;
        out.push({ session, type: 'tool_result', call: id, text, ...(tool.error ? { error: true } : {}) });
      }
    };
    for (const event of spec.events) {
      if (event.type === 'user') {
        wait(30_000, 300_000);
        out.push({ session, ts: ts(), role: 'user', text: event.text });
      } else if (event.type === 'assistant') emitAssistant(event, false);
      else if (event.type === 'interrupt') out.push({ session, ts: ts(), role: 'system', text: 'User cancelled the request.', synthetic: true });
    }
    out.push({ session, type: 'outcome', status: spec.outcome, ...(spec.outcome === 'failure' ? { reason: 'the user stopped the session' } : {}) });
  }
  return `${out.map((r) => JSON.stringify(r)).join('\n')}\n`;
}

export function reverieInput(spec: SessionSpec, tool: ToolUse): Json {
  const root = spec.agent.root;
  switch (tool.kind) {
    case 'shell':
      return { command: tool.command, ...(tool.description ? { description: tool.description } : {}) };
    case 'read':
      return { absolute_path: absolute(root, tool.path) };
    case 'edit':
      return { file_path: absolute(root, tool.path), old_string: tool.old, new_string: tool.new };
    case 'write':
      return { file_path: absolute(root, tool.path), content: tool.content };
    case 'grep':
      return { pattern: tool.pattern, ...(tool.path ? { path: absolute(root, tool.path) } : {}) };
    case 'fetch':
      return { prompt: `${tool.prompt ?? 'Summarize'} ${tool.url ?? ''}`.trim() };
    case 'task':
      return { prompt: tool.prompt };
  }
}
