// The inbound content policy (CONTENT_POLICY_FILE) over real signed inbox POSTs of followed
// actors' notes: dropped by domain or keyword (counted by rule, never sent), media from listed
// domains marked sensitive with the rule named in the callback, others passed on unchanged.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '../../services/activitypub/as-read';
import { enableAccount } from '../support/fixtures-setup';
import { inboxProcessed } from '../support/inbox-jobs';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

const AS = 'https://www.w3.org/ns/activitystreams';
const PUBLIC = `${AS}#Public`;
let spam: RemoteServer;
let nsfw: RemoteServer;
let plain: RemoteServer;
let sink: PlatformSink;
let gw: TestGateway;

beforeAll(async () => {
  [spam, nsfw, plain] = await Promise.all([startRemoteServer(), startRemoteServer(), startRemoteServer()]);
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  const file = join(mkdtempSync(join(tmpdir(), 'fg-policy-')), 'policy.json');
  const host = (s: RemoteServer) => new URL(s.origin).host;
  writeFileSync(file, JSON.stringify({
    rules: [
      { name: 'spam-server', action: 'drop', domains: [host(spam)] },
      { name: 'crypto', action: 'drop', keywords: ['airdrop'] },
      { name: 'nsfw-media', action: 'mark_sensitive', domains: [host(nsfw)] },
    ],
  }));
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url, CONTENT_POLICY_FILE: file } });
  await enableAccount(gw, 'acc-alice', 'alice');
  for (const server of [spam, nsfw, plain]) {
    const target = server.actorUri('bob');
    await gw.g.following.request('acc-alice', { target, followId: `f-${server.origin}`, activityId: `${gw.url}/activities/follow-${encodeURIComponent(server.origin)}`, inbox: `${server.origin}/users/bob/inbox`, since: new Date().toISOString() });
    await gw.g.following.accept('acc-alice', target);
  }
});

afterAll(async () => {
  await gw.close();
  await Promise.all([spam.close(), nsfw.close(), plain.close()]);
  await sink.close();
});

let seq = 0;
async function createNote(server: RemoteServer, content: string, extra: JsonObject = {}): Promise<string> {
  const id = `${server.origin}/users/bob/statuses/${++seq}`;
  const note = { id, type: 'Note', attributedTo: server.actorUri('bob'), content, published: '2026-11-02T09:00:00Z', to: [PUBLIC], cc: [`${server.actorUri('bob')}/followers`], ...extra };
  const activity = { '@context': AS, id: `${id}#create`, type: 'Create', actor: server.actorUri('bob'), to: [PUBLIC], object: note };
  expect((await server.post(`${gw.url}/inbox`, activity, { as: 'bob' })).status).toBe(202);
  await eventually(() => inboxProcessed(gw.g, { id: activity.id, actor: activity.actor }), `${activity.id} processed`);
  return id;
}
const image = (server: RemoteServer) => ({ attachment: [{ type: 'Document', mediaType: 'image/png', url: `${server.origin}/media/1.png`, name: 'a picture' }] });
const metric = async (rule: string, action: string) =>
  (await gw.g.metrics.contentPolicy.get()).values.find((v) => v.labels.rule === rule && v.labels.action === action)?.value ?? 0;

test('a note from a dropped domain is not sent and is counted under its rule', async () => {
  const uri = await createNote(spam, '<p>hello there</p>');
  const passed = await createNote(plain, '<p>hello there</p>');
  await eventually(() => sink.callbacks.find((c) => c.data.post?.uri === passed), 'the other note to arrive');
  expect(sink.callbacks.filter((c) => c.data.post?.uri === uri)).toEqual([]);
  expect(await metric('spam-server', 'drop')).toBe(1);
  expect(await gw.g.remoteNotes.get(uri)).toBeUndefined();
});

test('a keyword drops a note as a whole word of its plain text, in any case', async () => {
  const dropped = await createNote(plain, '<p>Huge <b>AIRDROP</b> now</p>');
  const kept = await createNote(plain, '<p>airdrops are not this word</p>');
  const arrived = await eventually(() => sink.callbacks.find((c) => c.data.post?.uri === kept), 'the note without the word');
  expect(arrived.data.policy).toBeUndefined();
  expect(sink.callbacks.filter((c) => c.data.post?.uri === dropped)).toEqual([]);
  expect(await metric('crypto', 'drop')).toBe(1);
});

test('media from a listed domain is marked sensitive and the callback names the rule', async () => {
  const uri = await createNote(nsfw, '<p>look</p>', image(nsfw));
  const created = await eventually(() => sink.callbacks.find((c) => c.data.post?.uri === uri), 'the marked note');
  expect(created.type).toBe('fediverse.post.created');
  expect(created.data.post.sensitive).toBe(true);
  expect(created.data.policy).toEqual({ rule: 'nsfw-media', action: 'mark_sensitive' });
  // The same media elsewhere is left as its author sent it.
  const other = await createNote(plain, '<p>look</p>', image(plain));
  const untouched = await eventually(() => sink.callbacks.find((c) => c.data.post?.uri === other), 'the unmarked note');
  expect(untouched.data.post.sensitive).toBe(false);
  expect(untouched.data.policy).toBeUndefined();
});
