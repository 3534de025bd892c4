/**
 * The webhook payloads GitHub hands a workflow run in GITHUB_EVENT_PATH, built from the fake GitHub's state, for
 * tests of code that runs on `pull_request` and `issue_comment` events (a reviewer editing the pull request's
 * body, commenting on it, closing it).
 *
 * Shaped as docs.github.com documents them (webhook events and payloads: `pull_request`, `issue_comment`), with
 * the fields a consumer reads rather than every field GitHub sends. URLs under the API point at the fake, as the
 * fake's own answers do; pages point at https://github.com.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  authorAssociation,
  userType,
  type AuthorAssociation,
  type FakeComment,
  type FakeGitHub,
  type FakePull,
} from './fake-github.js';

export type PullRequestAction = 'edited' | 'closed' | 'opened' | 'reopened' | 'synchronize';
export type SenderType = 'User' | 'Bot';

export interface EventUser {
  login: string;
  type: SenderType;
}

export interface EventRepository {
  name: string;
  full_name: string;
  owner: EventUser;
  private: boolean;
  html_url: string;
  default_branch: string;
}

export interface EventPullRequest {
  url: string;
  html_url: string;
  number: number;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  merged_at: string | null;
  merge_commit_sha: string | null;
  title: string;
  body: string | null;
  user: EventUser;
  author_association: AuthorAssociation;
  head: { label: string; ref: string; sha: string };
  base: { label: string; ref: string; sha: string };
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export interface PullRequestPayload {
  action: PullRequestAction;
  number: number;
  pull_request: EventPullRequest;
  /** For `edited`: the previous values of what changed. */
  changes?: { body?: { from: string } };
  repository: EventRepository;
  sender: EventUser;
}

export interface IssueCommentPayload {
  action: 'created';
  issue: {
    url: string;
    html_url: string;
    number: number;
    title: string;
    state: 'open' | 'closed';
    body: string | null;
    user: EventUser;
    labels: { name: string }[];
    /** Present because the issue is a pull request (every issue in the fake is one). */
    pull_request: { url: string; html_url: string; diff_url: string; patch_url: string; merged_at: string | null };
  };
  comment: {
    id: number;
    url: string;
    html_url: string;
    issue_url: string;
    body: string;
    user: EventUser;
    author_association: AuthorAssociation;
    created_at: string;
    updated_at: string;
  };
  repository: EventRepository;
  sender: EventUser;
}

export interface PullRequestEvent {
  name: 'pull_request';
  payload: PullRequestPayload;
}

export interface IssueCommentEvent {
  name: 'issue_comment';
  payload: IssueCommentPayload;
}

export type GitHubEvent = PullRequestEvent | IssueCommentEvent;

export interface PullRequestEventOptions {
  /** Who acted; the pull request's author when left out. */
  sender?: string;
  /** Bot for a `name[bot]` login, User otherwise, when left out. */
  senderType?: SenderType;
  changes?: { body?: { from: string } };
}

/**
 * The `pull_request` event for pull request `number` as the fake has it now. Throws when the action does not fit
 * its state (`closed` for an open one, `opened`, `reopened` or `synchronize` for a closed one). `head.sha` is the
 * fake's last known head, refreshed whenever the fake serves the pull request. For `synchronize`, GitHub's
 * `before` and `after` are left out.
 */
export function pullRequestEvent(
  fake: FakeGitHub,
  number: number,
  action: PullRequestAction,
  options: PullRequestEventOptions = {},
): PullRequestEvent {
  const pull = pullOf(fake, number);
  const needsOpen = action === 'opened' || action === 'reopened' || action === 'synchronize';
  if ((action === 'closed' && pull.state !== 'closed') || (needsOpen && pull.state !== 'open')) {
    throw new Error(`a '${action}' event for #${number}, which is ${pull.state}: close or reopen it first`);
  }
  const sender = options.sender ?? pull.user;
  return {
    name: 'pull_request',
    payload: {
      action,
      number: pull.number,
      pull_request: pullRequestJson(fake, pull),
      ...(options.changes ? { changes: options.changes } : {}),
      repository: repositoryJson(fake),
      sender: eventUser(sender, options.senderType),
    },
  };
}

/** The `issue_comment` event GitHub sends when `comment` (say from `fake.commentAs`) was posted. */
export function issueCommentEvent(
  fake: FakeGitHub,
  comment: FakeComment,
  options: { senderType?: SenderType } = {},
): IssueCommentEvent {
  const pull = pullOf(fake, comment.issueNumber);
  const api = apiRepoUrl(fake);
  const html = htmlRepoUrl(fake);
  const author = eventUser(comment.user, options.senderType);
  return {
    name: 'issue_comment',
    payload: {
      action: 'created',
      issue: {
        url: `${api}/issues/${pull.number}`,
        html_url: `${html}/pull/${pull.number}`,
        number: pull.number,
        title: pull.title,
        state: pull.state,
        body: pull.body,
        user: eventUser(pull.user),
        labels: pull.labels.map((name) => ({ name })),
        pull_request: {
          url: `${api}/pulls/${pull.number}`,
          html_url: `${html}/pull/${pull.number}`,
          diff_url: `${html}/pull/${pull.number}.diff`,
          patch_url: `${html}/pull/${pull.number}.patch`,
          merged_at: pull.mergedAt,
        },
      },
      comment: {
        id: comment.id,
        url: `${api}/issues/comments/${comment.id}`,
        html_url: `${html}/pull/${pull.number}#issuecomment-${comment.id}`,
        issue_url: `${api}/issues/${pull.number}`,
        body: comment.body,
        user: author,
        author_association: authorAssociation(fake.owner, comment.user, fake.roleOf(comment.user)),
        created_at: comment.createdAt,
        updated_at: comment.updatedAt,
      },
      repository: repositoryJson(fake),
      sender: author,
    },
  };
}

/**
 * Writes the event's payload as JSON to a new file in `dir`, as the runner does, and returns the variables that
 * name it for the run.
 */
export async function writeEvent(
  dir: string,
  event: GitHubEvent,
): Promise<{ GITHUB_EVENT_NAME: string; GITHUB_EVENT_PATH: string }> {
  const file = path.resolve(dir, `event-${event.name}-${randomUUID()}.json`);
  await writeFile(file, `${JSON.stringify(event.payload, null, 2)}\n`);
  return { GITHUB_EVENT_NAME: event.name, GITHUB_EVENT_PATH: file };
}

// ---- shapes ----

function pullOf(fake: FakeGitHub, number: number): FakePull {
  const pull = fake.state.pulls.find((candidate) => candidate.number === number);
  if (!pull) throw new Error(`the fake GitHub has no pull request #${number}`);
  return pull;
}

function apiRepoUrl(fake: FakeGitHub): string {
  return `${fake.url}/repos/${fake.owner}/${fake.repo}`;
}

function htmlRepoUrl(fake: FakeGitHub): string {
  return `https://github.com/${fake.owner}/${fake.repo}`;
}

function eventUser(login: string, type?: SenderType): EventUser {
  return { login, type: type ?? userType(login) };
}

function repositoryJson(fake: FakeGitHub): EventRepository {
  return {
    name: fake.repo,
    full_name: `${fake.owner}/${fake.repo}`,
    owner: eventUser(fake.owner),
    // The fake's repository is public, as its `GET /repos/{owner}/{repo}` says.
    private: false,
    html_url: htmlRepoUrl(fake),
    default_branch: fake.defaultBranch,
  };
}

function pullRequestJson(fake: FakeGitHub, pull: FakePull): EventPullRequest {
  const branch = (ref: { ref: string; sha: string }) => ({ label: `${fake.owner}:${ref.ref}`, ref: ref.ref, sha: ref.sha });
  return {
    url: `${apiRepoUrl(fake)}/pulls/${pull.number}`,
    html_url: `${htmlRepoUrl(fake)}/pull/${pull.number}`,
    number: pull.number,
    state: pull.state,
    draft: pull.draft,
    merged: pull.merged,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    title: pull.title,
    body: pull.body,
    user: eventUser(pull.user),
    author_association: authorAssociation(fake.owner, pull.user, fake.roleOf(pull.user)),
    head: branch(pull.head),
    base: branch(pull.base),
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
  };
}
