/**
 * The webhook payload a workflow run gets (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH), read as what a reviewer did on a
 * pull request: edited its body, closed it, or commented on it. Pure: the payload's text in, a plain value out. A
 * payload is GitHub's, but every string in it was typed by someone; only its shape is trusted.
 */
import { BRANCH_PREFIX } from '../cycle/history.js';

export interface Sender {
  login: string;
  /** A GitHub App or another bot: never obeyed, so that two bots cannot answer each other forever. */
  bot: boolean;
}

export type ReviewEvent =
  | { kind: 'body-edited'; pull: number; branch: string; headSha: string; before: string; after: string; sender: Sender }
  | { kind: 'closed'; pull: number; branch: string; merged: boolean; sender: Sender }
  | { kind: 'comment'; pull: number; commentId: number; body: string; sender: Sender }
  | { kind: 'ignored'; reason: string };

type Json = Record<string, unknown>;

export function readReviewEvent(name: string | undefined, payloadText: string | undefined): ReviewEvent {
  if (!name) return ignored('no GITHUB_EVENT_NAME: not a workflow run on a GitHub event');
  let payload: Json;
  try {
    payload = object(JSON.parse(payloadText ?? 'null'));
  } catch {
    return ignored(`the ${name} event's payload (GITHUB_EVENT_PATH) is missing or not JSON`);
  }
  if (name === 'pull_request' || name === 'pull_request_target') return pullRequestEvent(name, payload);
  if (name === 'issue_comment') return commentEvent(payload);
  return ignored(`a ${name} event is nothing a reviewer did on a pull request (respond handles pull_request and issue_comment)`);
}

function pullRequestEvent(name: string, payload: Json): ReviewEvent {
  const action = text(payload.action);
  const pull = object(payload.pull_request);
  const number = integer(pull.number);
  const branch = text(object(pull.head).ref);
  if (number === undefined) return ignored(`the ${name} payload has no pull request number`);
  if (!branch.startsWith(BRANCH_PREFIX)) return ignored(`pull request #${number} is not a dream cycle's (its branch ${branch || '(none)'} does not start with ${BRANCH_PREFIX})`);
  const sender = senderOf(payload);
  if (action === 'closed') return { kind: 'closed', pull: number, branch, merged: pull.merged === true, sender };
  if (action !== 'edited') return ignored(`pull request #${number} was ${action || 'changed'}: nothing to do (respond acts on edited and closed)`);
  const changes = object(object(payload.changes).body);
  if (typeof changes.from !== 'string') return ignored(`pull request #${number}: its title or base changed, not its body`);
  return { kind: 'body-edited', pull: number, branch, headSha: text(object(pull.head).sha), before: changes.from, after: text(pull.body), sender };
}

function commentEvent(payload: Json): ReviewEvent {
  const issue = object(payload.issue);
  const number = integer(issue.number);
  if (number === undefined) return ignored('the issue_comment payload has no issue number');
  if (issue.pull_request === undefined || issue.pull_request === null) return ignored(`#${number} is an issue, not a pull request`);
  if (text(payload.action) !== 'created') return ignored(`a comment on #${number} was ${text(payload.action) || 'changed'}: only new comments are read`);
  const comment = object(payload.comment);
  const id = integer(comment.id);
  if (id === undefined) return ignored(`the comment on #${number} has no id`);
  const user = object(comment.user);
  return { kind: 'comment', pull: number, commentId: id, body: text(comment.body), sender: { login: text(user.login) || senderOf(payload).login, bot: isBot(user) || senderOf(payload).bot } };
}

function senderOf(payload: Json): Sender {
  const sender = object(payload.sender);
  return { login: text(sender.login), bot: isBot(sender) };
}

function isBot(user: Json): boolean {
  return user.type === 'Bot' || text(user.login).endsWith('[bot]');
}

function ignored(reason: string): ReviewEvent {
  return { kind: 'ignored', reason };
}

function object(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function integer(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
