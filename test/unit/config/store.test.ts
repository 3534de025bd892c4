import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors.js';

const FILE = '/repo/reverie.yaml';
const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;
const NAMESPACES = ['memory:', '  namespaces:', '    - name: rules', '      paths: ["rules/**"]', '      policy: protected', '    - name: notes', '      paths: ["**/*.md"]'];

function errorOf(text: string): ConfigError {
  try {
    parseConfig(text, FILE, '/repo');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('store: in reverie.yaml', () => {
  it('is absent unless given, and filled with defaults when given', () => {
    expect(parseConfig('mode: review\n', FILE, '/repo').store).toBeUndefined();
    expect(parseConfig(yaml('store:', '  id: memstore_01abc'), FILE, '/repo').store).toEqual({ id: 'memstore_01abc', path: '/', sessionsInto: 'sessions/managed-agents', sessionsOnPull: false, sessionsOnDream: false });
    const full = parseConfig(yaml(...NAMESPACES, 'store:', '  id: memstore_01abc', '  path: /team/', '  namespaces: [notes]', '  base_url: https://gateway.example.com/', '  sessions:', '    into: logs/agents', '    on_pull: true', '    on_dream: true'), FILE, '/repo').store;
    expect(full).toEqual({ id: 'memstore_01abc', path: '/team/', namespaces: ['notes'], baseUrl: 'https://gateway.example.com', sessionsInto: 'logs/agents', sessionsOnPull: true, sessionsOnDream: true });
  });

  const cases: [string, string[], number, string, RegExp][] = [
    ['an id that is no memory store id', ['store:', '  id: notes'], 2, 'store.id', /memstore_/],
    ['a path without its slashes', ['store:', '  id: memstore_01a', '  path: team'], 3, 'store.path', /starts and ends with "\/"/],
    ['a path that climbs', ['store:', '  id: memstore_01a', '  path: /a/../'], 3, 'store.path', /starts and ends/],
    ['an unknown namespace', [...NAMESPACES, 'store:', '  id: memstore_01a', '  namespaces: [nots]'], 10, 'store.namespaces[0]', /no namespace "nots"/],
    ['an unknown key', ['store:', '  id: memstore_01a', '  prefix: /'], 3, 'store.prefix', /expected one of/],
    ['a sessions folder outside the repository', ['store:', '  id: memstore_01a', '  sessions:', '    into: ../logs'], 4, 'store.sessions.into', /inside the repository/],
    ['a base_url that is no URL', ['store:', '  id: memstore_01a', '  base_url: localhost'], 3, 'store.base_url', /http\(s\) URL/],
  ];

  it.each(cases)('refuses %s with the file, line and key', (_what, lines, line, key, message) => {
    const error = errorOf(yaml(...lines));
    expect(error).toMatchObject({ file: FILE, line, key });
    expect(error.message).toMatch(message);
  });
});
