/** Home folders laid out as each agent lays out its logs, holding real logs from test/fixtures. */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const CLAUDE_LOG = 'fed8ce56-bc79-401f-a83e-af084253362f.jsonl';
export const CODEX_LOG = 'rollout-2025-09-24T19-22-20-01997e76-d124-7592-9cac-2ec05abbca08.first189.jsonl';
export const GEMINI_LOG = 'session-2025-10-27T19-55-981c87cb.json';
export const GEMINI_HASH = '1b37d21d2d347dc4deb92958752b51d6f657340fc961f32748333b8ed807a684';
export const COPILOT_SESSION = '1afc31c8-d97f-4331-bae9-b6417f1b79a9';

/** Copies `fixture` to `home/relative`, creating the folders. */
export async function place(home: string, relative: string, fixture: string): Promise<string> {
  const file = path.join(home, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await copyFile(path.join(FIXTURES, fixture), file);
  return file;
}

/** A home folder with one log (or two) of each agent where the agent writes it. */
export async function populateHome(home: string): Promise<void> {
  await place(home, `.claude/projects/-Users-chip-dev-ai-music/${CLAUDE_LOG}`, `claude-code/-Users-chip-dev-ai-music/${CLAUDE_LOG}`);
  await place(
    home,
    '.claude/projects/-path-to-Demo/fe5e1c67-53e7-4862-81ae-d0e013e3270b/subagents/agent-components.jsonl',
    'claude-code/-path-to-Demo/fe5e1c67-53e7-4862-81ae-d0e013e3270b/subagents/agent-components.jsonl',
  );
  await place(home, `.codex/sessions/2025/09/25/${CODEX_LOG}`, `codex/agentcmd/${CODEX_LOG}`);
  await place(home, `.gemini/tmp/${GEMINI_HASH}/chats/${GEMINI_LOG}`, `gemini-cli/${GEMINI_LOG}`);
  await place(home, `.copilot/session-state/${COPILOT_SESSION}/events.jsonl`, 'copilot-cli/agentv/325365b92c-0.jsonl');
}
