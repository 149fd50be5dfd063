// GET /openapi.json: a valid OpenAPI 3.1 document generated from the schemas that validate
// requests, listing every event type the intake accepts and every callback as a webhook.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CALLBACK_SCHEMAS, checkCallback } from '../../services/platform/callback-schemas';
import { EventSchema } from '../../services/platform/event-schemas';
import { type TestGateway, startTestGateway } from '../support/test-gateway';

let gw: TestGateway;
let doc: any;

beforeAll(async () => {
  gw = await startTestGateway();
  const res = await fetch(`${gw.url}/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/json');
  doc = await res.json();
});
afterAll(() => gw.close());

test('the document is valid OpenAPI 3.1 (checked by @seriousme/openapi-schema-validator)', async () => {
  // The validator is ESM-only: it runs in its own node process, on a file.
  const dir = await mkdtemp(join(tmpdir(), 'openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(doc));
    const script = `import { Validator } from '@seriousme/openapi-schema-validator';
      const v = new Validator(); const r = await v.validate(${JSON.stringify(file)});
      process.stdout.write(JSON.stringify({ ...r, version: v.version }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd() });
    expect(JSON.parse(stdout)).toEqual({ valid: true, version: '3.1' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  expect(doc.openapi).toBe('3.1.0');
  // Every $ref points at a component of this document.
  const refs = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) k === '$ref' ? refs.add(x as string) : walk(x);
  };
  walk(doc);
  expect(refs.size).toBeGreaterThan(20);
  for (const ref of refs) expect(doc.components.schemas[ref.replace(/^#\/components\/schemas\//, '')]).toBeDefined();
});

test('every event type the intake accepts is in the request schema of POST /platform/events', () => {
  const accepted = EventSchema.options.map((o) => o.shape.type.value).sort();
  expect(accepted).toEqual(expect.arrayContaining(['account.enabled', 'account.disabled', 'account.deleted', 'post.created']));
  const documented = (doc.components.schemas.PlatformEvent.oneOf as Array<{ properties: { type: { const: string } } }>).map((s) => s.properties.type.const).sort();
  expect(documented).toEqual(accepted);
  const body = doc.paths['/platform/events'].post.requestBody.content['application/json'].schema;
  expect(body.oneOf).toEqual([{ $ref: '#/components/schemas/PlatformEvent' }, { $ref: '#/components/schemas/PlatformEventBatch' }]);
  expect(Object.keys(doc.paths['/platform/events'].post.responses)).toEqual(['202', '400', '401', '413', '503']);
  expect(doc.paths['/platform/events'].post.responses['400'].content).toHaveProperty(['application/problem+json']);
});

test('every callback type of the contract is a webhook with its schema; the queries are paths', () => {
  expect(Object.keys(doc.webhooks).sort()).toEqual(Object.keys(CALLBACK_SCHEMAS).sort());
  expect(Object.keys(doc.webhooks)).toHaveLength(26);
  // What note-callbacks.ts sends for every role, .updated and .deleted included.
  for (const role of ['reply', 'mention', 'quote', 'post']) for (const verb of ['created', 'updated', 'deleted']) expect(doc.webhooks).toHaveProperty([`fediverse.${role}.${verb}`]);
  expect(doc.webhooks['fediverse.reply.created'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Callback.fediverse.reply.created' });
  expect(doc.components.schemas['Callback.fediverse.reply.created'].properties.data.properties.post).toEqual({ $ref: '#/components/schemas/RemotePost' });
  expect(doc.components.schemas.RemotePost.properties.author).toEqual({ $ref: '#/components/schemas/RemoteActor' });
  expect(Object.keys(doc.paths).filter((p) => p.startsWith('/platform/')).sort()).toEqual(['/platform/accounts/{id}/federation', '/platform/actors/lookup', '/platform/events', '/platform/posts/{id}/federation']);
  expect(doc.paths['/platform/actors/lookup'].get.parameters).toEqual([expect.objectContaining({ name: 'q', in: 'query', required: true })]);
  expect(doc.paths['/platform/actors/lookup'].get.security).toEqual([{ platformToken: [] }]);
});

test('the callback schemas accept what the contract says, extra fields included, and name what is wrong', () => {
  const actor = { uri: 'https://m.example/users/bob', handle: '@bob@m.example', name: 'Bob', summaryHtml: '' };
  const ok = { id: 'x', type: 'fediverse.follower.added', occurredAt: '2026-11-01T10:00:00.000Z', data: { accountId: 'a1', follower: { ...actor, extra: 1 }, more: true } };
  expect(checkCallback(ok)).toEqual({ ok: true });
  expect(checkCallback({ ...ok, data: { accountId: 'a1', follower: { ...actor, handle: 'bob' } } })).toEqual({ ok: false, problems: [expect.stringMatching(/^\/data\/follower\/handle: /)] });
  expect(checkCallback({ ...ok, type: 'fediverse.made.up' })).toEqual({ ok: false, problems: [expect.stringContaining('not a callback type')] });
  expect(checkCallback({ ...ok, type: 'toString' })).toMatchObject({ ok: false });
});

test('a deleted post is named by uri and author: a Delete carries no content', () => {
  const author = { uri: 'https://m.example/users/bob', handle: '@bob@m.example', name: 'Bob', summaryHtml: '' };
  const deleted = { id: 'd', type: 'fediverse.post.deleted', occurredAt: '2026-11-01T10:00:00.000Z', data: { post: { uri: 'https://m.example/notes/1', author }, accountIds: ['a1'] } };
  expect(checkCallback(deleted)).toEqual({ ok: true });
  expect(checkCallback({ ...deleted, type: 'fediverse.reply.deleted', data: { post: { ...deleted.data.post, inReplyTo: { postId: 'p1' } }, accountIds: ['a1'] } })).toEqual({ ok: true });
  expect(checkCallback({ ...deleted, data: { post: { uri: 'https://m.example/notes/1' }, accountIds: ['a1'] } })).toMatchObject({ ok: false, problems: [expect.stringMatching(/^\/data\/post\/author: /)] });
  expect(checkCallback({ ...deleted, type: 'fediverse.post.created' })).toMatchObject({ ok: false });
});

test('the callback schemas describe what the emitters send: moved-to actors, unresolved follow targets, reported accounts', () => {
  const actor = (name: string) => ({ uri: `https://m.example/users/${name}`, handle: `@${name}@m.example`, name, summaryHtml: '' });
  const envelope = (type: string, data: object) => ({ id: 'x', type, occurredAt: '2026-11-01T10:00:00.000Z', data });
  // handle-actor-lifecycle.ts: the actor it moved to, as fetched and checked.
  expect(checkCallback(envelope('fediverse.actor.moved', { actor: { ...actor('old'), movedTo: actor('new') }, accountIds: ['a1'] }))).toEqual({ ok: true });
  expect(checkCallback(envelope('fediverse.actor.moved', { actor: { ...actor('old'), movedTo: 'https://m.example/users/new' }, accountIds: [] }))).toMatchObject({ ok: false, problems: [expect.stringMatching(/^\/data\/actor\/movedTo: /)] });
  // apply-follow.ts: a target that does not exist is named as follow.created named it.
  for (const target of [actor('bob'), { uri: 'https://m.example/users/nobody' }, { handle: '@nobody@m.example' }]) {
    expect(checkCallback(envelope('fediverse.follow.rejected', { followId: 'f1', accountId: 'a1', target, reason: 'not_found', detail: 'gone' }))).toEqual({ ok: true });
  }
  expect(checkCallback(envelope('fediverse.follow.rejected', { followId: 'f1', accountId: 'a1', target: { handle: 'nobody' } }))).toMatchObject({ ok: false });
  expect(checkCallback(envelope('fediverse.follow.accepted', { followId: 'f1', accountId: 'a1', target: { uri: 'https://m.example/users/bob' } }))).toMatchObject({ ok: false });
  // handle-interactions.ts: a Flag of a local account names it by platform id.
  const report = (targets: object[]) => envelope('fediverse.report.received', { report: { activityId: 'https://m.example/flags/1', actor: actor('mod'), targets, comment: '' } });
  expect(checkCallback(report([{ accountId: 'a1' }, { postId: 'p1' }]))).toEqual({ ok: true });
  expect(checkCallback(report([{ username: 'a1' }]))).toMatchObject({ ok: false });
  expect(doc.components.schemas['Callback.fediverse.follow.rejected'].properties.data.properties.target.anyOf).toEqual([{ $ref: '#/components/schemas/RemoteActor' }, { $ref: '#/components/schemas/UnresolvedActor' }]);
});

test('the admin domain blocks are paths behind the admin token; the content policy is named in note callbacks', () => {
  expect(Object.keys(doc.paths).filter((p) => p.startsWith('/admin/domain-blocks')).sort()).toEqual(['/admin/domain-blocks', '/admin/domain-blocks/{domain}']);
  expect(Object.keys(doc.paths['/admin/domain-blocks/{domain}']).sort()).toEqual(['delete', 'get', 'put']);
  expect(doc.paths['/admin/domain-blocks/{domain}'].put.security).toEqual([{ adminToken: [] }]);
  expect(doc.components.schemas.DomainBlock.properties).toHaveProperty('domain');
  expect(doc.components.schemas['Callback.fediverse.post.created'].properties.data.properties.policy.properties.rule).toEqual({ type: 'string' });
  expect(doc.components.schemas['Callback.fediverse.follower.removed'].properties.data.properties.reason.enum).toEqual(['gone', 'domain_blocked']);
});

test('the admin job API is documented from its schemas, behind the admin token', () => {
  expect(Object.keys(doc.paths).filter((p) => p.startsWith('/admin/jobs')).sort()).toEqual(['/admin/jobs', '/admin/jobs/{queue}/failed', '/admin/jobs/{queue}/retry']);
  const failed = doc.paths['/admin/jobs/{queue}/failed'].get;
  expect(failed.security).toEqual([{ adminToken: [] }]);
  expect(failed.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['path:queue', 'query:limit']);
  expect(failed.parameters[0].schema.enum).toEqual(['events', 'fanout', 'delivery', 'inbox', 'callbacks', 'moderation']);
  expect(failed.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/FailedJobList' });
  const retry = doc.paths['/admin/jobs/{queue}/retry'].post;
  expect(retry.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/RetryBody' });
  expect(Object.keys(doc.components.schemas.RetryBody.properties).sort()).toEqual(['all', 'jobIds']);
  expect(doc.components.schemas.QueueCounts.required).toEqual(['queue', 'waiting', 'active', 'delayed', 'failed', 'completed']);
  expect(doc.components.schemas.RetryResult.properties.notRetried.items.properties.reason.enum).toEqual(['not_found', 'not_failed']);
});
