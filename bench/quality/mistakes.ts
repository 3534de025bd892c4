/**
 * Recurring mistakes: the same wrong move in several sessions of several agents, each time worded
 * differently (other arguments, other error text, other shells, other assistant words), each time followed
 * by the fix, found by the agent itself or given by the person.
 */
import type { Event, Terms } from './model.js';
import { edit, editFail, fail, GO_MODULE, goOk, lineOf, FILES, notFound, pytestOk, read, say, sh, user, vary, vitestOk, type Ctx } from './world.js';

export interface MistakeTemplate {
  id: string;
  /** Templates of one group are never planted together (they would settle each other's items). */
  group: string;
  description: string;
  /** Key terms of a correct memory note about it. */
  terms: Terms;
  /** A note saying it, for corpora where memory already knows this one. */
  memoryLine: string;
  occurrence(c: Ctx, how: 'self' | 'user'): Event[];
}

const pick = <T>(c: Ctx, items: readonly T[]): T => c.rng.pick(items);

export const MISTAKES: MistakeTemplate[] = [
  {
    id: 'docker-compose-v1',
    group: 'compose',
    description: '`docker-compose` (v1) is not installed on the agent machines; the Compose v2 plugin `docker compose` is',
    terms: [['docker compose'], ['docker-compose', 'v1', 'v2', 'plugin']],
    memoryLine: 'Use `docker compose` (the v2 plugin); the old `docker-compose` binary is not installed on the agent machines.',
    occurrence(c, how) {
      const args = pick(c, ['up -d db', 'up -d db redis', '-f compose.dev.yml up -d', 'up -d --wait db', 'ps', 'logs --tail 50 api', 'restart worker']);
      const events: Event[] = [say(pick(c, ["I'll bring up the local services first.", 'Starting the database container.', 'Let me check the containers.', 'First the backing services: Postgres and Redis.']), fail(`docker-compose ${args}`, notFound(c, 'docker-compose'), 127))];
      if (how === 'user') events.push(user(vary(c, ['use `docker compose`, there is no docker-compose on this box', "it's `docker compose` now (the v2 plugin), docker-compose isn't installed", 'docker compose with a space. v1 is long gone.', 'the compose v1 binary was removed from the images, call it as a docker subcommand', 'try docker compose instead of docker-compose'])));
      const out = args.startsWith('ps') ? 'NAME            IMAGE         STATUS\ntidewater-db-1  postgres:16   Up 3 hours (healthy)' : args.startsWith('logs') ? `api-1  | {"level":"INFO","msg":"listening","addr":":8080"}` : `[+] Running ${c.rng.int(1, 3)}/${c.rng.int(1, 3)}\n ✔ Container tidewater-db-1  Started`;
      events.push(say(pick(c, ["The v1 binary isn't installed; using the Compose plugin.", 'Right, `docker compose` it is.', 'Switching to `docker compose`.', 'docker-compose is missing here. Trying the plugin form.']), sh(`docker compose ${args}`, out)));
      return events;
    },
  },
  {
    id: 'pip-externally-managed',
    group: 'pydeps',
    description: '`pip install` into the system Python fails (externally-managed-environment, PEP 668); the jobs use `uv`',
    terms: [['uv'], ['pip*', 'sync', 'install*', 'add', 'depend*', 'deps', 'package*']],
    memoryLine: 'Never `pip install` into the system Python (PEP 668 blocks it); Python deps of `jobs/` go through `uv` (`uv sync`, `uv add`).',
    occurrence(c, how) {
      const variant = c.rng.int(0, 3);
      const failing = ['pip install -r jobs/requirements.txt', `pip3 install polars==1.${c.rng.int(5, 12)}.0`, 'python3 -m pip install -e jobs', 'pip install --user httpx'][variant] ?? '';
      const fix = ['cd jobs && uv sync', `cd jobs && uv add polars==1.${c.rng.int(5, 12)}.0`, 'cd jobs && uv sync', 'cd jobs && uv add httpx'][variant] ?? '';
      const where = c.agent.shell === 'zsh' ? 'brew install xyz' : 'apt install\n    python3-xyz';
      const err = `error: externally-managed-environment\n\n× This environment is externally managed\n╰─> To install Python packages system-wide, try ${where}, where xyz is the package you are trying to\n    install.\n\nnote: If you believe this is a mistake, please contact your Python installation or OS distribution provider. You can override this, at the risk of breaking your Python installation or OS, by passing --break-system-packages.\nhint: See PEP 668 for the detailed specification.`;
      const events: Event[] = [say(pick(c, ['Installing the Python dependencies.', 'I need the package installed first.', 'Setting up the jobs environment.']), fail(failing, err))];
      if (how === 'user') events.push(user(vary(c, ["don't pip install into the system python, the jobs use uv", 'we use uv for jobs/ — `uv sync`', 'no pip please. uv manages that venv.', 'the jobs project is a uv project, add packages with uv add', 'system python is locked down; go through uv'])));
      events.push(say(pick(c, ['The system Python is externally managed; the jobs project uses uv.', 'Using uv instead, which manages the project venv.', 'PEP 668 blocks that. Going through uv.']), sh(fix, `Resolved ${c.rng.int(20, 90)} packages in ${c.rng.int(3, 900)}ms\nInstalled ${c.rng.int(1, 40)} packages in ${c.rng.int(5, 400)}ms`)));
      return events;
    },
  },
  {
    id: 'push-rejected',
    group: 'push',
    description: '`git push` rejected because the remote branch moved; `git pull --rebase` then push',
    terms: [['rebase'], ['push']],
    memoryLine: 'If `git push` is rejected because the remote has new commits, run `git pull --rebase` and push again (never force).',
    occurrence(c, how) {
      const branch = c.branch;
      const fetchFirst = c.rng.chance(0.5);
      const pushCmd = pick(c, ['git push', `git push origin ${branch}`, `git push -u origin ${branch}`]);
      const err = fetchFirst
        ? `To ${c.agent.remote}\n ! [rejected]        ${branch} -> ${branch} (fetch first)\nerror: failed to push some refs to '${c.agent.remote}'\nhint: Updates were rejected because the remote contains work that you do not\nhint: have locally. This is usually caused by another repository pushing to\nhint: the same ref. If you want to integrate the remote changes, use\nhint: 'git pull' before pushing again.`
        : `To ${c.agent.remote}\n ! [rejected]        ${branch} -> ${branch} (non-fast-forward)\nerror: failed to push some refs to '${c.agent.remote}'\nhint: Updates were rejected because the tip of your current branch is behind\nhint: its remote counterpart. If you want to integrate the remote changes,\nhint: use 'git pull' before pushing again.`;
      const events: Event[] = [say(pick(c, ['Pushing the branch.', 'Now pushing.', 'Pushing so CI picks it up.']), fail(pushCmd, err))];
      if (how === 'user') events.push(user(vary(c, ['someone pushed to that branch, pull --rebase and push again', 'rebase on the remote branch first, then push. no force.', 'git pull --rebase, then push', 'the remote moved. integrate it with a rebase before pushing', 'fetch and rebase onto origin, then push again'])));
      const rebase = pick(c, ['git pull --rebase', `git pull --rebase origin ${branch}`, `git fetch origin && git rebase origin/${branch}`]);
      events.push(say(pick(c, ['The remote has commits I do not have; rebasing onto them.', 'Someone else pushed in the meantime. Rebasing first.', 'Rejected as non-fast-forward, so integrating the remote work.']), sh(rebase, `Successfully rebased and updated refs/heads/${branch}.`)));
      events.push(say(undefined, sh(pushCmd, `To ${c.agent.remote}\n   ${c.rng.hex(7)}..${c.rng.hex(7)}  ${branch} -> ${branch}`)));
      return events;
    },
  },
  {
    id: 'go-mod-tidy',
    group: 'gomod',
    description: 'Go builds fail with missing go.sum entries / go.mod updates needed after a dependency change; `go mod tidy` then retry',
    terms: [['go mod tidy', 'tidy']],
    memoryLine: 'After pulling or adding Go dependencies, run `go mod tidy` in `services/api`; builds otherwise fail with missing go.sum entries.',
    occurrence(c, how) {
      const command = pick(c, ['go build ./...', 'go test ./internal/...', 'go vet ./...', 'go run ./cmd/api', 'go test ./internal/store/...']);
      const err = pick(c, [
        'go: updates to go.mod needed; to update it:\n\tgo mod tidy',
        `internal/store/pg.go:${c.rng.int(5, 14)}:2: missing go.sum entry for module providing package github.com/jackc/pgx/v5/pgxpool (imported by ${GO_MODULE}/internal/store); to add:\n\tgo get ${GO_MODULE}/internal/store`,
        `go: github.com/redis/go-redis/v9@v9.${c.rng.int(3, 7)}.${c.rng.int(0, 3)}: missing go.sum entry for go.mod file; to add it:\n\tgo mod download github.com/redis/go-redis/v9`,
      ]);
      const events: Event[] = [say(pick(c, ['Building the API.', 'Checking that it compiles.', 'Running it against the new dependency.']), fail(`cd services/api && ${command}`, err))];
      if (how === 'user') events.push(user(vary(c, ['run go mod tidy, the lock is out of date after the merge', 'go mod tidy first', "that's the go.sum again — tidy the module", 'the module files are stale, tidy them and rebuild', 'you need to tidy go.mod after that dependency bump'])));
      events.push(say(pick(c, ['The module files are out of date; tidying.', 'go.sum is missing entries. Running `go mod tidy`.', 'Tidying the module first.']), sh('cd services/api && go mod tidy', `go: downloading github.com/jackc/pgx/v5 v5.7.${c.rng.int(1, 4)}`)));
      events.push(say(undefined, sh(`cd services/api && ${command}`, command.startsWith('go test') ? goOk(c, ['internal/store', 'internal/orders']) : '')));
      return events;
    },
  },
  {
    id: 'db-not-running',
    group: 'pg',
    description: 'Tests and migrations fail with "connection refused" when the local Postgres container is not up; `docker compose up -d db` first',
    terms: [['compose up', 'start* the db', 'start* the database', 'start* postgres', 'db container', 'database container'], ['db', 'database', 'postgres*']],
    memoryLine: 'Start the local database with `docker compose up -d db` before running store tests, migrations or job tests.',
    occurrence(c, how) {
      const variant = c.rng.int(0, 2);
      const steps = [
        { cmd: 'cd services/api && go test ./internal/store/...', err: `--- FAIL: TestListOrders (0.00s)\n    orders_test.go:${c.rng.int(18, 40)}: connect: failed to connect to \`user=tidewater database=tidewater\`: 127.0.0.1:55432 (localhost): dial error: dial tcp 127.0.0.1:55432: connect: connection refused\nFAIL\nFAIL\t${GO_MODULE}/internal/store\t0.0${c.rng.int(10, 99)}s`, ok: goOk(c, ['internal/store']) },
        { cmd: 'make migrate', err: `migrate -path services/api/migrations -database "$DATABASE_URL" up\nerror: failed to open database: dial tcp [::1]:55432: connect: connection refused\nmake: *** [Makefile:${c.rng.int(20, 60)}: migrate] Error 1`, ok: `${c.rng.int(1, 3)}/u add_${c.rng.pick(['eta', 'cursor', 'index'])} (${c.rng.int(8, 60)}.${c.rng.int(100, 999)}ms)` },
        { cmd: `uv run pytest jobs/tests/test_${c.rng.pick(['ingest', 'backfill'])}.py -q`, err: `E   psycopg.OperationalError: connection failed: connection to server at "127.0.0.1", port 55432 failed: Connection refused\nE   \tIs the server running on that host and accepting TCP/IP connections?\n1 error in 0.${c.rng.int(10, 99)}s`, ok: pytestOk(c) },
      ];
      const step = steps[variant] ?? steps[0]!;
      const events: Event[] = [say(pick(c, ['Running the database tests.', 'Now against the local DB.', 'Applying and testing.']), fail(step.cmd, step.err, variant === 1 ? 2 : 1))];
      if (how === 'user') events.push(user(vary(c, ['the db container is probably not running, start it with docker compose', 'postgres is down locally — docker compose up -d db', 'start the db first', 'bring up the database container and rerun', 'connection refused means the compose db is not up'])));
      events.push(say(pick(c, ['Postgres is not running locally. Starting it.', 'Connection refused: the database container is down.', 'The local DB is not up; starting it.']), sh(pick(c, ['docker compose up -d db', 'docker compose up -d --wait db']), ' ✔ Container tidewater-db-1  Started')));
      events.push(say(undefined, sh(step.cmd, step.ok)));
      return events;
    },
  },
  {
    id: 'edit-before-read',
    group: 'edit',
    description: 'File edits fail when the agent edits from memory (text not in the file / file not read); read the file, then edit',
    terms: [['read*'], ['edit*', 'replace', 'old_string', 'string to replace']],
    memoryLine: 'Read a file right before editing it: edits built from memory fail with "String to replace not found".',
    occurrence(c, how) {
      const file = pick(c, Object.keys(FILES));
      const real = lineOf(file, c.rng);
      const guessed = real.replace(/"/g, "'").replace(/\s+/g, ' ').replace(/\(/, '( ') + (c.rng.chance(0.5) ? ' ' : '');
      const unread = c.format === 'claude-code' && c.rng.chance(0.35);
      const events: Event[] = [say(pick(c, ['Updating the function.', 'Applying the change.', 'Editing the handler.']), editFail(c, file, unread ? real : guessed, `${real} // updated`, unread))];
      if (how === 'user') events.push(user(vary(c, ['read the file before you edit it', 'you are editing from memory again. read it first', 'open the file first, the text has changed', 'look at the current contents before changing them', 'that line is not in the file anymore, re-read it'])));
      events.push(say(pick(c, ["The file doesn't match what I assumed; reading it.", 'Let me read the current contents first.', 'Reading the file to get the exact text.']), read(file, FILES[file] ?? '')));
      events.push(say(undefined, edit(file, real, `${real} // updated`)));
      return events;
    },
  },
  {
    id: 'kubeconfig-expired',
    group: 'kube',
    description: '`kubectl` against staging fails Unauthorized when the EKS credentials expired; `aws eks update-kubeconfig` then retry',
    terms: [['update-kubeconfig', 'kubeconfig']],
    memoryLine: 'When kubectl says "You must be logged in to the server", refresh credentials with `aws eks update-kubeconfig --name tidewater-staging`.',
    occurrence(c, how) {
      const command = pick(c, ['kubectl get pods -n staging', 'kubectl rollout status deploy/api -n staging', 'kubectl logs deploy/worker -n staging --tail=100', 'kubectl describe deploy/api -n staging']);
      const err = c.rng.chance(0.5)
        ? 'error: You must be logged in to the server (Unauthorized)'
        : `E${c.rng.int(1101, 1130)} ${c.rng.int(10, 23)}:${c.rng.int(10, 59)}:0${c.rng.int(1, 9)}.${c.rng.int(100000, 999999)}   ${c.rng.int(1000, 90000)} memcache.go:265] couldn't get current server API group list: the server has asked for the client to provide credentials\nerror: You must be logged in to the server (the server has asked for the client to provide credentials)`;
      const events: Event[] = [say(pick(c, ['Checking staging.', 'Looking at the deployment.', 'Let me see what runs in staging.']), fail(command, err))];
      if (how === 'user') events.push(user(vary(c, ['your kube creds expired, run aws eks update-kubeconfig', 'refresh the kubeconfig for tidewater-staging', 'update-kubeconfig and try again', 'the EKS token timed out, regenerate the kubeconfig', 'log in to the cluster again with aws eks update-kubeconfig'])));
      events.push(say(pick(c, ['The cluster credentials expired; refreshing them.', 'Refreshing the EKS kubeconfig.', 'Unauthorized: the token is stale.']), sh(`aws eks update-kubeconfig --name tidewater-staging --region ${pick(c, ['eu-west-1', 'eu-west-1', 'eu-central-1'])}`, `Updated context arn:aws:eks:eu-west-1:${c.rng.int(100000000000, 999999999999)}:cluster/tidewater-staging in ${c.agent.home}/.kube/config`)));
      events.push(say(undefined, sh(command, 'deployment "api" successfully rolled out')));
      return events;
    },
  },
  {
    id: 'terraform-init',
    group: 'terraform',
    description: 'Terraform plan/validate fail after module or provider changes until `terraform init` (or `init -upgrade`) is run',
    terms: [['init*'], ['terraform', 'provider*', 'module*']],
    memoryLine: 'After a provider or module change, run `terraform init -upgrade` in the stack before `plan`.',
    occurrence(c, how) {
      const command = pick(c, ['terraform plan -var-file=staging.tfvars', 'terraform validate', 'terraform plan -out=tfplan', 'terraform plan']);
      const err = pick(c, [
        'Error: Backend initialization required, please run "terraform init"\n\nReason: Initial configuration of the requested backend "s3"',
        `Error: Inconsistent dependency lock file\n\nThe following dependency selections recorded in the lock file are inconsistent with the current configuration:\n  - provider registry.terraform.io/hashicorp/aws: locked version selection 5.${c.rng.int(40, 70)}.0 doesn't match the updated version constraints "~> 5.${c.rng.int(71, 80)}"\n\nTo update the locked dependency selections to match a changed configuration, run:\n  terraform init -upgrade`,
        `Error: Module not installed\n\n  on main.tf line ${c.rng.int(3, 30)}:\n  ${c.rng.int(3, 30)}: module "${pick(c, ['exports_bucket', 'queue_alerts', 'api'])}" {\n\nThis module is not yet installed. Run "terraform init" to install all modules required by this configuration.`,
      ]);
      const events: Event[] = [say(pick(c, ['Planning the change.', 'Validating the terraform.', "Let's see the plan."]), fail(`cd infra/staging && ${command}`, err))];
      if (how === 'user') events.push(user(vary(c, ['you need to init first, the providers changed', 'terraform init -upgrade, then plan', 'run init, modules moved', 'the lock file changed, init the stack again', 'init the working dir before planning'])));
      const init = pick(c, ['terraform init', 'terraform init -upgrade', 'terraform init -upgrade -input=false']);
      events.push(say(pick(c, ['The working directory needs initializing.', 'Running init first.', 'Init, then the plan again.']), sh(`cd infra/staging && ${init}`, 'Terraform has been successfully initialized!')));
      events.push(say(undefined, sh(`cd infra/staging && ${command}`, command.includes('validate') ? 'Success! The configuration is valid.' : `Plan: ${c.rng.int(0, 2)} to add, ${c.rng.int(1, 3)} to change, 0 to destroy.`)));
      return events;
    },
  },
  {
    id: 'python-not-found',
    group: 'python',
    description: 'There is no `python` on the agent machines, only `python3` (or `uv run python` in jobs/)',
    terms: [['python3', 'uv run'], ['python']],
    memoryLine: 'Call `python3` (or `uv run python` in `jobs/`): there is no bare `python` on the agent machines.',
    occurrence(c, how) {
      const args = pick(c, ['scripts/seed_db.py --orders 200', "-c 'import json,sys; print(json.load(sys.stdin)[\"count\"])' < out.json", 'jobs/cli.py backfill --since 2026-10-01 --dry-run', 'scripts/gen_fixtures.py']);
      const events: Event[] = [say(pick(c, ['Running the script.', 'Quick check with Python.', 'Seeding some data.']), fail(`python ${args}`, notFound(c, 'python'), 127))];
      if (how === 'user') events.push(user(vary(c, ['there is no python here, only python3', 'python3. always python3 on these machines.', 'use uv run python', 'no bare python binary on these boxes, call python3', 'python is not installed, python3 is'])));
      const fixed = c.rng.chance(0.6) ? `python3 ${args}` : `uv run python ${args}`;
      events.push(say(pick(c, ['No bare `python` on this machine.', 'Using python3.', 'Retrying with the right interpreter.']), sh(fixed, pick(c, ['200 orders inserted', '42', 'would backfill 18,311 events (dry run)', 'wrote fixtures/orders.json']))));
      return events;
    },
  },
  {
    id: 'pnpm-add-root',
    group: 'pnpm-add',
    description: '`pnpm add` at the workspace root is refused (ERR_PNPM_ADDING_TO_ROOT); add to the package with `--filter web`',
    terms: [['--filter', 'filter web'], ['add']],
    memoryLine: 'Add web dependencies with `pnpm --filter web add <pkg>`; a bare `pnpm add` at the root is refused (ERR_PNPM_ADDING_TO_ROOT).',
    occurrence(c, how) {
      const pkg = pick(c, ['zod', '-D @types/node', 'date-fns@4', '@tanstack/react-query', '-D msw']);
      const err = ` ERR_PNPM_ADDING_TO_ROOT  Running this command will add the dependency to the workspace root, which might not be what you want - if you really meant it, make it explicit by running this command again with the -w flag (or --workspace-root). If you don't want to see this warning anymore, you may set the ignore-workspace-root-check setting to true.`;
      const events: Event[] = [say(pick(c, ['Adding the dependency.', `Installing ${pkg.replace('-D ', '')}.`, 'Need the package first.']), fail(`pnpm add ${pkg}`, err))];
      if (how === 'user') events.push(user(vary(c, ['add it to web, not the root: --filter web', 'it goes into the web package. pnpm --filter web add', 'not the workspace root please', 'scope it to the web package with --filter', 'the dependency belongs to web, filter the install'])));
      const fixed = c.rng.chance(0.5) ? `pnpm --filter web add ${pkg}` : `pnpm add ${pkg} --filter web`;
      events.push(say(pick(c, ['It belongs to the web package.', 'Adding it to `web` instead of the root.', 'Scoping the install to the web package.']), sh(fixed, `Progress: resolved ${c.rng.int(800, 1200)}, reused ${c.rng.int(700, 800)}, downloaded ${c.rng.int(1, 9)}, added ${c.rng.int(1, 9)}, done\n\ndependencies:\n+ ${pkg.replace('-D ', '')} ${c.rng.int(1, 5)}.${c.rng.int(0, 20)}.${c.rng.int(0, 9)}`)));
      return events;
    },
  },
  {
    id: 'make-check',
    group: 'make',
    description: 'The Makefile has no `test` target; the whole suite runs with `make check`',
    terms: [['make check']],
    memoryLine: 'The full test suite is `make check`; there is no `make test` target.',
    occurrence(c, how) {
      const target = pick(c, ['test', 'tests', 'test-all', 'unit']);
      const events: Event[] = [say(pick(c, ['Running the whole suite.', 'Full test run before I wrap up.', 'Let me run everything.']), fail(`make ${target}`, `make: *** No rule to make target '${target}'.  Stop.`, 2))];
      if (how === 'user') events.push(user(vary(c, ["it's make check in this repo", 'the target is `make check`', 'make check runs everything', 'we call it check, not test', 'use the check target'])));
      else events.push(say(undefined, sh("grep -E '^[a-z-]+:' Makefile", 'build:\ncheck:\nlint:\nmigrate:\ndeploy:\nrun-api:')));
      events.push(say(pick(c, ['The target is `check`.', 'Using the `check` target.', 'Running `make check` instead.']), sh('make check', `${goOk(c, ['internal/orders', 'internal/carriers', 'internal/store'])}\n${vitestOk(c, ['src/lib/format.test.ts'])}\n${pytestOk(c)}`)));
      return events;
    },
  },
];
