// Outbox, followers and following as paged OrderedCollections, walked page by page over HTTP.
import { addRemoteFollower, enableAccount } from '../support/fixtures-setup';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

let gw: TestGateway;
const AS2 = { accept: 'application/activity+json' };
type Page = { id: string; type: string; partOf: string; orderedItems: any[]; next?: string; totalItems?: number };

beforeAll(async () => {
  gw = await startTestGateway({ workers: true });
  await enableAccount(gw, 'acc-cora', 'cora');
});
afterAll(() => gw.close());

const get = async (url: string) => {
  const res = await fetch(url, { headers: AS2 });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/activity+json');
  return (await res.json()) as any;
};

/** Follows `first` and every `next`, returning the pages. */
async function walk(first: string): Promise<Page[]> {
  const pages: Page[] = [];
  for (let url: string | undefined = first; url; url = pages[pages.length - 1]!.next) {
    pages.push(await get(url));
    if (pages.length > 50) throw new Error('endless pages');
  }
  return pages;
}

test('the outbox lists public posts only, as Create activities, newest first, 20 a page', async () => {
  const events = Array.from({ length: 25 }, (_, i) => ({ id: eventId('c'), type: 'post.created', occurredAt: at(i + 1), data: { post: postData(`pc-${i}`, 'acc-cora', { createdAt: at(i + 1) }) } }));
  events.push(
    { id: eventId('c'), type: 'post.created', occurredAt: at(40), data: { post: postData('pc-unlisted', 'acc-cora', { visibility: 'unlisted', createdAt: at(40) }) } },
    { id: eventId('c'), type: 'post.created', occurredAt: at(41), data: { post: postData('pc-fo', 'acc-cora', { visibility: 'followers', createdAt: at(41) }) } },
    { id: eventId('c'), type: 'post.created', occurredAt: at(42), data: { post: postData('pc-held', 'acc-cora', { federate: false, createdAt: at(42) }) } },
  );
  expect((await sendEvents(gw.url, { events })).status).toBe(202);
  const deletion = eventId('d');
  await sendEvents(gw.url, { id: deletion, type: 'post.deleted', occurredAt: at(50), data: { postId: 'pc-3', accountId: 'acc-cora' } });
  await eventually(() => gw.g.dedupe.isEventApplied(deletion), 'all applied');
  await eventually(async () => (await gw.g.accountPosts.outboxCount('acc-cora')) === 24, 'the outbox index');

  const outbox = `${gw.url}/users/cora/outbox`;
  const collection = await get(outbox);
  expect(collection).toEqual({ '@context': 'https://www.w3.org/ns/activitystreams', id: outbox, type: 'OrderedCollection', totalItems: 24, first: `${outbox}?page=1` });
  const pages = await walk(collection.first);
  expect(pages.map((p) => p.orderedItems.length)).toEqual([20, 4]);
  expect(pages[0]).toMatchObject({ type: 'OrderedCollectionPage', partOf: outbox, next: `${outbox}?page=2` });
  const items = pages.flatMap((p) => p.orderedItems);
  const expected = Array.from({ length: 25 }, (_, i) => `pc-${i}`).filter((id) => id !== 'pc-3').reverse();
  expect(items.map((a) => a.object.id)).toEqual(expected.map((id) => `${gw.url}/posts/${id}`));
  // Each item is the Create that was delivered (same id), with the Note as it stands.
  expect(items[0]).toMatchObject({ type: 'Create', actor: `${gw.url}/users/cora`, object: { type: 'Note', attributedTo: `${gw.url}/users/cora` } });
  expect(items[0].id).toBe(gw.g.uris.activity(events[24]!.id, 'Create'));
  expect(items[0]).not.toHaveProperty('@context');
});

test('followers are a paged collection whose pages add up to every follower once', async () => {
  const remote = { origin: 'https://far.example', actorUri: (n: string) => `https://far.example/users/${n}` };
  for (let i = 0; i < 250; i++) await addRemoteFollower(gw, 'acc-cora', remote as never, `f${i}`);
  const followers = `${gw.url}/users/cora/followers`;
  const collection = await get(followers);
  expect(collection).toMatchObject({ type: 'OrderedCollection', totalItems: 250, first: `${followers}?cursor=0` });
  const pages = await walk(collection.first);
  expect(pages.length).toBeGreaterThan(1);
  const items = pages.flatMap((p) => p.orderedItems as string[]);
  expect(new Set(items).size).toBe(250);
  expect(items.every((a) => /^https:\/\/far\.example\/users\/f\d+$/.test(a))).toBe(true);
});

test('following lists accepted follows only', async () => {
  const f = gw.g.following;
  for (const name of ['g1', 'g2', 'g3', 'pending']) {
    await f.request('acc-cora', { target: `https://far.example/users/${name}`, followId: `pf-${name}`, activityId: `${gw.url}/follows/${name}`, inbox: 'https://far.example/inbox', since: at(0) });
    if (name !== 'pending') await f.accept('acc-cora', `https://far.example/users/${name}`);
  }
  const following = `${gw.url}/users/cora/following`;
  const collection = await get(following);
  expect(collection.totalItems).toBe(3);
  const items = (await walk(collection.first)).flatMap((p) => p.orderedItems as string[]);
  expect(items.sort()).toEqual(['g1', 'g2', 'g3'].map((n) => `https://far.example/users/${n}`));
});

test('bad page parameters are a 400 naming the parameter; unknown actors 404', async () => {
  const bad = await fetch(`${gw.url}/users/cora/outbox?page=0`, { headers: AS2 });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { errors: Array<{ parameter: string }> }).errors[0]!.parameter).toBe('page');
  const badCursor = await fetch(`${gw.url}/users/cora/followers?cursor=abc`, { headers: AS2 });
  expect(badCursor.status).toBe(400);
  expect(((await badCursor.json()) as { errors: Array<{ parameter: string }> }).errors[0]!.parameter).toBe('cursor');
  expect((await fetch(`${gw.url}/users/nobody/outbox`, { headers: AS2 })).status).toBe(404);
  expect((await fetch(`${gw.url}/users/cora/likes`, { headers: AS2 })).status).toBe(404);
});
