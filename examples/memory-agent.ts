/**
 * An agent on Anthropic's API whose memory tool writes to a reverie memory repository: every write is a commit on
 * `reverie/session-<id>`, and nothing reaches main until a person runs `reverie approve`.
 *
 *   ANTHROPIC_API_KEY=... npx tsx examples/memory-agent.ts <memory repo> "<task>"
 *
 * REVERIE_SESSION names the session (a fresh one per run by default); ANTHROPIC_MODEL picks the model;
 * ANTHROPIC_BASE_URL, read by the SDK, points it at another endpoint. In your own code, import from `reverie`.
 */
import Anthropic from '@anthropic-ai/sdk';
import { betaMemoryTool } from '@anthropic-ai/sdk/helpers/beta/memory';
import { repositoryMemory } from '../src/index.js';

const [repoDir = '.', ...words] = process.argv.slice(2);
const task = words.join(' ') || 'Look at your memory, then note that this project builds with `pnpm build`.';
const session = process.env.REVERIE_SESSION ?? `agent-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;

const memory = await repositoryMemory({ repoDir, session });
const client = new Anthropic();
const runner = client.beta.messages.toolRunner({
  model: process.env.ANTHROPIC_MODEL ?? 'claude-sonnet-5-5',
  max_tokens: 2048,
  max_iterations: 12,
  system: 'You are a coding agent. Check your memory directory before you start, and keep it up to date with what you learn.',
  tools: [betaMemoryTool(memory)],
  messages: [{ role: 'user', content: task }],
  betas: ['context-management-2025-06-27'],
  // The whole history each turn rather than a server-held message thread: any endpoint that serves the Messages API
  // (Bedrock, Vertex, a gateway, a local fake) runs the example; a short session costs little more for it.
  thread: false,
});

for await (const message of runner) {
  for (const block of message.content) {
    if (block.type === 'text') console.log(block.text);
    else if (block.type === 'tool_use') console.log(`[memory] ${JSON.stringify(block.input)}`);
  }
}
console.log(`\nMemory writes of session ${session} wait on ${memory.branch}:`);
console.log(`  reverie approve ${memory.branch}   # merge them into main`);
console.log(`  reverie reject ${memory.branch}    # drop them`);
