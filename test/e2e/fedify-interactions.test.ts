// Reposts, quotes and mentions both ways, end to end against Fedify in its own process: what
// Fedify sends reaches the platform as callbacks; what the platform sends Fedify verifies and
// reads with the properties intact.
import { postData } from '../support/platform-events';
import { eventually } from '../support/test-gateway';
import { type E2eWorld, startE2eWorld } from './support/e2e-world';
import type { FedifyPeer } from './support/fedify-peer';

jest.setTimeout(60000);

let w: E2eWorld;
let peer: FedifyPeer;
let localPost: string;

beforeAll(async () => {
  w = await startE2eWorld();
  peer = w.peers[0]!;
  await w.enable('acc-fay', 'fay');
  await w.send('post.created', { post: postData('p-fay', 'acc-fay', { text: 'worth sharing' }) });
  localPost = `${w.gw.url}/posts/p-fay`;
  // Served once its state is applied: Fedify fetches it to find the author of what it boosts.
  await eventually(async () => (await w.getStatus(localPost)) === 200, 'p-fay served');
});

afterAll(async () => {
  await w?.close();
});

afterEach(async () => {
  expect(await peer.unverified()).toEqual([]);
  expect(w.sink.badSignatures).toBe(0);
  expect(w.sink.schemaProblems).toEqual([]);
});

test("Fedify's boost of a local post and its undo reach the platform as repost.created and repost.deleted", async () => {
  const boost = await peer.announce({ object: localPost });
  expect(boost.author).toBe(w.actor('fay'));
  const created = await w.callback('fediverse.repost.created', (c) => c.data.activityId === boost.activityId);
  expect(created.data).toMatchObject({ postId: 'p-fay', actor: { uri: peer.actorUri, handle: peer.handle } });

  await peer.unannounce({ activityId: boost.activityId });
  const deleted = await w.callback('fediverse.repost.deleted', (c) => c.data.activityId === boost.activityId);
  expect(deleted.data).toMatchObject({ postId: 'p-fay', actor: { uri: peer.actorUri } });
});

test("a local repost of Fedify's note reaches it as a verified Announce, and its deletion as Undo(Announce)", async () => {
  const note = await peer.post({ content: '<p>boost me</p>' });
  await w.send('repost.created', { repost: { id: 'rp-fay', accountId: 'acc-fay', of: { uri: note.noteId } } });
  const announce = await peer.waitFor((a) => a.type === 'Announce' && a.objectId === note.noteId, 15000);
  expect(announce.actor).toBe(w.actor('fay'));
  expect(announce.httpSignature?.spec).toBe('draft-cavage');
  expect((await peer.seen()).announces.find((a) => a.id === announce.id)).toMatchObject({ object: note.noteId, undone: false });

  await w.send('repost.deleted', { repost: { id: 'rp-fay', accountId: 'acc-fay', of: { uri: note.noteId } } });
  const undo = await peer.waitFor((a) => a.type === 'Undo' && a.objectId === announce.id, 15000);
  expect(undo.actor).toBe(w.actor('fay'));
  expect((await peer.seen()).announces.find((a) => a.id === announce.id)).toMatchObject({ undone: true });
});

test("Fedify's quote of a local post reaches the platform as quote.created naming the quoted post", async () => {
  const quote = await peer.post({ content: '<p>this, exactly</p>', quote: localPost });
  const created = await w.callback('fediverse.quote.created', (c) => c.data.post.uri === quote.noteId);
  expect(created.data.post).toMatchObject({ quoteOf: { postId: 'p-fay' }, author: { uri: peer.actorUri }, text: 'this, exactly' });
});

test("Fedify's mention of a local account by handle reaches the platform as mention.created for it", async () => {
  const note = await peer.post({ content: `<p>hello <a href="${w.actor('fay')}">@fay</a></p>`, mentions: [w.handle('fay')] });
  const created = await w.callback('fediverse.mention.created', (c) => c.data.post.uri === note.noteId);
  expect(created.data.accountIds).toEqual(['acc-fay']);
  expect(created.data.post.mentions).toEqual(expect.arrayContaining([expect.objectContaining({ accountId: 'acc-fay' })]));
});

test('a public local post mentioning Fedify by handle reaches it, with a Mention tag and addressed to it', async () => {
  await w.send('post.created', { post: postData('p-hi-peer', 'acc-fay', { text: `hi ${peer.handle}`, mentions: [{ handle: peer.handle }] }) });
  const note = await peer.waitForNote((n) => n.id === `${w.gw.url}/posts/p-hi-peer`, 15000);
  expect(note.tag).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Mention', href: peer.actorUri, name: peer.handle })]));
  expect(note.to).toContain('https://www.w3.org/ns/activitystreams#Public');
  expect(note.cc).toContain(peer.actorUri);
  expect(note.content).toContain(peer.actorUri);
});
