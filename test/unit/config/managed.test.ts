import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors.js';

const FILE = '/repo/reverie.yaml';
const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;
const parse = (text: string) => parseConfig(text, FILE, '/repo');

function errorOf(text: string): ConfigError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig: managed', () => {
  it('reads the engine, the store, the sessions and the wait', () => {
    const config = parse(
      yaml(
        'engine: managed',
        'managed:',
        '  model: claude-sonnet-5-5',
        '  instructions: Keep notes short; drop what the sessions show is stale.',
        '  store:',
        '    id: memstore_01abc',
        '  sessions:',
        '    agent_id: agent_01xyz',
        '    max_per_dream: 40',
        '  wait_minutes: 5',
        '  poll_seconds: 2',
        '  base_url: http://127.0.0.1:9999/',
      ),
    );
    expect(config.engine).toBe('managed');
    expect(config.managed).toEqual({
      model: 'claude-sonnet-5-5',
      instructions: 'Keep notes short; drop what the sessions show is stale.',
      store: { id: 'memstore_01abc', name: 'reverie' },
      sessions: { agentId: 'agent_01xyz', maxPerDream: 40 },
      waitMinutes: 5,
      pollSeconds: 2,
      baseUrl: 'http://127.0.0.1:9999',
    });
  });

  it('takes instructions of exactly 4,096 characters, counted as characters rather than UTF-16 units', () => {
    expect(parse(yaml('managed:', `  instructions: "${'a'.repeat(4096)}"`)).managed.instructions).toHaveLength(4096);
    expect([...(parse(yaml('managed:', `  instructions: "${'🙂'.repeat(4096)}"`)).managed.instructions ?? '')]).toHaveLength(4096);
  });

  it.each([
    ['instructions over 4,096 characters', ['managed:', `  instructions: "${'a'.repeat(4097)}"`], 2, 'managed.instructions', /at most 4096 characters, what the Dreams API takes \(it has 4097\)/],
    ['empty instructions', ['managed:', '  instructions: "  "'], 2, 'managed.instructions', /non-empty string/],
    ['more than 100 sessions a dream', ['managed:', '  sessions:', '    max_per_dream: 101'], 3, 'managed.sessions.max_per_dream', /at most 100/],
    ['a store id that is a name', ['managed:', '  store:', '    id: my-store'], 3, 'managed.store.id', /starts with memstore_/],
    ['a session id that is not one', ['managed:', '  sessions:', '    ids: [sesn_1, run_2]'], 3, 'managed.sessions.ids[1]', /starts with sesn_/],
    ['a session listed twice', ['managed:', '  sessions:', '    ids: [sesn_1, sesn_1]'], 3, 'managed.sessions.ids[1]', /listed twice/],
    ['both ids and an agent', ['managed:', '  sessions:', '    agent_id: agent_1', '    ids: [sesn_1]'], 4, 'managed.sessions.ids', /either/],
    ['an unknown key', ['managed:', '  wait_minute: 3'], 2, 'managed.wait_minute', /wait_minutes/],
    ['a wait past a day', ['managed:', '  wait_minutes: 2000'], 2, 'managed.wait_minutes', /at most 1440/],
    ['a base URL that is not one', ['managed:', '  base_url: localhost'], 2, 'managed.base_url', /http\(s\) URL/],
  ])('refuses %s, naming the key and its line', (_what, lines, line, key, message) => {
    const error = errorOf(yaml(...lines));
    expect(error).toMatchObject({ file: FILE, line, key });
    expect(error.message).toMatch(message);
  });

  it('checks the section whatever the engine, so that switching engines never meets a bad one late', () => {
    expect(errorOf(yaml('engine: heuristic', 'managed:', `  instructions: "${'a'.repeat(5000)}"`)).key).toBe('managed.instructions');
  });
});
