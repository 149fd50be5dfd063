// Whom a remote note reaches here, role by role: an account that blocks its author hears of it in
// no role (thread root at any depth, quote, mention, follow); a followers-only or direct reply or
// quote reaches a post's owner only when in its audience.
import type { JsonObject } from '../../services/activitypub/as-read';
import { handleInbound } from '../../services/federation/handle-inbound';
import { enableAccount } from '../support/fixtures-setup';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

const AS = 'https://www.w3.org/ns/activitystreams';
const PUBLIC = `${AS}#Public`;
let remote: RemoteServer;
let sink: PlatformSink;
let gw: TestGateway;

async function follow(accountId: string, author: string) {
  const target = remote.actorUri(author);
  await gw.g.following.request(accountId, { target, followId: `f-${accountId}-${author}`, activityId: `${gw.url}/activities/f-${accountId}-${author}/follow`, inbox: `${remote.origin}/users/${author}/inbox`, since: at(0) });
  await gw.g.following.accept(accountId, target);
}
const block = (accountId: string, author: string) =>
  gw.g.blocks.add(accountId, { actor: remote.actorUri(author), inbox: `${remote.origin}/users/${author}/inbox`, blockId: `b-${accountId}-${author}`, since: at(2) });

beforeAll(async () => {
  remote = await startRemoteServer();
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
  // Erin's actor names its followers collection, so her followers-only notes read as such.
  const erin = remote.actorUri('erin');
  remote.documents.set('/users/erin', {
    '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'], id: erin, type: 'Person', preferredUsername: 'erin', inbox: `${erin}/inbox`, followers: `${erin}/followers`,
    publicKey: { id: `${erin}#main-key`, owner: erin, publicKeyPem: remote.keyPem.publicKeyPem },
  });
  await enableAccount(gw, 'acc-alice', 'alice');
  await enableAccount(gw, 'acc-carol', 'carol');
  for (const [id, owner] of [['p-a', 'acc-alice'], ['p-c', 'acc-carol']]) {
    await sendEvents(gw.url, { id: eventId('post'), type: 'post.created', occurredAt: at(1), data: { post: postData(id!, owner!) } });
  }
  await eventually(async () => (await gw.g.posts.get('p-a'))?.federated && (await gw.g.posts.get('p-c'))?.federated, 'posts federated');
  await block('acc-alice', 'bob');
});

afterAll(async () => {
  await gw.close();
  await remote.close();
  await sink.close();
});

let seq = 0;
function note(author: string, extra: JsonObject = {}): JsonObject {
  const id = `${remote.origin}/users/${author}/statuses/n${++seq}`;
  return { id, type: 'Note', attributedTo: remote.actorUri(author), content: `<p>note ${seq}</p>`, published: '2026-11-02T09:00:00Z', to: [PUBLIC], cc: [`${remote.actorUri(author)}/followers`], ...extra };
}
const wrap = (type: string, object: JsonObject | string, author: string, suffix = type.toLowerCase()): JsonObject => ({
  '@context': AS, id: `${typeof object === 'string' ? object : object.id}#${suffix}`, type, actor: remote.actorUri(author), to: [PUBLIC], object,
});
const job = (activity: JsonObject, author: string) => ({ activity, activityId: String(activity.id), signer: remote.actorUri(author), receivedAt: new Date().toISOString() });
const handle = (type: string, object: JsonObject | string, author: string, suffix?: string) => handleInbound(gw.g, job(wrap(type, object, author, suffix), author));
const mentionOf = (username: string) => ({ type: 'Mention', href: `${gw.url}/users/${username}`, name: `@${username}` });
const followersOf = (author: string) => `${remote.actorUri(author)}/followers`;
const rolesOf = async (n: JsonObject) => (await gw.g.remoteNotes.get(String(n.id)))?.roles;
/** The callbacks sent for a note once `count` of them have arrived, as type → accountIds. */
const callbacksOf = (n: JsonObject, count: number) =>
  eventually(() => {
    const mine = sink.callbacks.filter((c) => c.data.post?.uri === n.id);
    return mine.length >= count ? Object.fromEntries(mine.map((c) => [c.type, c.data.accountIds])) : undefined;
  }, `${count} callbacks for ${String(n.id)}`);

describe('an account that blocks a note\'s author hears of it in no role', () => {
  test('a mention', async () => {
    const n = note('bob', { tag: [mentionOf('alice')], to: [`${gw.url}/users/alice`], cc: [] });
    expect(await handle('Create', n, 'bob')).toEqual({ outcome: 'ignored', reason: 'blocked_actor' });
  });

  test('a mention of the blocker and of someone else reaches only the other', async () => {
    const n = note('bob', { tag: [mentionOf('alice'), mentionOf('carol')] });
    expect(await handle('Create', n, 'bob')).toEqual({ outcome: 'applied', kind: 'note' });
    expect(await callbacksOf(n, 1)).toEqual({ 'fediverse.mention.created': ['acc-carol'] });
    expect(await rolesOf(n)).toEqual({ mention: ['acc-carol'] });
  });

  test('a reply deep in the blocker\'s thread', async () => {
    const first = note('dave', { inReplyTo: `${gw.url}/posts/p-a` });
    expect(await handle('Create', first, 'dave')).toEqual({ outcome: 'applied', kind: 'note' });
    const deep = note('bob', { inReplyTo: String(first.id) });
    expect(await handle('Create', deep, 'bob')).toEqual({ outcome: 'ignored', reason: 'blocked_actor' });
  });

  test('a quote of the blocker\'s post behind a reply to someone else\'s', async () => {
    const n = note('bob', { inReplyTo: `${gw.url}/posts/p-c`, quote: `${gw.url}/posts/p-a` });
    expect(await handle('Create', n, 'bob')).toEqual({ outcome: 'applied', kind: 'note' });
    expect(await callbacksOf(n, 1)).toEqual({ 'fediverse.reply.created': ['acc-carol'] });
    expect((await rolesOf(n))?.quote).toBeUndefined();
  });

  test('a post of an author the blocker still follows (a follow accepted as the block came)', async () => {
    await follow('acc-alice', 'bob');
    await follow('acc-carol', 'bob');
    const n = note('bob');
    expect(await handle('Create', n, 'bob')).toEqual({ outcome: 'applied', kind: 'note' });
    expect(await callbacksOf(n, 1)).toEqual({ 'fediverse.post.created': ['acc-carol'] });
    await gw.g.following.remove('acc-carol', remote.actorUri('bob'));
    expect(await handle('Create', note('bob'), 'bob')).toEqual({ outcome: 'ignored', reason: 'blocked_actor' });
    await gw.g.following.remove('acc-alice', remote.actorUri('bob'));
  });

  test('an edit of a note passed on before the block does not reach the blocker; its deletion does', async () => {
    const n = note('frank', { tag: [mentionOf('carol')] });
    expect(await handle('Create', n, 'frank')).toEqual({ outcome: 'applied', kind: 'note' });
    await callbacksOf(n, 1);
    await block('acc-carol', 'frank');
    expect(await handle('Update', { ...n, content: '<p>edited</p>', updated: '2026-11-02T10:00:00Z' }, 'frank')).toEqual({ outcome: 'ignored', reason: 'blocked_actor' });
    // So the platform can take down what it has.
    expect(await handle('Delete', String(n.id), 'frank')).toEqual({ outcome: 'applied', kind: 'delete-note' });
    expect(await callbacksOf(n, 2)).toEqual({ 'fediverse.mention.created': ['acc-carol'], 'fediverse.mention.deleted': ['acc-carol'] });
  });
});

describe('a followers-only or direct reply or quote reaches a post\'s owner only in its audience', () => {
  test('neither addressed nor a follower: not passed on', async () => {
    const reply = note('erin', { inReplyTo: `${gw.url}/posts/p-c`, to: [followersOf('erin')], cc: [] });
    expect(await handle('Create', reply, 'erin')).toEqual({ outcome: 'ignored', reason: 'not_addressed_to_local' });
    const quote = note('erin', { quote: `${gw.url}/posts/p-a`, to: [followersOf('erin')], cc: [] });
    expect(await handle('Create', quote, 'erin')).toEqual({ outcome: 'ignored', reason: 'not_addressed_to_local' });
  });

  test('addressed (without a Mention tag): a reply', async () => {
    const n = note('erin', { inReplyTo: `${gw.url}/posts/p-c`, to: [followersOf('erin')], cc: [`${gw.url}/users/carol`] });
    expect(await handle('Create', n, 'erin')).toEqual({ outcome: 'applied', kind: 'note' });
    expect(await callbacksOf(n, 1)).toEqual({ 'fediverse.reply.created': ['acc-carol'] });
  });

  test('a direct message to someone else is not for the followers either', async () => {
    await follow('acc-carol', 'erin');
    const n = note('erin', { inReplyTo: `${gw.url}/posts/p-c`, to: ['https://elsewhere.example/users/eve'], cc: [] });
    expect(await handle('Create', n, 'erin')).toEqual({ outcome: 'ignored', reason: 'not_addressed_to_local' });
  });

  test('a follower of the author: reply and post', async () => {
    const n = note('erin', { inReplyTo: `${gw.url}/posts/p-c`, to: [followersOf('erin')], cc: [] });
    expect(await handle('Create', n, 'erin')).toEqual({ outcome: 'applied', kind: 'note' });
    const sent = await callbacksOf(n, 2);
    expect(sent).toEqual({ 'fediverse.reply.created': ['acc-carol'], 'fediverse.post.created': ['acc-carol'] });
    const created = sink.callbacks.find((c) => c.data.post?.uri === n.id && c.type === 'fediverse.reply.created');
    expect(created?.data.post.visibility).toBe('followers');
  });
});
