/**
 * Sessions of the quality corpus's event model written as the two formats its renderers do not write: OpenAI Codex
 * CLI rollouts (`response_item` messages, `function_call` with a shell command array, `function_call_output` with
 * the exit code in its metadata) and Gemini CLI chat recordings (one JSON document, `gemini` messages carrying their
 * `toolCalls` with each call's `functionResponse` and status; a shell command that fails says `Exit Code: 1`).
 * Codex and Gemini CLI have no fetch, grep or file tools of the same names: each is written as its own harness
 * would run it.
 */
import { posix } from 'node:path';
import type { Event, SessionSpec, ToolUse } from '../quality/model.js';
import { reverieInput, REVERIE_TOOL } from '../quality/render.js';
import { fnv1a, Rng } from '../quality/rng.js';

type Json = Record<string, unknown>;

/** What the session's agent ran, as a shell command line: Codex reads files and the web through its shell. */
function asShell(spec: SessionSpec, tool: ToolUse): string {
  const at = (path: string | undefined) => (path === undefined ? spec.agent.root : path.startsWith('/') ? path : posix.join(spec.agent.root, path));
  switch (tool.kind) {
    case 'shell':
      return tool.command ?? '';
    case 'read':
      return `sed -n '1,200p' ${at(tool.path)}`;
    case 'grep':
      return `rg -n ${JSON.stringify(tool.pattern ?? '')}${tool.path ? ` ${at(tool.path)}` : ''}`;
    case 'fetch':
      return `curl -sL ${tool.url ?? ''}`;
    case 'write':
    case 'edit':
      return `apply_patch ${at(tool.path)}`;
    case 'task':
      return `codex exec ${JSON.stringify(tool.prompt ?? '')}`;
  }
}

export function renderCodex(spec: SessionSpec): string {
  const rng = new Rng(fnv1a(`codex:${spec.id}`));
  let t = Date.parse(spec.start);
  const lines: Json[] = [];
  const push = (type: string, payload: Json) => {
    t += rng.int(300, 9_000);
    lines.push({ timestamp: new Date(t).toISOString(), type, payload });
  };
  push('session_meta', { id: spec.id, timestamp: new Date(t).toISOString(), cwd: spec.agent.root, originator: 'codex_cli_rs', cli_version: '0.46.0', git: { branch: spec.branch } });
  push('response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text: `<environment_context>\n  <cwd>${spec.agent.root}</cwd>\n  <shell>bash</shell>\n</environment_context>` }] });
  let calls = 0;
  for (const event of spec.events) {
    if (event.type === 'user') {
      push('response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text: event.text }] });
      push('event_msg', { type: 'user_message', message: event.text, images: [] });
    } else if (event.type === 'assistant') {
      if (event.text) {
        push('response_item', { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: event.text }] });
        push('event_msg', { type: 'agent_message', message: event.text });
      }
      for (const tool of event.tools ?? []) {
        const callId = `call_${rng.hex(24)}_${++calls}`;
        push('response_item', { type: 'function_call', name: 'shell', arguments: JSON.stringify({ command: ['bash', '-lc', asShell(spec, tool)], workdir: spec.agent.root }), call_id: callId });
        const exitCode = tool.error ? (tool.exit ?? 1) : 0;
        push('response_item', { type: 'function_call_output', call_id: callId, output: JSON.stringify({ output: tool.output, metadata: { exit_code: exitCode, duration_seconds: rng.int(1, 40) / 10 } }) });
      }
    } else if (event.type === 'interrupt') {
      push('event_msg', { type: 'turn_aborted', reason: 'interrupted' });
    }
  }
  return `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
}

/** A shell result as run_shell_command reports it; other tools return their output, or an error. */
function geminiResponse(spec: SessionSpec, tool: ToolUse): Json {
  if (tool.kind !== 'shell') return tool.error ? { error: tool.output } : { output: tool.output };
  const exitCode = tool.error ? (tool.exit ?? 1) : 0;
  return { output: `Command: ${tool.command}\nDirectory: (root)\nOutput: ${tool.output}\nError: (none)\nExit Code: ${exitCode}\nSignal: (none)\nBackground PIDs: (none)\nProcess Group PGID: ${fnv1a(spec.id) % 90_000}` };
}

export function renderGemini(spec: SessionSpec): string {
  const rng = new Rng(fnv1a(`gemini:${spec.id}`));
  let t = Date.parse(spec.start);
  const at = () => {
    t += rng.int(300, 9_000);
    return new Date(t).toISOString();
  };
  const startTime = new Date(t).toISOString();
  const messages: Json[] = [];
  for (const event of spec.events as Event[]) {
    if (event.type === 'user') messages.push({ id: rng.uuid(), timestamp: at(), type: 'user', content: event.text });
    else if (event.type === 'assistant') {
      const toolCalls = (event.tools ?? []).map((tool) => {
        const id = `${REVERIE_TOOL[tool.kind]}-${rng.int(1_700_000_000_000, 1_800_000_000_000)}-${rng.hex(12)}`;
        const response = geminiResponse(spec, tool);
        // A shell command that exits non-zero is a successful call whose output says so; other tools fail as calls.
        const status = tool.rejected ? 'cancelled' : tool.error && tool.kind !== 'shell' ? 'error' : 'success';
        return { id, name: REVERIE_TOOL[tool.kind], args: reverieInput(spec, tool), result: [{ functionResponse: { id, name: REVERIE_TOOL[tool.kind], response } }], status, timestamp: at(), resultDisplay: '' };
      });
      messages.push({ id: rng.uuid(), timestamp: at(), type: 'gemini', content: event.text ?? '', ...(toolCalls.length ? { toolCalls } : {}), thoughts: [] });
    } else if (event.type === 'interrupt') messages.push({ id: rng.uuid(), timestamp: at(), type: 'info', content: 'Request cancelled.' });
  }
  const document = { sessionId: spec.id, projectHash: rng.hex(64), startTime, lastUpdated: new Date(t).toISOString(), messages };
  return `${JSON.stringify(document, null, 2)}\n`;
}
