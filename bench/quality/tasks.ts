/**
 * Ordinary work: the background of every session. A task in an area (Go API, web app, jobs, infra, reviews),
 * explored, edited and checked, with the everyday failures that are the work itself (a test that fails on
 * the code being changed, a lint error in a new line) and are not lessons for memory.
 */
import type { Event } from './model.js';
import { edit, fail, FILES, fileFor, GO_MODULE, goOk, grep, lineOf, pytestOk, read, say, sh, user, vitestOk, type Ctx } from './world.js';

export interface Skeleton {
  prompt: string;
  /** Blocks of work in order; planted events are spliced in between blocks. */
  body: Event[][];
  /** The commit and the final word (success), or the person giving up (failure). */
  closing: Event[][];
  /** A one-line title, for `summary` lines of later sessions. */
  title: string;
}

interface TaskIdea {
  title: string;
  prompts: string[];
}

const IDEAS: Record<string, TaskIdea[]> = {
  api: [
    { title: 'Pagination on GET /orders', prompts: ['Add cursor pagination to GET /orders (limit + cursor query params).', 'GET /orders returns everything at once; can you page it with a cursor?', 'Page the orders endpoint, cursor-based, default limit 50.'] },
    { title: 'Webhook signature check', prompts: ['Carrier webhooks should be rejected when the HMAC signature does not match. Please add that.', 'Validate the X-Signature header on /webhooks/carrier before we process anything.', 'We accept unsigned carrier webhooks right now. Verify the HMAC.'] },
    { title: 'Carrier client retries', prompts: ['The carrier client gives up on the first 502. Add a retry with backoff (3 attempts).', 'Make carriers.Client retry transient errors, exponential backoff, max 3 tries.', 'Transient carrier errors kill the tracking sync; retry them a few times.'] },
    { title: '404 for unknown carriers', prompts: ['Unknown carrier codes currently return a 500. Return a 404 with a JSON error instead.', 'GET /carriers/{code} 500s for codes we do not know; make that a 404.'] },
    { title: 'Shipment ETA in the API', prompts: ['Expose the computed ETA on GET /shipments/{id}.', 'Add an `eta` field to the shipment response, computed from the last carrier event.', 'The shipment endpoint needs the ETA too.'] },
    { title: 'Index on orders.created_at', prompts: ['Listing recent orders is slow; add an index on orders.created_at and use it.', 'The orders query does a seq scan. Add the index and check the plan.'] },
    { title: 'Rate limit on the public API', prompts: ['Add a per-key rate limit (100 req/min) to the public tracking endpoint.', 'The public tracking endpoint gets hammered by one customer. Rate limit it per API key.'] },
    { title: 'Graceful shutdown', prompts: ['The API drops in-flight requests on deploy. Add graceful shutdown with a 20s drain.', 'Handle SIGTERM in cmd/api so rolling deploys stop cutting requests.'] },
    { title: 'Carrier event dedup', prompts: ['Some carriers send the same event twice; dedupe on (carrier, event id) in the webhook handler.', 'Duplicate carrier events end up in carrier_events. Dedupe them on insert.'] },
    { title: 'Request IDs in logs', prompts: ['Add a request ID middleware and include it in every log line of a request.', 'I cannot correlate log lines of one request. Add request IDs.'] },
  ],
  web: [
    { title: 'ETA on the shipment page', prompts: ['Show the ETA on the shipment detail page, formatted like the orders table.', 'The shipment page needs to display the ETA from the API.', 'Put the ETA on the shipment page, next to the status badge.'] },
    { title: 'Date format in the orders table', prompts: ['Dates in the orders table show in US format; switch to the en-GB format we use elsewhere.', 'Fix the date column of OrdersTable, it ignores the locale.'] },
    { title: 'Empty state for carriers', prompts: ['The carriers list is blank when there are none. Add an empty state.', 'Add a "No carriers yet" empty state to the carriers page.'] },
    { title: 'Debounced search', prompts: ['Debounce the search box on /orders (300 ms), it fires a request per keystroke.', 'The orders search hammers the API; add a debounce.'] },
    { title: 'Weight units', prompts: ['formatWeight prints 1000 g instead of 1.0 kg at the boundary. Fix and test it.', 'Weights of exactly one kilo show as grams. Can you fix the formatter?'] },
    { title: 'Loading skeleton', prompts: ['Add a loading skeleton to the orders table instead of the spinner.', 'Replace the spinner on /orders with a table skeleton.'] },
    { title: 'Copy tracking link', prompts: ['Add a "copy tracking link" button on the shipment page.', 'Customers want to share tracking; add a copy-link button to the shipment view.'] },
    { title: 'Sticky table header', prompts: ['Make the orders table header sticky on scroll.', 'The orders table header scrolls away; pin it.'] },
  ],
  jobs: [
    { title: 'Backfill carrier_events', prompts: ['Write a backfill for carrier_events since 2026-09-01 in the jobs package.', 'We need carrier_events backfilled for September; add a job for it.'] },
    { title: 'Idempotent ingest', prompts: ['Make the ingest job idempotent so re-running a batch does not duplicate events.', 'ingest() inserts duplicates on retry. Fix it with an upsert on the event id.', 'Re-running ingest doubles the events. Upsert instead.'] },
    { title: 'Dry-run for the rates importer', prompts: ['Add a --dry-run flag to the rates importer.', 'The rates importer needs a dry run mode that prints what it would change.'] },
    { title: 'Rates rounding', prompts: ['import_rates rounds half-down on some lanes; use ROUND_HALF_UP and add tests.', 'Rates come out one cent off for some lanes. Check the quantize call.'] },
    { title: 'Ingest metrics', prompts: ['Emit a counter of ingested events per carrier from the ingest job.', 'Add per-carrier metrics to ingest so we can graph volumes.'] },
    { title: 'Stale lanes report', prompts: ['Write a small job that lists lanes without a rate update in 30 days.', 'Which lanes have stale rates? Add a report job.'] },
    { title: 'Batch size setting', prompts: ['Make the ingest batch size configurable through an env var (default 500).', 'Ingest uses a hard-coded batch of 500; make it a setting.'] },
  ],
  infra: [
    { title: 'API replicas in staging', prompts: ['Bump the api replicas in staging to 3.', 'Staging api is CPU bound at peak; scale it to 3 replicas in terraform and the manifest.'] },
    { title: 'Queue depth alert', prompts: ['Add an alert when the webhook queue depth stays above 1000 for 10 minutes.', 'We need an alert on the webhook queue backlog.'] },
    { title: 'Exports bucket', prompts: ['Add the S3 bucket for CSV exports in staging, private, 30 day lifecycle.', 'Create the exports bucket in staging with a 30-day expiry rule.'] },
    { title: 'Staging rollout check', prompts: ['Check that the last staging rollout of the api is healthy and tell me what is running.', 'Is the api in staging on the image we merged this morning? Please check.'] },
    { title: 'Worker memory limit', prompts: ['The worker got OOM-killed twice in staging. Raise its memory limit to 1Gi.', 'Bump the worker memory limit, it keeps getting OOM-killed.'] },
    { title: 'Postgres backup retention', prompts: ['Set the staging RDS backup retention to 14 days.', 'Staging DB keeps only 1 day of backups; make it two weeks.'] },
    { title: 'Readiness probe', prompts: ['Add a readiness probe to the api deployment on /healthz.', 'The api gets traffic before it is ready. Add a readiness probe.'] },
    { title: 'Log retention', prompts: ['Cut the staging log retention to 14 days in CloudWatch.', 'Staging logs are kept forever; set a 14 day retention.'] },
  ],
  review: [
    { title: 'Review: carrier retries', prompts: ['Review PR #%PR% (carrier client retries) and leave comments.', 'Please review #%PR%, the retry change in the carrier client.'] },
    { title: 'Review: ETA formatting', prompts: ['Can you review #%PR%? It changes how ETAs are formatted in the web app.', 'Review PR #%PR% (ETA formatting) and check the tests.'] },
    { title: 'Review: ingest upsert', prompts: ['Review #%PR%: the ingest upsert. Run the job tests locally.', 'Please review PR #%PR% and run its tests.'] },
    { title: 'Review: rate limiting', prompts: ['Take a look at #%PR%, the rate limiter for the public API.', 'Review #%PR% (rate limit middleware).'] },
    { title: 'Review: exports bucket', prompts: ['Review the terraform in #%PR% (exports bucket).', 'Please check #%PR%, it adds the exports bucket.'] },
    { title: 'Review: sticky header', prompts: ['Quick review of #%PR% please, the sticky table header.', 'Review PR #%PR%, small UI change.'] },
  ],
};

/** Ideas are dealt from a shuffled deck per area, so a corpus repeats a task only once the deck is used up. */
export function ideaCount(area: string): number {
  return (IDEAS[area] ?? IDEAS.api ?? []).length;
}

const GIVING_UP = [
  "this still doesn't work, let's stop here",
  'ok this is going in circles. stopping for today.',
  "never mind, I'll pick it up tomorrow myself",
  "let's park this, I need to think about the approach",
  'still red. leave it as is, I will look after lunch',
  'hmm, no luck. stop here please',
  "that's enough for now, thanks",
  'forget it for today',
  'we are not getting anywhere, pause it',
  'leave it, I will pair with someone on this',
];

const START = ['Let me look at the relevant code first.', "I'll start by reading the current implementation.", 'First, the existing code.', 'Looking at how this works today.', 'Let me find where this lives.'];
const EDIT = ['Making the change.', 'Now the edit.', "Here's the change.", 'Updating the code.', 'Applying the fix.'];
const VERIFY = ['Running the tests for this package.', 'Checking that it still builds and passes.', 'Verifying.', 'Now the tests.', 'Let me run the checks.'];

/**
 * `deal` is the how-many-th time this area's idea comes up in the corpus: a task given again is worded
 * another way; `closing` picks the words a person gives up with.
 */
export function skeleton(c: Ctx, area: string, outcome: 'success' | 'failure', deal: { idea: number; round: number; closing: number }): Skeleton {
  const { rng } = c;
  const ideas = IDEAS[area] ?? IDEAS.api ?? [];
  const idea = ideas[deal.idea % ideas.length] ?? rng.pick(ideas);
  const pr = String(rng.int(310, 760));
  const prompt = (idea.prompts[deal.round % idea.prompts.length] ?? idea.prompts[0] ?? '').replace('%PR%', pr);
  const file = fileFor(area, rng);
  const body: Event[][] = [];

  // Explore.
  const explore: Event[] = [];
  if (area === 'review') {
    explore.push(say(rng.pick(['Pulling up the PR.', 'Let me read the PR first.']), sh(`gh pr view ${pr}`, prView(c, pr, idea.title))));
    explore.push(say(undefined, sh(`gh pr diff ${pr}`, `diff --git a/${file} b/${file}\nindex ${rng.hex(7)}..${rng.hex(7)} 100644\n--- a/${file}\n+++ b/${file}\n@@ -12,6 +12,9 @@\n+  // ${idea.title.toLowerCase()}\n`)));
  } else {
    const found = lineOf(file, rng).trim();
    const pattern = found.split(/[^A-Za-z_]+/).filter((w) => w.length > 3)[0] ?? found.slice(0, 8);
    explore.push(say(rng.pick(START), grep(pattern, `${file}:${rng.int(3, 40)}:${found}`)));
    explore.push(say(undefined, read(file, FILES[file] ?? '')));
  }
  body.push(explore);

  // Edit.
  if (area !== 'review') {
    const line = lineOf(file, rng);
    body.push([say(rng.pick(EDIT), edit(file, line, `${line}\n${indentOf(line)}${commentFor(file)} ${idea.title.toLowerCase()}`))]);
    if (rng.chance(0.4)) {
      const second = lineOf(file, rng);
      if (second !== line) body.push([say(undefined, edit(file, second, second.replace(/\s+$/, '')))]);
    }
  }

  // Verify, sometimes with a failure that is the work itself.
  const check = checkCommand(c, area, file);
  const verify: Event[] = [];
  if (rng.chance(0.35)) {
    const broken = incidentalFailure(c, area, file);
    verify.push(say(rng.pick(VERIFY), fail(check.command, broken, area === 'api' ? 1 : 1)));
    const line = lineOf(file, rng);
    verify.push(say(rng.pick(['That failure is in the code I just changed; fixing it.', 'My change broke that; adjusting.', 'Right, I missed a case.']), edit(file, line, `${line} `)));
  }
  verify.push(say(verify.length ? undefined : rng.pick(VERIFY), sh(check.command, check.ok)));
  body.push(verify);

  if (area === 'infra' && rng.chance(0.5)) {
    body.push([say(undefined, sh('kubectl get pods -n staging', podList(c)))]);
  }

  const closing: Event[][] = [];
  if (outcome === 'failure') {
    closing.push([user(GIVING_UP[deal.closing % GIVING_UP.length] ?? '')]);
    closing.push([say(rng.pick(['Understood. Summary of where it stands: the change is not done.', 'Stopping here; the branch has my partial change.']))]);
  } else {
    if (area === 'review') {
      closing.push([say(undefined, sh(`gh pr review ${pr} --comment -b "${reviewComment(c)}"`, `- Reviewed pull request tidewater-io/tidewater#${pr}`))]);
    } else if (rng.chance(0.65)) {
      const subject = `${rng.pick(['feat', 'fix', 'chore', 'refactor'])}(${area}): ${idea.title.toLowerCase()}`;
      closing.push([say(undefined, sh(`git add -A && git commit -m "${subject}"`, `[${c.branch} ${rng.hex(7)}] ${subject}\n ${rng.int(1, 5)} files changed, ${rng.int(4, 90)} insertions(+), ${rng.int(0, 30)} deletions(-)`))]);
    }
    closing.push([say(finalWord(c, idea.title, file))]);
  }
  return { prompt, body, closing, title: idea.title };
}

function indentOf(line: string): string {
  return /^\s*/.exec(line)?.[0] ?? '';
}

function commentFor(file: string): string {
  if (file.endsWith('.py') || file.endsWith('.tf') || file.endsWith('.yaml')) return '#';
  return '//';
}

function checkCommand(c: Ctx, area: string, file: string): { command: string; ok: string } {
  const { rng } = c;
  switch (area) {
    case 'api': {
      const pkg = file.replace('services/api/', '').replace(/\/[^/]+$/, '');
      return rng.pick([
        { command: `cd services/api && go test ./${pkg}/...`, ok: goOk(c, [pkg]) },
        { command: `go test ./${pkg}/... -run ${rng.pick(['TestList', 'TestTrack', 'TestVerify', 'TestHandler'])}`, ok: goOk(c, [pkg]) },
      ]);
    }
    case 'web': {
      const test = file.replace('web/', '').replace(/\.tsx?$/, '.test.ts');
      return rng.pick([
        { command: `pnpm --filter web exec vitest run ${test}`, ok: vitestOk(c, [test]) },
        { command: `cd web && pnpm vitest run ${test}`, ok: vitestOk(c, [test]) },
      ]);
    }
    case 'jobs':
    case 'review':
      return rng.pick([
        { command: `uv run pytest jobs/tests -q -k ${rng.pick(['ingest', 'rates', 'backfill'])}`, ok: pytestOk(c) },
        { command: `cd jobs && uv run pytest tests/test_${rng.pick(['ingest', 'rates'])}.py -q`, ok: pytestOk(c) },
      ]);
    default:
      return rng.pick([
        { command: 'terraform -chdir=infra/staging plan -var-file=staging.tfvars -lock=false', ok: `Plan: ${rng.int(0, 3)} to add, ${rng.int(1, 4)} to change, 0 to destroy.` },
        { command: 'kubectl diff -f k8s/staging/api.yaml', ok: `-  replicas: 2\n+  replicas: ${rng.int(3, 4)}` },
      ]);
  }
}

/** A failure caused by the change under way: different every time, fixed by editing code. */
function incidentalFailure(c: Ctx, area: string, file: string): string {
  const { rng } = c;
  switch (area) {
    case 'api': {
      const test = rng.pick(['TestListOrders_Cursor', 'TestTrack_Retries', 'TestVerify_BadSignature', 'TestUnknownCarrier', 'TestETA_FromEvents']);
      return `--- FAIL: ${test} (0.0${rng.int(0, 9)}s)\n    ${file.split('/').pop()?.replace('.go', '_test.go')}:${rng.int(20, 140)}: got ${rng.int(0, 5)}, want ${rng.int(6, 9)}\nFAIL\nFAIL\t${GO_MODULE}/${file.replace('services/api/', '').replace(/\/[^/]+$/, '')}\t0.${rng.int(10, 99)}s\nFAIL`;
    }
    case 'web':
      return rng.pick([
        ` FAIL  src/lib/format.test.ts > formatEta > ${rng.pick(['formats midnight', 'handles null', 'uses 24h time'])}\nAssertionError: expected '${rng.int(1, 28)} Nov 2026, ${rng.int(10, 23)}:00' to be '${rng.int(1, 28)} Nov 2026, ${rng.int(10, 23)}:30'`,
        `src/components/OrdersTable.tsx(${rng.int(5, 30)},${rng.int(3, 20)}): error TS2345: Argument of type 'string | null' is not assignable to parameter of type 'string'.`,
      ]);
    case 'infra':
      return `Error: Unsupported argument\n\n  on main.tf line ${rng.int(3, 30)}, in module "api":\n  ${rng.int(3, 30)}:   ${rng.pick(['replica_count', 'cpu_limit', 'min_replicas'])} = ${rng.int(2, 4)}\n\nAn argument named "${rng.pick(['replica_count', 'cpu_limit', 'min_replicas'])}" is not expected here.`;
    default:
      return `FAILED jobs/tests/test_${rng.pick(['ingest', 'rates', 'backfill'])}.py::test_${rng.pick(['upsert_twice', 'dry_run_prints', 'quantize_rate', 'since_filter'])} - AssertionError: assert ${rng.int(1, 9)} == ${rng.int(10, 20)}\n1 failed, ${rng.int(3, 30)} passed in 0.${rng.int(10, 99)}s`;
  }
}

function podList(c: Ctx): string {
  const rows = ['NAME                      READY   STATUS    RESTARTS   AGE'];
  for (const name of ['api', 'api', 'worker']) rows.push(`${name}-${c.rng.hex(9)}-${c.rng.chars(5, 'abcdefghijklmnopqrstuvwxyz0123456789')}   1/1     Running   0          ${c.rng.int(2, 70)}m`);
  return rows.join('\n');
}

function prView(c: Ctx, pr: string, title: string): string {
  return `${title} #${pr}\nOpen • ${c.rng.pick(['mika-tw', 'jules-k', 'ravi-ops'])} wants to merge 1 commit into main from ${c.rng.pick(['feat', 'fix'])}/${title.toLowerCase().replace(/[^a-z]+/g, '-')}\n+${c.rng.int(10, 200)} -${c.rng.int(0, 80)}\n\n  ${title}. Tests added.\n\nView this pull request on GitHub: https://github.com/tidewater-io/tidewater/pull/${pr}`;
}

function reviewComment(c: Ctx): string {
  return c.rng.pick(['Looks good overall; one question on the error path inline.', 'Two nits inline, otherwise fine.', 'Tests cover the happy path only; please add the failure case.']);
}

function finalWord(c: Ctx, title: string, file: string): string {
  return c.rng.pick([
    `Done. ${title}: changed \`${file}\`; tests pass.`,
    `${title} is in place (\`${file}\`). Everything passes locally.`,
    `Finished: ${title.toLowerCase()}. The change is in \`${file}\` and the checks are green.`,
  ]);
}
