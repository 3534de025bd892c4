import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { readCached, readCacheEnabled, writeCached } from '../util/read-cache.js';
import { invalidUtf8Line } from '../util/utf8.js';
import type { Config } from './types.js';

export const CONFIG_FILE = 'reverie.yaml';

export interface LoadConfigOptions {
  /**
   * The repository's git directory, where the command line keeps the validated copy of the file it read last
   * (util/read-cache.ts; off unless the command line turned it on): the same bytes at the same place give the same
   * Config, without loading the YAML parser.
   */
  cacheIn?: string;
}

/** Reads and validates reverie.yaml. Everything is checked before anything is returned: no half-applied config. */
export async function loadConfig(repoDir: string, file?: string, { cacheIn }: LoadConfigOptions = {}): Promise<Config> {
  const configPath = path.resolve(repoDir, file ?? CONFIG_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(configPath);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found; run `reverie init` to create one' : String(error);
    throw new ConfigError(reason, configPath);
  }
  // Decoded lossily, a name or a path would reach commits and globs with U+FFFD where the file had other bytes.
  const badLine = invalidUtf8Line(bytes);
  if (badLine !== undefined) throw new ConfigError('not UTF-8 text; save the file as UTF-8', configPath, badLine);
  const text = bytes.toString('utf8');
  const root = path.resolve(repoDir);
  // Only a file that validated is kept, so an invalid one is read again and says what is wrong every time.
  const key = cacheIn !== undefined && readCacheEnabled() ? JSON.stringify([configPath, root, text]) : undefined;
  const cached = key !== undefined ? readCached<Config>(cacheIn!, 'config', key) : undefined;
  if (cached) return cached;
  const { parseConfig } = await import('./parse.js');
  const config = parseConfig(text, configPath, root);
  if (key !== undefined) writeCached(cacheIn!, 'config', key, config);
  return config;
}
