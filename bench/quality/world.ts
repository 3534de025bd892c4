/**
 * The project the generated agents work on, and the small builders every template uses.
 *
 * tidewater: a freight-tracking platform. A Go API (`services/api`), a Next.js web app (`web/`, a pnpm
 * workspace), Python batch jobs (`jobs/`, managed with uv), Postgres and Redis through docker compose,
 * Terraform in `infra/` and Kubernetes manifests in `k8s/`. Deliberately not the bundled example's project,
 * so the benchmark does not reward rules tuned to that example.
 */
import type { Agent, Event, LogFormat, ToolUse } from './model.js';
import type { Rng } from './rng.js';

export const GO_MODULE = 'github.com/tidewater-io/tidewater/services/api';

const AGENTS: Agent[] = [
  {
    id: 'dev-agent',
    format: 'claude-code',
    user: 'Sam',
    root: '/Users/sam/src/tidewater',
    home: '/Users/sam',
    shell: 'zsh',
    remote: 'git@github.com:tidewater-io/tidewater.git',
    model: 'claude-sonnet-4-5-20250929',
    sessions: 0,
    areas: ['api', 'api', 'web', 'jobs'],
  },
  {
    id: 'ops-agent',
    format: 'claude-code',
    user: 'Noor',
    root: '/home/noor/work/tidewater',
    home: '/home/noor',
    shell: 'bash',
    remote: 'https://github.com/tidewater-io/tidewater.git',
    model: 'claude-sonnet-4-5-20250929',
    sessions: 0,
    areas: ['infra', 'infra', 'api', 'jobs'],
  },
  {
    id: 'qa-agent',
    format: 'reverie',
    user: 'Lee',
    root: '/workspace/tidewater',
    home: '/root',
    shell: 'sh',
    remote: 'https://github.com/tidewater-io/tidewater',
    model: 'gemini-2.5-pro',
    sessions: 0,
    areas: ['review', 'web', 'jobs', 'review'],
  },
  {
    id: 'data-agent',
    format: 'claude-code',
    user: 'Ivo',
    root: '/home/ivo/code/tidewater',
    home: '/home/ivo',
    shell: 'bash',
    remote: 'git@github.com:tidewater-io/tidewater.git',
    model: 'claude-haiku-4-5-20251001',
    sessions: 0,
    areas: ['jobs', 'jobs', 'api'],
  },
  {
    id: 'docs-agent',
    format: 'reverie',
    user: 'Ana',
    root: '/srv/agents/tidewater',
    home: '/srv/agents',
    shell: 'bash',
    remote: 'https://github.com/tidewater-io/tidewater.git',
    model: 'gpt-5-codex',
    sessions: 0,
    areas: ['web', 'review', 'infra'],
  },
];

/** The agents of a corpus with their session counts. */
export function agentsFor(counts: number[]): Agent[] {
  return counts.map((sessions, i) => {
    const agent = AGENTS[i];
    if (!agent) throw new Error(`no agent #${i}`);
    return { ...agent, sessions };
  });
}

/** What a template needs to word an event for one session. */
export interface Ctx {
  rng: Rng;
  agent: Agent;
  format: LogFormat;
  branch: string;
  /** For a planted item: which of its occurrences this is, and a per-corpus offset into its wordings. */
  nth?: number;
  spin?: number;
}

/**
 * The wording of the n-th occurrence of a planted item: occurrences walk through the list, so people do not
 * say the same thing the same way twice (until the list runs out).
 */
export function vary<T>(c: Ctx, items: readonly T[]): T {
  if (c.nth === undefined) return c.rng.pick(items);
  const item = items[((c.spin ?? 0) + c.nth) % items.length];
  if (item === undefined) throw new Error('vary over an empty list');
  return item;
}

export const user = (text: string): Event => ({ type: 'user', text });
export const say = (text: string | undefined, ...tools: ToolUse[]): Event => ({ type: 'assistant', ...(text ? { text } : {}), ...(tools.length ? { tools } : {}) });

export function sh(command: string, output: string, opts: { error?: boolean; exit?: number; description?: string } = {}): ToolUse {
  return { kind: 'shell', command, output, ...(opts.error ? { error: true, exit: opts.exit ?? 1 } : {}), description: opts.description ?? describeCommand(command) };
}

export const fail = (command: string, output: string, exit = 1, description?: string): ToolUse => sh(command, output, { error: true, exit, ...(description ? { description } : {}) });
export const read = (path: string, content: string): ToolUse => ({ kind: 'read', path, output: content });
export const write = (path: string, content: string): ToolUse => ({ kind: 'write', path, content, output: '' });
export const grep = (pattern: string, output: string, path?: string): ToolUse => ({ kind: 'grep', pattern, output, ...(path ? { path } : {}) });
export const fetch = (url: string, output: string, prompt?: string): ToolUse => ({ kind: 'fetch', url, output, ...(prompt ? { prompt } : {}) });

export function edit(path: string, oldText: string, newText: string): ToolUse {
  return { kind: 'edit', path, old: oldText, new: newText, output: newText };
}

/** An edit whose old text is not in the file, worded as each harness words it. */
export function editFail(c: Ctx, path: string, oldText: string, newText: string, unread = false): ToolUse {
  let output: string;
  if (c.format === 'claude-code') {
    output = unread ? 'File has not been read yet. Read it first before writing to it.' : `String to replace not found in file.\nString: ${oldText}`;
  } else {
    output = c.rng.pick([
      `Failed to edit, 0 occurrences found for old_string in ${c.agent.root}/${path}. No edits made. The exact text in old_string was not found. Ensure you're not escaping content incorrectly and check whitespace, indentation, and context. Use read_file tool to verify.`,
      `Error: Failed to edit, could not find the string to replace in ${c.agent.root}/${path}.`,
    ]);
  }
  return { kind: 'edit', path, old: oldText, new: newText, output, error: true };
}

/** "command not found", as each shell says it. */
export function notFound(c: Ctx, program: string): string {
  switch (c.agent.shell) {
    case 'zsh':
      return `zsh: command not found: ${program}`;
    case 'bash':
      return `bash: line 1: ${program}: command not found`;
    case 'sh':
      return `/bin/sh: 1: ${program}: not found`;
  }
}

export function noSuchFile(c: Ctx, path: string): string {
  switch (c.agent.shell) {
    case 'zsh':
      return `zsh: no such file or directory: ${path}`;
    case 'bash':
      return `bash: line 1: ${path}: No such file or directory`;
    case 'sh':
      return `/bin/sh: 1: ${path}: not found`;
  }
}

function describeCommand(command: string): string {
  const head = command.replace(/^cd \S+ && /, '').split(/\s+/).slice(0, 3).join(' ');
  return `Run ${head}`;
}

/** Go test output for a package that passed. */
export function goOk(c: Ctx, pkgs: string[]): string {
  return pkgs.map((p) => `ok  \t${GO_MODULE}/${p}\t${(c.rng.int(12, 2400) / 1000).toFixed(3)}s`).join('\n');
}

export function vitestOk(c: Ctx, files: string[]): string {
  const lines = [` RUN  v3.2.4 ${c.agent.root}/web`, ''];
  let tests = 0;
  for (const f of files) {
    const n = c.rng.int(2, 18);
    tests += n;
    lines.push(` ✓ ${f} (${n} tests) ${c.rng.int(4, 90)}ms`);
  }
  lines.push('', ` Test Files  ${files.length} passed (${files.length})`, `      Tests  ${tests} passed (${tests})`, `   Duration  ${(c.rng.int(90, 600) / 100).toFixed(2)}s`);
  return lines.join('\n');
}

export function pytestOk(c: Ctx, n = c.rng.int(4, 40)): string {
  return `${'.'.repeat(n)}${' '.repeat(Math.max(1, 72 - n))}[100%]\n${n} passed in ${(c.rng.int(20, 400) / 100).toFixed(2)}s`;
}

export function gitCommitOk(c: Ctx, subject: string): string {
  const files = c.rng.int(1, 6);
  return `[${c.branch} ${c.rng.hex(7)}] ${subject}\n ${files} file${files === 1 ? '' : 's'} changed, ${c.rng.int(3, 140)} insertions(+), ${c.rng.int(0, 60)} deletions(-)`;
}

export function gitPushOk(c: Ctx): string {
  return `To ${c.agent.remote}\n   ${c.rng.hex(7)}..${c.rng.hex(7)}  ${c.branch} -> ${c.branch}`;
}

// ------------------------------------------------------------------------------------------------
// Files of the project, as the agents read them

export const FILES: Record<string, string> = {
  'services/api/internal/orders/handler.go': `package orders

import (
\t"encoding/json"
\t"log/slog"
\t"net/http"
)

type Handler struct {
\tstore Store
\tlog   *slog.Logger
}

func (h *Handler) List(w http.ResponseWriter, r *http.Request) {
\torders, err := h.store.ListOrders(r.Context(), parseFilter(r))
\tif err != nil {
\t\th.log.Error("list orders", "err", err)
\t\thttp.Error(w, "internal error", http.StatusInternalServerError)
\t\treturn
\t}
\t_ = json.NewEncoder(w).Encode(orders)
}`,
  'services/api/internal/carriers/client.go': `package carriers

import (
\t"context"
\t"fmt"
\t"net/http"
\t"time"
)

type Client struct {
\tbase string
\thttp *http.Client
}

func New(base string) *Client {
\treturn &Client{base: base, http: &http.Client{Timeout: 10 * time.Second}}
}

func (c *Client) Track(ctx context.Context, carrier, ref string) (*Status, error) {
\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/%s/track/%s", c.base, carrier, ref), nil)
\tif err != nil {
\t\treturn nil, err
\t}
\treturn c.do(req)
}`,
  'services/api/internal/store/orders.go': `package store

import "context"

func (s *Store) ListOrders(ctx context.Context, f Filter) ([]Order, error) {
\trows, err := s.pool.Query(ctx, listOrdersSQL, f.Carrier, f.Since, f.Limit)
\tif err != nil {
\t\treturn nil, err
\t}
\tdefer rows.Close()
\treturn scanOrders(rows)
}`,
  'services/api/internal/webhooks/verify.go': `package webhooks

import (
\t"crypto/hmac"
\t"crypto/sha256"
\t"encoding/hex"
)

func Verify(secret, body []byte, signature string) bool {
\tmac := hmac.New(sha256.New, secret)
\tmac.Write(body)
\treturn hex.EncodeToString(mac.Sum(nil)) == signature
}`,
  'web/src/lib/format.ts': `export function formatEta(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatWeight(grams: number): string {
  return grams >= 1000 ? \`\${(grams / 1000).toFixed(1)} kg\` : \`\${grams} g\`;
}`,
  'web/src/components/OrdersTable.tsx': `import { formatEta } from '@/lib/format';

export function OrdersTable({ orders }: { orders: Order[] }) {
  if (orders.length === 0) return <p className="empty">No orders yet.</p>;
  return (
    <table>
      <tbody>
        {orders.map((o) => (
          <tr key={o.id}>
            <td>{o.reference}</td>
            <td>{formatEta(o.eta)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}`,
  'jobs/tidewater_jobs/ingest.py': `import logging
from datetime import datetime, timezone

from .db import connect

log = logging.getLogger(__name__)


def ingest(events, *, dry_run=False):
    with connect() as conn:
        for event in events:
            received = datetime.now(timezone.utc)
            if dry_run:
                log.info("would insert %s", event["id"])
                continue
            conn.execute(INSERT_EVENT, (event["id"], event["carrier"], received))`,
  'jobs/tidewater_jobs/rates.py': `from decimal import Decimal


def import_rates(rows):
    out = []
    for row in rows:
        out.append({"lane": row["lane"], "rate": Decimal(row["rate"]).quantize(Decimal("0.01"))})
    return out`,
  'infra/staging/main.tf': `module "api" {
  source   = "../modules/api"
  replicas = 2
  image    = var.api_image
}

module "exports_bucket" {
  source = "../modules/bucket"
  name   = "tidewater-staging-exports"
}`,
  'k8s/staging/api.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: staging
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/tidewater-io/api:staging`,
};

export function fileFor(area: string, rng: Rng): string {
  const byArea: Record<string, string[]> = {
    api: ['services/api/internal/orders/handler.go', 'services/api/internal/carriers/client.go', 'services/api/internal/store/orders.go', 'services/api/internal/webhooks/verify.go'],
    web: ['web/src/lib/format.ts', 'web/src/components/OrdersTable.tsx'],
    jobs: ['jobs/tidewater_jobs/ingest.py', 'jobs/tidewater_jobs/rates.py'],
    infra: ['infra/staging/main.tf', 'k8s/staging/api.yaml'],
    review: ['services/api/internal/orders/handler.go', 'web/src/lib/format.ts', 'jobs/tidewater_jobs/ingest.py'],
  };
  return rng.pick(byArea[area] ?? byArea.api ?? []);
}

/** A line of a project file to edit: the edit's old text is always really in the file. */
export function lineOf(path: string, rng: Rng): string {
  const lines = (FILES[path] ?? '').split('\n').filter((l) => l.trim().length > 12);
  return rng.pick(lines.length ? lines : ['// TODO']);
}
