/** Runs the built CLI as a user would: a child process, its exit code, stdout and stderr. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = path.join(root, 'dist/cli/main.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function reverie(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const run = spawnSync(process.execPath, [CLI, ...args], { cwd: options.cwd ?? root, encoding: 'utf8', env: { ...process.env, ...options.env } });
  return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/** `reverie … --json`, parsed; fails the test with the output when stdout is not exactly one JSON object. */
export function reverieJson<T = Record<string, unknown>>(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): T & { code: number } {
  const result = reverie([...args, '--json'], options);
  try {
    return { ...(JSON.parse(result.stdout) as T), code: result.code };
  } catch {
    throw new Error(`not one JSON object (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

/**
 * `reverie` as a child process without blocking this one: for tests whose servers (git, fake GitHub) run in the
 * test's own process, which must keep answering while the CLI talks to them.
 */
export function reverieAsync(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? root, env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
