/**
 * The session formats `sessions[].format` accepts besides `auto`: the formats of sessions/readers, in its detection
 * order. Written out here so that reading reverie.yaml does not load every log reader (a command such as `log`
 * reads no logs); test/unit/config/formats.test.ts keeps the two lists equal.
 */
export const SESSION_FORMATS: readonly string[] = ['reverie', 'managed-agents', 'claude-code', 'codex', 'copilot-cli', 'gemini-cli', 'aider', 'specstory', 'anthropic-messages', 'openai-chat'];
