/**
 * The fake GitHub as reviewers meet it on a pull request's page: their permission on the repository, reactions
 * to comments, people commenting and editing the body, and the webhook payloads those actions give a workflow.
 * Driven by the real @octokit/rest client, as reverie drives GitHub.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Octokit } from '@octokit/rest';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { issueCommentEvent, pullRequestEvent, writeEvent } from '../helpers/github-events.js';
import { makeTempDir } from '../helpers/git.js';

const OWNER = 'octo';
const REPO = 'memory';
const TOKEN = 'test-token-not-secret';
const repo = { owner: OWNER, repo: REPO };

const quietLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(): Promise<{ fake: FakeGitHub; github: Octokit }> {
  const fake = await startFakeGitHub({ ...repo, token: TOKEN });
  cleanups.push(() => fake.close());
  return { fake, github: new Octokit({ baseUrl: fake.url, auth: TOKEN, log: quietLog }) };
}

/** A fake with pull request #1 open, from dream/1 (the fake's virtual repository has every branch). */
async function startWithPull(): Promise<{ fake: FakeGitHub; github: Octokit }> {
  const started = await start();
  await started.github.pulls.create({ ...repo, head: 'dream/1', base: 'main', title: 'Dream 1', body: 'first' });
  return started;
}

describe('fake GitHub: collaborator permission', () => {
  it('answers the role and GitHub\'s legacy permission; the fake\'s own login is admin', async () => {
    const { fake, github } = await start();
    fake.setPermission('writer', 'write');
    fake.setPermission('keeper', 'maintain');
    fake.setPermission('triager', 'triage');
    fake.setPermission('Reader', 'read');
    const permission = async (username: string) => {
      const { status, data } = await github.repos.getCollaboratorPermissionLevel({ ...repo, username });
      return { status, permission: data.permission, role_name: data.role_name, login: data.user?.login, type: data.user?.type };
    };

    expect(await permission(OWNER)).toEqual({ status: 200, permission: 'admin', role_name: 'admin', login: OWNER, type: 'User' });
    expect(await permission('writer')).toMatchObject({ permission: 'write', role_name: 'write' });
    expect(await permission('keeper')).toMatchObject({ permission: 'write', role_name: 'maintain' });
    expect(await permission('triager')).toMatchObject({ permission: 'read', role_name: 'triage' });
    // Logins are case-insensitive on GitHub.
    expect(await permission('reader')).toMatchObject({ permission: 'read', role_name: 'read', login: 'reader' });
    expect(await permission('stranger')).toEqual({ status: 200, permission: 'none', role_name: 'none', login: 'stranger', type: 'User' });

    const { data } = await github.repos.getCollaboratorPermissionLevel({ ...repo, username: 'keeper' });
    expect(data.user).toMatchObject({
      role_name: 'maintain',
      permissions: { admin: false, maintain: true, push: true, triage: true, pull: true },
    });

    fake.setPermission('writer', 'none');
    expect(await permission('writer')).toMatchObject({ permission: 'none', role_name: 'none' });
    expect(fake.roleOf('WRITER')).toBe('none');
    expect(fake.roleOf('keeper')).toBe('maintain');
    expect(fake.violations).toEqual([]);
  });

  it('the login the token stands for, when not the owner, is the admin', async () => {
    const fake = await startFakeGitHub({ ...repo, token: TOKEN, login: 'github-actions[bot]' });
    cleanups.push(() => fake.close());
    const github = new Octokit({ baseUrl: fake.url, auth: TOKEN, log: quietLog });
    const { data } = await github.repos.getCollaboratorPermissionLevel({ ...repo, username: 'github-actions[bot]' });
    expect(data).toMatchObject({ permission: 'admin', role_name: 'admin', user: { login: 'github-actions[bot]', type: 'Bot' } });
    expect(fake.roleOf(OWNER)).toBe('none');
  });

  it('another repository is not found', async () => {
    const { github } = await start();
    await expect(github.repos.getCollaboratorPermissionLevel({ owner: OWNER, repo: 'other', username: OWNER })).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe('fake GitHub: reactions to issue comments', () => {
  it('records a reaction (201), answers the same one again with 200, and 404 for an unknown comment', async () => {
    const { fake, github } = await startWithPull();
    const comment = (await github.issues.createComment({ ...repo, issue_number: 1, body: 'reverie: 3 changes' })).data;

    const created = await github.reactions.createForIssueComment({ ...repo, comment_id: comment.id, content: '+1' });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ content: '+1', user: { login: OWNER, type: 'User' } });
    expect(created.data.id).toEqual(expect.any(Number));
    expect(created.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(fake.state.reactions).toEqual([{ commentId: comment.id, content: '+1', user: OWNER }]);

    const again = await github.reactions.createForIssueComment({ ...repo, comment_id: comment.id, content: '+1' });
    expect(again.status).toBe(200);
    expect(again.data.id).toBe(created.data.id);
    await github.reactions.createForIssueComment({ ...repo, comment_id: comment.id, content: 'eyes' });
    expect(fake.state.reactions.map((reaction) => reaction.content)).toEqual(['+1', 'eyes']);

    await expect(github.reactions.createForIssueComment({ ...repo, comment_id: 999, content: 'heart' })).rejects.toMatchObject({
      status: 404,
      response: { data: { message: 'Not Found' } },
    });
    expect(fake.state.reactions).toHaveLength(2);
    expect(fake.violations).toEqual([]);
  });

  it('refuses a content outside GitHub\'s list with 422, and records the violation', async () => {
    const { fake, github } = await startWithPull();
    const comment = fake.commentAs(1, 'alice', 'hello');
    // The cast stands for a caller whose types drifted from GitHub's.
    const content = 'thumbsup' as '+1';
    await expect(github.reactions.createForIssueComment({ ...repo, comment_id: comment.id, content })).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'Validation Failed', errors: [{ field: 'content', code: 'invalid' }] } },
    });
    expect(fake.state.reactions).toEqual([]);
    expect(fake.violations).toEqual([expect.stringMatching(/^POST \/repos\/octo\/memory\/issues\/comments\/\d+\/reactions: content:/)]);
  });
});

describe('fake GitHub: people on the pull request\'s page', () => {
  it('commentAs: the comment is the person\'s, seen through the API with their association', async () => {
    const { fake, github } = await startWithPull();
    fake.setPermission('bob', 'write');
    const fromAlice = fake.commentAs(1, 'alice', '/reverie revert a1b2c3d4');
    const fromBob = fake.commentAs(1, 'bob', 'fine by me');
    expect(fromAlice).toMatchObject({ issueNumber: 1, user: 'alice', body: '/reverie revert a1b2c3d4' });
    expect(fromBob.id).not.toBe(fromAlice.id);

    const listed = (await github.issues.listComments({ ...repo, issue_number: 1 })).data;
    expect(listed.map((c) => [c.id, c.user?.login, c.body, c.author_association])).toEqual([
      [fromAlice.id, 'alice', '/reverie revert a1b2c3d4', 'NONE'],
      [fromBob.id, 'bob', 'fine by me', 'COLLABORATOR'],
    ]);
    expect(() => fake.commentAs(7, 'alice', 'hi')).toThrow(/#7.*Not Found/);
    expect(fake.violations).toEqual([]);
  });

  it('editPullBodyAs: the new body is served, the old one returned; only the author or a writer may edit', async () => {
    const { fake, github } = await startWithPull();
    const before = fake.state.pulls[0]?.updatedAt ?? '';
    fake.setPermission('carol', 'maintain');
    expect(fake.editPullBodyAs(1, 'carol', 'second')).toEqual({ from: 'first' });
    const pull = (await github.pulls.get({ ...repo, pull_number: 1 })).data;
    expect(pull.body).toBe('second');
    expect(pull.updated_at >= before).toBe(true);

    // The author (the fake's login, who opened it) may edit too.
    expect(fake.editPullBodyAs(1, OWNER, 'third')).toEqual({ from: 'second' });
    fake.setPermission('tria', 'triage');
    expect(() => fake.editPullBodyAs(1, 'tria', 'vandal')).toThrow(/would not let tria/);
    expect(() => fake.editPullBodyAs(1, 'stranger', 'vandal')).toThrow(/would not let stranger/);
    expect(() => fake.editPullBodyAs(9, OWNER, 'x')).toThrow(/#9/);
    expect((await github.pulls.get({ ...repo, pull_number: 1 })).data.body).toBe('third');
  });
});

describe('webhook payloads for a workflow run', () => {
  it('pull_request: the documented fields, from the fake\'s state', async () => {
    const { fake } = await startWithPull();
    fake.setPermission('carol', 'write');
    const { from } = fake.editPullBodyAs(1, 'carol', 'edited by carol');
    const event = pullRequestEvent(fake, 1, 'edited', { sender: 'carol', changes: { body: { from } } });
    const pull = fake.state.pulls[0];

    expect(event.name).toBe('pull_request');
    expect(event.payload).toMatchObject({
      action: 'edited',
      number: 1,
      pull_request: {
        number: 1,
        url: `${fake.url}/repos/${OWNER}/${REPO}/pulls/1`,
        html_url: `https://github.com/${OWNER}/${REPO}/pull/1`,
        state: 'open',
        merged: false,
        title: 'Dream 1',
        body: 'edited by carol',
        head: { ref: 'dream/1', sha: pull?.head.sha },
        base: { ref: 'main', sha: pull?.base.sha },
        user: { login: OWNER, type: 'User' },
        author_association: 'OWNER',
      },
      changes: { body: { from: 'first' } },
      repository: { full_name: `${OWNER}/${REPO}`, name: REPO, owner: { login: OWNER }, default_branch: 'main' },
      sender: { login: 'carol', type: 'User' },
    });
    expect(pull?.head.sha).toMatch(/^[0-9a-f]{40}$/);

    const opened = pullRequestEvent(fake, 1, 'opened').payload;
    expect(opened).not.toHaveProperty('changes');
    expect(opened.sender).toEqual({ login: OWNER, type: 'User' });
    expect(pullRequestEvent(fake, 1, 'edited', { sender: 'helper-app', senderType: 'Bot' }).payload.sender).toEqual({
      login: 'helper-app',
      type: 'Bot',
    });
    expect(pullRequestEvent(fake, 1, 'synchronize', { sender: 'github-actions[bot]' }).payload.sender.type).toBe('Bot');
    expect(() => pullRequestEvent(fake, 1, 'closed')).toThrow(/which is open/);
    expect(() => pullRequestEvent(fake, 2, 'opened')).toThrow(/#2/);
  });

  it('pull_request closed: merged or not, as the fake has it', async () => {
    const { fake, github } = await startWithPull();
    await github.pulls.create({ ...repo, head: 'dream/2', base: 'main', title: 'Dream 2' });
    await github.pulls.update({ ...repo, pull_number: 2, state: 'closed' });
    const mergeSha = await fake.mergePull(1, 'squash');

    expect(pullRequestEvent(fake, 1, 'closed').payload.pull_request).toMatchObject({
      state: 'closed',
      merged: true,
      merge_commit_sha: mergeSha,
      merged_at: expect.stringMatching(/Z$/),
    });
    expect(pullRequestEvent(fake, 2, 'closed', { sender: 'dana' }).payload).toMatchObject({
      pull_request: { state: 'closed', merged: false, merged_at: null, body: null },
      sender: { login: 'dana' },
    });
    expect(() => pullRequestEvent(fake, 2, 'reopened')).toThrow(/which is closed/);
  });

  it('issue_comment: the issue is the pull request, the comment and sender the person\'s', async () => {
    const { fake } = await startWithPull();
    const comment = fake.commentAs(1, 'alice', '/reverie revert a1b2c3d4');
    const event = issueCommentEvent(fake, comment);

    expect(event.name).toBe('issue_comment');
    expect(event.payload).toMatchObject({
      action: 'created',
      issue: {
        number: 1,
        title: 'Dream 1',
        state: 'open',
        pull_request: {
          url: `${fake.url}/repos/${OWNER}/${REPO}/pulls/1`,
          html_url: `https://github.com/${OWNER}/${REPO}/pull/1`,
        },
      },
      comment: {
        id: comment.id,
        body: '/reverie revert a1b2c3d4',
        user: { login: 'alice', type: 'User' },
        html_url: `https://github.com/${OWNER}/${REPO}/pull/1#issuecomment-${comment.id}`,
        author_association: 'NONE',
      },
      repository: { full_name: `${OWNER}/${REPO}`, name: REPO, owner: { login: OWNER } },
      sender: { login: 'alice', type: 'User' },
    });

    const fromBot = fake.commentAs(1, 'reverie-app', 'done');
    const botEvent = issueCommentEvent(fake, fromBot, { senderType: 'Bot' }).payload;
    expect(botEvent.sender).toEqual({ login: 'reverie-app', type: 'Bot' });
    expect(botEvent.comment.user).toEqual({ login: 'reverie-app', type: 'Bot' });
  });

  it('writeEvent: the payload as JSON in dir, named by the two variables', async () => {
    const { fake } = await startWithPull();
    const dir = await makeTempDir('reverie-event-');
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const event = issueCommentEvent(fake, fake.commentAs(1, 'alice', 'hi'));

    const env = await writeEvent(dir, event);
    expect(env.GITHUB_EVENT_NAME).toBe('issue_comment');
    expect(path.dirname(env.GITHUB_EVENT_PATH)).toBe(dir);
    expect(JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8'))).toEqual(event.payload);

    const second = await writeEvent(dir, pullRequestEvent(fake, 1, 'opened'));
    expect(second.GITHUB_EVENT_NAME).toBe('pull_request');
    expect(second.GITHUB_EVENT_PATH).not.toBe(env.GITHUB_EVENT_PATH);
  });
});
