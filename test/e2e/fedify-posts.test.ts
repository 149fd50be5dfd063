// Posts read by an independent implementation (Fedify, in its own process, which parses our
// JSON-LD and verifies our signatures): a direct post reaches a mentioned actor who follows
// nobody here, with its Mention tag; a quote of one of its notes reaches its author.
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';
import { type FedifyPeer, startFedifyPeer } from './support/fedify-peer';
import { type TestCa, makeTestCa } from './support/tls';

jest.setTimeout(30000);

let ca: TestCa;
let gw: TestGateway;
let peer: FedifyPeer;
let trusting: Agent;
const send = (body: unknown) => sendEvents(gw.url, body, { dispatcher: trusting });
const post = (id: string, extra: Record<string, unknown>) =>
  send({ id: eventId(id), type: 'post.created', occurredAt: at(10), data: { post: postData(id, 'acc-dora', extra) } });

beforeAll(async () => {
  ca = await makeTestCa();
  trusting = new Agent({ connect: { ca: readFileSync(ca.caCertPath, 'utf8') } });
  gw = await startTestGateway({ workers: true, tls: ca, host: 'localhost', extraCaPem: ca.caCertPem });
  peer = await startFedifyPeer({ extraCaCerts: ca.caCertPath });
  await send({ id: eventId('enable'), type: 'account.enabled', occurredAt: at(0), data: { account: { id: 'acc-dora', username: 'dora', displayName: 'Dora', summary: '', profileUrl: 'https://platform.example/@dora', manuallyApprovesFollowers: false, discoverable: true, indexable: true, createdAt: at(0) } } });
  await eventually(async () => (await gw.g.accounts.get('acc-dora'))?.state === 'enabled', 'dora enabled');
});

afterAll(async () => {
  await peer?.stop();
  await gw?.close();
  await ca?.cleanup();
  await trusting?.close();
});

test('Fedify receives a direct post that mentions it, verified, addressed to it alone', async () => {
  await post('p-dm', { visibility: 'mentioned', text: 'psst, peer', mentions: [{ uri: peer.actorUri }] });
  const noteId = `${gw.url}/posts/p-dm`;
  const create = await peer.waitFor((a) => a.type === 'Create' && a.objectId === noteId, 15000);
  expect(create.httpSignature?.spec).toBe('draft-cavage');
  const note = create.raw.object as Record<string, unknown>;
  expect([note.to].flat()).toEqual([peer.actorUri]);
  expect([note.cc ?? []].flat()).toEqual([]);
  expect(JSON.stringify(note.tag)).toContain(peer.actorUri);
  expect(await peer.unverified()).toEqual([]);
});

test('Fedify receives a quote of its note with the quote properties intact', async () => {
  const quoted = await peer.post({ content: '<p>quote me</p>', to: `${gw.url}/users/dora` });
  await post('p-quote', { text: 'well said', quoteOf: { uri: quoted.noteId } });
  const noteId = `${gw.url}/posts/p-quote`;
  const create = await peer.waitFor((a) => a.type === 'Create' && a.objectId === noteId, 15000);
  const note = create.raw.object as Record<string, unknown>;
  expect(note).toMatchObject({ quote: quoted.noteId, quoteUrl: quoted.noteId, _misskey_quote: quoted.noteId });
  expect(String(note.content)).toContain('quote-inline');
  // FEP-e232, as Fedify reads it back: the Link tag to the quoted note
  const seen = await peer.waitForNote((n) => n.id === noteId);
  expect(seen).toMatchObject({ quote: quoted.noteId, quoteUrl: quoted.noteId, misskeyQuote: quoted.noteId });
  expect(seen.tag).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Link', href: quoted.noteId, mediaType: expect.stringContaining('activitystreams') })]));
  expect(await peer.unverified()).toEqual([]);
});
