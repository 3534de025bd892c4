/**
 * The three projects of `real-memory/logs-and-rules`: real session logs committed together with the memory their teams
 * wrote over the same weeks. What reverie needs to replay each: its memory files, the file new lessons go to, and how
 * to date its sessions.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export interface Project {
  name: string;
  /** Memory globs, relative to the repository root (the memory root is the repository itself). */
  memory: string[];
  /** Where new entries go: the file the team's agents read first. */
  inbox: string;
  /** The sessions, each with the time it started, oldest first. */
  sessions(dir: string): Promise<{ file: string; at: string }[]>;
}

/** SpecStory exports are named `<yyyy-mm-dd>_<hh-mm>Z-<title>.md`. */
async function specStory(dir: string): Promise<{ file: string; at: string }[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.md'));
  return files
    .map((file) => {
      const m = /^(\d{4}-\d{2}-\d{2})_(\d{2})-(\d{2})Z/.exec(file);
      return { file, at: m ? `${m[1]}T${m[2]}:${m[3]}:00Z` : '1970-01-01T00:00:00Z' };
    })
    .sort((a, b) => a.at.localeCompare(b.at) || a.file.localeCompare(b.file));
}

/** Entire CLI checkpoints: `<shard>/<id>/<n>/full.jsonl` beside a metadata.json that says when the session started. */
async function entireCheckpoints(dir: string): Promise<{ file: string; at: string }[]> {
  const out: { file: string; at: string }[] = [];
  for (const shard of await readdir(dir)) {
    for (const id of await readdir(path.join(dir, shard))) {
      const checkpoint = path.join(dir, shard, id);
      if (!(await stat(checkpoint)).isDirectory()) continue;
      for (const n of await readdir(checkpoint)) {
        const session = path.join(checkpoint, n);
        if (!(await stat(session)).isDirectory()) continue;
        const names = await readdir(session);
        if (!names.includes('full.jsonl')) continue;
        const meta = JSON.parse(await readFile(path.join(session, 'metadata.json'), 'utf8')) as { created_at?: string };
        out.push({ file: `${shard}/${id}/${n}/full.jsonl`, at: meta.created_at ?? '1970-01-01T00:00:00Z' });
      }
    }
  }
  return out.sort((a, b) => a.at.localeCompare(b.at) || a.file.localeCompare(b.file));
}

export const PROJECTS: Project[] = [
  { name: 'ThatHunky__gryag', memory: ['.github/copilot-instructions.md', 'AGENTS.md'], inbox: '.github/copilot-instructions.md', sessions: specStory },
  { name: 'daviswhitehead__chef-chopsky', memory: ['.cursor/rules/**'], inbox: '.cursor/rules/solopreneur.mdc', sessions: specStory },
  { name: 'EntityProcess__agentv', memory: ['AGENTS.md', 'CLAUDE.md', '.agents/**'], inbox: 'AGENTS.md', sessions: entireCheckpoints },
];
