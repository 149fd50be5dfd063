// Posts out to the fediverse over real HTTPS (a test CA) and the real queues: mentioned actors,
// replied-to and quoted authors get the post; followers-only and direct posts reach nobody else;
// non-public posts are served only to signed requests from their audience.
import { createPrivateKey } from 'node:crypto';
import { PUBLIC } from '../../services/activitypub/contexts';
import { RefsUnavailableError, resolvePostRefs } from '../../services/federation/resolve-post';
import { signCavageRequest } from '../../services/signatures/cavage-sign';
import { makeTestCa, type TestCa } from '../e2e/support/tls';
import { addRemoteFollower, enableAccount } from '../support/fixtures-setup';
import { independentlyVerified } from '../support/independent-verify';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import { type ReceivedRequest, type RemoteServer, startRemoteServer } from '../support/remote-server';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';
import { inboxProcessed } from '../support/inbox-jobs';

let ca: TestCa;
/** hosts bob, alice's only follower */
let followerServer: RemoteServer;
/** hosts carol and dave, who follow nobody here */
let otherServer: RemoteServer;
let gw: TestGateway;
let alicePem: string;

beforeAll(async () => {
  ca = await makeTestCa();
  followerServer = await startRemoteServer({ tls: ca, host: 'localhost' });
  otherServer = await startRemoteServer({ tls: ca, host: 'localhost' });
  gw = await startTestGateway({ workers: true, extraCaPem: ca.caCertPem });
  await enableAccount(gw, 'acc-alice', 'alice');
  await enableAccount(gw, 'acc-rita', 'rita');
  await addRemoteFollower(gw, 'acc-alice', followerServer, 'bob');
  alicePem = (await gw.g.accounts.keys('acc-alice'))!.publicKeyPem;
});

afterAll(async () => {
  await gw.close();
  await followerServer.close();
  await otherServer.close();
  await ca.cleanup();
});

const handle = (s: RemoteServer, name: string) => `@${name}@${new URL(s.origin).host}`;
const noteUri = (postId: string) => `${gw.url}/posts/${postId}`;
const got = (s: RemoteServer, type: string, postId: string) =>
  s.received.filter((r) => r.json.type === type && ((r.json.object as { id?: string })?.id === noteUri(postId)));
const note = (r: ReceivedRequest) => r.json.object as Record<string, any>;

async function post(postId: string, extra: Record<string, unknown>, type = 'post.created', seconds = 10) {
  const res = await sendEvents(gw.url, { id: eventId(postId), type, occurredAt: at(seconds), data: { post: postData(postId, 'acc-alice', extra) } });
  expect(res.status).toBe(202);
}

/** Every event, fan-out and delivery job has run: what was not received by now never will be. */
async function idle(): Promise<void> {
  const states = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;
  await eventually(async () => {
    const counts = await Promise.all([gw.g.queues.events, gw.g.queues.fanout, gw.g.queues.delivery].map((q) => q.getJobCounts(...states)));
    return counts.every((c) => Object.values(c).every((n) => n === 0));
  }, 'queues to drain');
}

function signedGet(url: string, as: { server: RemoteServer; name: string }) {
  const headers = signCavageRequest(
    { method: 'GET', url, headers: { accept: 'application/activity+json' } },
    { keyId: `${as.server.actorUri(as.name)}#main-key`, privateKey: createPrivateKey(as.server.keyPem.privateKeyPem) },
  );
  return fetch(url, { headers });
}

function expectSignedByAlice(r: ReceivedRequest) {
  expect(independentlyVerified(r, alicePem)).toMatchObject({ ok: true, keyId: `${gw.url}/users/alice#main-key` });
}

test('a public post mentioning a non-follower reaches her server too, and so do its Update and Delete', async () => {
  const mentions = [{ handle: handle(otherServer, 'carol') }];
  await post('p-mention', { text: `Hi ${handle(otherServer, 'carol')}! #intro`, language: 'en', spoilerText: 'greeting', mentions });
  const atOther = await eventually(() => got(otherServer, 'Create', 'p-mention')[0], 'the Create at carol\'s server');
  const atFollower = await eventually(() => got(followerServer, 'Create', 'p-mention')[0], 'the Create at bob\'s server');
  expect(atOther.path).toBe('/inbox');
  expectSignedByAlice(atOther);
  expectSignedByAlice(atFollower);
  const n = note(atOther);
  expect(n.to).toEqual([PUBLIC]);
  expect(n.cc).toEqual([`${gw.url}/users/alice/followers`, otherServer.actorUri('carol')]);
  expect(n.tag).toContainEqual({ type: 'Mention', href: otherServer.actorUri('carol'), name: handle(otherServer, 'carol') });
  expect(n.content).toContain(`<span class="h-card" translate="no"><a href="${otherServer.origin}/@carol" class="u-url mention">@<span>carol</span></a></span>`);
  expect(n).toMatchObject({ summary: 'greeting', sensitive: true, contentMap: { en: n.content } });

  // The object served is the same Note, mentions resolved.
  const served = await fetch(noteUri('p-mention'), { headers: { accept: 'application/activity+json' } });
  expect(await served.json()).toEqual({ '@context': atOther.json['@context'], ...n });

  await post('p-mention', { text: `Hi again ${handle(otherServer, 'carol')}`, mentions }, 'post.updated', 20);
  const update = await eventually(() => got(otherServer, 'Update', 'p-mention')[0], 'the Update at carol\'s server');
  expect(note(update).updated).toBe(at(20));
  await sendEvents(gw.url, { id: eventId('del'), type: 'post.deleted', occurredAt: at(30), data: { postId: 'p-mention', accountId: 'acc-alice' } });
  const del = await eventually(() => got(otherServer, 'Delete', 'p-mention')[0], 'the Delete at carol\'s server');
  expect(del.json.cc).toContain(otherServer.actorUri('carol'));
  expectSignedByAlice(del);
});

test('a followers-only post reaches the follower\'s server and never a server without followers', async () => {
  await post('p-followers', { visibility: 'followers', text: 'for my followers' });
  const create = await eventually(() => got(followerServer, 'Create', 'p-followers')[0], 'the Create at bob\'s server');
  expect([create.json.to, create.json.cc]).toEqual([[`${gw.url}/users/alice/followers`], []]);
  expectSignedByAlice(create);
  await idle();
  expect(otherServer.received.filter((r) => JSON.stringify(r.json).includes(noteUri('p-followers')))).toEqual([]);

  // Served to a signed request from a follower only.
  expect((await fetch(noteUri('p-followers'), { headers: { accept: 'application/activity+json' } })).status).toBe(404);
  expect((await signedGet(noteUri('p-followers'), { server: otherServer, name: 'carol' })).status).toBe(404);
  const byFollower = await signedGet(noteUri('p-followers'), { server: followerServer, name: 'bob' });
  expect(byFollower.status).toBe(200);
  expect(((await byFollower.json()) as { id: string }).id).toBe(noteUri('p-followers'));
});

test('a followers-only post mentioning a non-follower reaches her, addressed in cc, and she may fetch it', async () => {
  await post('p-followers-mention', { visibility: 'followers', text: `${handle(otherServer, 'carol')} you too`, mentions: [{ handle: handle(otherServer, 'carol') }] });
  const create = await eventually(() => got(otherServer, 'Create', 'p-followers-mention')[0], 'the Create at carol\'s server');
  expectSignedByAlice(create);
  expect([create.json.to, create.json.cc]).toEqual([[`${gw.url}/users/alice/followers`], [otherServer.actorUri('carol')]]);
  expect((await signedGet(noteUri('p-followers-mention'), { server: otherServer, name: 'carol' })).status).toBe(200);
  expect((await signedGet(noteUri('p-followers-mention'), { server: otherServer, name: 'dave' })).status).toBe(404);
});

test('a direct post goes to the mentioned actor only: no follower\'s server gets it', async () => {
  await post('p-direct', { visibility: 'mentioned', text: `${handle(otherServer, 'carol')} just between us`, mentions: [{ handle: handle(otherServer, 'carol') }] });
  const create = await eventually(() => got(otherServer, 'Create', 'p-direct')[0], 'the Create at carol\'s server');
  expect([create.json.to, create.json.cc]).toEqual([[otherServer.actorUri('carol')], []]);
  expectSignedByAlice(create);
  await idle();
  expect(followerServer.received.filter((r) => JSON.stringify(r.json).includes(noteUri('p-direct')))).toEqual([]);

  expect((await signedGet(noteUri('p-direct'), { server: followerServer, name: 'bob' })).status).toBe(404);
  expect((await signedGet(noteUri('p-direct'), { server: otherServer, name: 'dave' })).status).toBe(404);
  expect((await signedGet(noteUri('p-direct'), { server: otherServer, name: 'carol' })).status).toBe(200);

  // Its Delete goes where the post went, and nowhere else.
  await sendEvents(gw.url, { id: eventId('del'), type: 'post.deleted', occurredAt: at(30), data: { postId: 'p-direct', accountId: 'acc-alice' } });
  await eventually(() => got(otherServer, 'Delete', 'p-direct')[0], 'the Delete at carol\'s server');
  await idle();
  expect(followerServer.received.filter((r) => JSON.stringify(r.json).includes(noteUri('p-direct')))).toEqual([]);
});

test('a reply to a remote post is addressed and delivered to its author, in its thread', async () => {
  const parent = `${otherServer.origin}/notes/1`;
  const thread = `tag:${new URL(otherServer.origin).host},2026-10-31:objectId=1:objectType=Conversation`;
  otherServer.documents.set('/notes/1', { '@context': 'https://www.w3.org/ns/activitystreams', id: parent, type: 'Note', attributedTo: otherServer.actorUri('dave'), content: 'parent', conversation: thread });
  await post('p-reply', { text: 'good point', inReplyTo: { uri: parent } });
  const create = await eventually(() => got(otherServer, 'Create', 'p-reply')[0], 'the reply at dave\'s server');
  expectSignedByAlice(create);
  expect(note(create)).toMatchObject({ inReplyTo: parent, conversation: thread, context: thread, cc: [`${gw.url}/users/alice/followers`, otherServer.actorUri('dave')] });
  expect(note(create).tag).toEqual([{ type: 'Mention', href: otherServer.actorUri('dave'), name: handle(otherServer, 'dave') }]);
});

test('a reply to a post that cannot be fetched still goes out, pointing at it', async () => {
  const parent = `${otherServer.origin}/notes/missing`;
  await post('p-orphan', { text: 'replying anyway', inReplyTo: { uri: parent } });
  const create = await eventually(() => got(followerServer, 'Create', 'p-orphan')[0], 'the orphan reply at bob\'s server');
  expectSignedByAlice(create);
  expect(note(create)).toMatchObject({ inReplyTo: parent, cc: [`${gw.url}/users/alice/followers`] });
});

test('a parent naming an author on another server is not believed: that server gets nothing', async () => {
  const parent = `${followerServer.origin}/notes/forged`;
  followerServer.documents.set('/notes/forged', { id: parent, type: 'Note', attributedTo: otherServer.actorUri('dave'), content: 'not dave\'s' });
  await post('p-forged', { text: 'hm', inReplyTo: { uri: parent } });
  const create = await eventually(() => got(followerServer, 'Create', 'p-forged')[0], 'the reply at bob\'s server');
  expect(note(create).cc).toEqual([`${gw.url}/users/alice/followers`]);
  await idle();
  expect(otherServer.received.filter((r) => JSON.stringify(r.json).includes(noteUri('p-forged')))).toEqual([]);
});

test('a reply to a local post joins its thread: one conversation id for root and reply', async () => {
  await post('p-root', { text: 'root' });
  const root = await eventually(() => got(followerServer, 'Create', 'p-root')[0], 'the root');
  await post('p-child', { text: 'child', inReplyTo: { postId: 'p-root' } });
  const child = await eventually(() => got(followerServer, 'Create', 'p-child')[0], 'the reply');
  await post('p-grandchild', { text: 'grandchild', inReplyTo: { uri: noteUri('p-child') } });
  const grandchild = await eventually(() => got(followerServer, 'Create', 'p-grandchild')[0], 'the reply to the reply');
  for (const r of [root, child, grandchild]) expectSignedByAlice(r);
  expect(note(root).conversation).toMatch(/^tag:.*objectId=p-root:objectType=Conversation$/);
  expect(note(child)).toMatchObject({ inReplyTo: noteUri('p-root'), conversation: note(root).conversation, context: note(root).conversation });
  expect(note(grandchild).conversation).toBe(note(root).conversation);
  // The parent's author (local) is addressed; nothing more.
  expect(note(child).cc).toEqual([`${gw.url}/users/alice/followers`]);
});

test('a reply to a local reply to a remote post addresses the parent\'s author only, as Mastodon does', async () => {
  const remoteRoot = `${otherServer.origin}/notes/root`;
  const thread = `${otherServer.origin}/contexts/root`;
  otherServer.documents.set('/notes/root', { id: remoteRoot, type: 'Note', attributedTo: otherServer.actorUri('dave'), content: 'root', context: thread });
  await sendEvents(gw.url, { id: eventId('rita'), type: 'post.created', occurredAt: at(10), data: { post: postData('p-rita', 'acc-rita', { text: 'rita replies', inReplyTo: { uri: remoteRoot } }) } });
  await eventually(() => got(otherServer, 'Create', 'p-rita')[0], 'rita\'s reply at dave\'s server');
  await post('p-alice-to-rita', { text: 'alice joins', inReplyTo: { postId: 'p-rita' } });
  const create = await eventually(() => got(followerServer, 'Create', 'p-alice-to-rita')[0], 'alice\'s reply at bob\'s server');
  expect(note(create)).toMatchObject({ cc: [`${gw.url}/users/alice/followers`, `${gw.url}/users/rita`], conversation: thread, context: thread });
  await idle();
  expect(otherServer.received.filter((r) => JSON.stringify(r.json).includes(noteUri('p-alice-to-rita')))).toEqual([]);
});

test('a quote of a remote post reaches the quoted author with every quote property', async () => {
  const quoted = `${otherServer.origin}/notes/2`;
  otherServer.documents.set('/notes/2', { '@context': 'https://www.w3.org/ns/activitystreams', id: quoted, type: 'Note', attributedTo: otherServer.actorUri('carol'), content: 'quotable' });
  await post('p-quote', { text: 'this', quoteOf: { uri: quoted } });
  const create = await eventually(() => got(otherServer, 'Create', 'p-quote')[0], 'the quote at carol\'s server');
  expectSignedByAlice(create);
  const n = note(create);
  expect(n).toMatchObject({ quote: quoted, quoteUrl: quoted, quoteUri: quoted, _misskey_quote: quoted });
  expect(n.cc).toContain(otherServer.actorUri('carol'));
  expect(n.tag).toContainEqual(expect.objectContaining({ type: 'Link', href: quoted, name: `RE: ${quoted}` }));
  expect(n.content).toContain('class="quote-inline"');

  // FEP-044f: the quoted author is asked for consent; her Accept's stamp reaches every copy.
  const request = await eventually(() => otherServer.received.find((r) => r.json.type === 'QuoteRequest'), 'the QuoteRequest');
  expectSignedByAlice(request);
  expect(request.json).toMatchObject({ actor: `${gw.url}/users/alice`, object: quoted, instrument: { id: noteUri('p-quote'), quote: quoted } });
  const stamp = `${otherServer.origin}/users/carol/stamps/1`;
  const accept = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${otherServer.origin}/accepts/1`, type: 'Accept', actor: otherServer.actorUri('carol'), object: { type: 'QuoteRequest', id: request.json.id, actor: `${gw.url}/users/alice`, object: quoted }, result: stamp };
  expect((await otherServer.post(`${gw.url}/inbox`, accept, { as: 'carol' })).status).toBe(202);
  for (const server of [otherServer, followerServer]) {
    const update = await eventually(() => got(server, 'Update', 'p-quote')[0], 'the Update with the authorization');
    expectSignedByAlice(update);
    expect(note(update)).toMatchObject({ quote: quoted, quoteAuthorization: stamp });
  }
  const served = await fetch(noteUri('p-quote'), { headers: { accept: 'application/activity+json' } });
  expect(await served.json()).toMatchObject({ quoteAuthorization: stamp });
});

test('a quote answer from anyone but the quoted author changes nothing', async () => {
  const quoted = `${otherServer.origin}/notes/3`;
  otherServer.documents.set('/notes/3', { id: quoted, type: 'Note', attributedTo: otherServer.actorUri('carol'), content: 'mine' });
  await post('p-quote2', { text: 'hmm', quoteOf: { uri: quoted } });
  const request = await eventually(() => otherServer.received.find((r) => r.json.type === 'QuoteRequest' && (r.json.instrument as { id: string }).id === noteUri('p-quote2')), 'the QuoteRequest');
  const accept = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${otherServer.origin}/accepts/2`, type: 'Accept', actor: otherServer.actorUri('dave'), object: { type: 'QuoteRequest', id: request.json.id }, result: `${otherServer.origin}/stamps/2` };
  expect((await otherServer.post(`${gw.url}/inbox`, accept, { as: 'dave' })).status).toBe(202);
  await eventually(() => inboxProcessed(gw.g, accept), 'the Accept processed');
  await idle();
  expect(got(otherServer, 'Update', 'p-quote2')).toEqual([]);
  expect((await gw.g.posts.get('p-quote2'))!.refs!.quote!.authorization).toBeUndefined();
});

test('a mention that does not exist leaves plain text; the post still goes out', async () => {
  otherServer.goneActors.add('ghost');
  await post('p-ghost', { text: `hello ${handle(otherServer, 'ghost')}`, mentions: [{ handle: handle(otherServer, 'ghost') }] });
  const create = await eventually(() => got(followerServer, 'Create', 'p-ghost')[0], 'the post at bob\'s server');
  expect(note(create).content).toBe(`<p>hello ${handle(otherServer, 'ghost')}</p>`);
  expect(note(create).tag).toEqual([]);
});

test('a mention whose server is down retries the event; its last attempt goes out without it', async () => {
  const down = { handle: '@x@localhost:9' };
  await post('p-down', { text: 'hello @x@localhost:9', mentions: [down] });
  const job = await eventually(async () => {
    const jobs = await gw.g.queues.events.getJobs(['delayed', 'waiting']);
    return jobs.find((j) => (j.data as { data: { post?: { id: string } } }).data.post?.id === 'p-down' && j.attemptsMade >= 1);
  }, 'the event to be retried');
  expect(job.failedReason).toMatch(/mention/);
  expect(followerServer.received.filter((r) => JSON.stringify(r.json).includes(noteUri('p-down')))).toEqual([]);
  // Taken off the queue (it would retry for hours); a retry in flight cannot be removed until it fails again.
  await eventually(() => job.remove().then(() => true, () => false), 'the retrying event removed');

  const p = postData('p-down2', 'acc-alice', { text: 'hello @x@localhost:9', mentions: [down, { accountId: 'acc-rita' }] }) as never;
  await expect(resolvePostRefs(gw.g, p)).rejects.toBeInstanceOf(RefsUnavailableError);
  const refs = await resolvePostRefs(gw.g, p, { finalAttempt: true });
  expect(refs.mentions.map((m) => m.uri)).toEqual([`${gw.url}/users/rita`]);
});

test('a local account mentioned is tagged and addressed, and nothing is delivered for it', async () => {
  await post('p-local', { visibility: 'mentioned', text: '@rita psst', mentions: [{ accountId: 'acc-rita' }] });
  await eventually(async () => (await gw.g.posts.get('p-local'))?.refs, 'the post federated');
  await idle();
  const served = await signedGet(noteUri('p-local'), { server: followerServer, name: 'bob' });
  expect(served.status).toBe(404);
  const stored = await gw.g.posts.get('p-local');
  expect(stored!.refs!.mentions).toEqual([{ uri: `${gw.url}/users/rita`, name: `@rita@${gw.g.config.handleDomain}`, href: `${gw.url}/users/rita` }]);
  expect(stored!.refs!.inboxes).toEqual([]);
  expect([...followerServer.received, ...otherServer.received].filter((r) => JSON.stringify(r.json).includes(noteUri('p-local')))).toEqual([]);
});
