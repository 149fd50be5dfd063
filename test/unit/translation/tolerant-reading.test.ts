// Tolerant reading: the shapes real servers send for the same property (single value or
// array, embedded object or bare id, Link or string, type arrays), read through the same path
// the inbox worker takes (normalizeActivity, then translateInbound).
import { type Json, type JsonObject, asArray, firstId, hasType, idOf, ids, typeOf, urlOf } from '../../../services/activitypub/as-read';
import { remoteActorOf, remotePostOf } from '../../../services/activitypub/callbacks';
import { type InboundResult, translateInbound } from '../../../services/activitypub/inbound';
import { normalizeActivity } from '../../../services/activitypub/jsonld/normalize';
import { uris } from '../../../services/activitypub/uris';

const AS = 'https://www.w3.org/ns/activitystreams';
const PUBLIC = `${AS}#Public`;
const bob = 'https://remote.example/users/bob';
const alice = 'https://gw.example/users/alice';
const post = 'https://gw.example/posts/p1';
const u = uris('https://gw.example');

async function read(doc: JsonObject): Promise<InboundResult> {
  const n = await normalizeActivity(doc);
  if (!n.ok) throw new Error(`refused: ${n.reason}`);
  return translateInbound(n.doc, bob, u);
}

describe('as-read', () => {
  test('single values and arrays, ids and objects', () => {
    expect(asArray('x')).toEqual(['x']);
    expect(asArray(['x', 'y'])).toEqual(['x', 'y']);
    expect(asArray(null)).toEqual([]);
    expect(idOf({ id: bob, type: 'Person' })).toBe(bob);
    expect(idOf({ '@id': bob })).toBe(bob);
    expect(firstId([{ type: 'Person' }, { id: bob }])).toBe(bob);
    expect(ids([bob, { id: alice }, { name: 'no id' }, 3])).toEqual([bob, alice]);
  });

  test('type strings and arrays', () => {
    expect(hasType({ type: ['Note', 'Article'] }, 'Article')).toBe(true);
    expect(typeOf({ type: [3, 'Note'] })).toBe('Note');
    expect(typeOf({ type: [] })).toBeUndefined();
  });

  test('URLs as strings, Links, Images with their own url, and arrays of these', () => {
    expect(urlOf('https://a.example/x')).toBe('https://a.example/x');
    expect(urlOf({ type: 'Link', href: 'https://a.example/x' })).toBe('https://a.example/x');
    expect(urlOf([{ type: 'Link', mediaType: 'text/html', href: 'mailto:x' }, 'https://a.example/y'])).toBe('https://a.example/y');
    expect(urlOf([{ type: 'Image', url: 'https://a.example/i.png' }])).toBe('https://a.example/i.png');
    expect(urlOf({ type: 'Image', url: { type: 'Link', href: 'https://a.example/i.png' } })).toBe('https://a.example/i.png');
    expect(urlOf('javascript:alert(1)')).toBeUndefined();
  });
});

describe('activities in their varied shapes', () => {
  const follow = { '@context': AS, id: 'https://remote.example/f/1', type: 'Follow', actor: bob, object: alice };
  const followed = { ok: true, command: { kind: 'follow', activityId: follow.id, actor: bob, username: 'alice' } };

  test.each<[string, JsonObject]>([
    ['object as an embedded actor', { ...follow, object: { id: alice, type: 'Person' } }],
    ['object as a one-item array', { ...follow, object: [alice] }],
    ['actor embedded', { ...follow, actor: { id: bob, type: 'Person', inbox: `${bob}/inbox` } }],
    ['actor as a one-item array', { ...follow, actor: [bob] }],
    ['type as an array', { ...follow, type: ['Follow'] }],
    ['to as a string', { ...follow, to: alice }],
    ['@context with extension objects', { ...follow, '@context': [AS, 'https://w3id.org/security/v1', { toot: 'http://joinmastodon.org/ns#', Emoji: 'toot:Emoji' }] }],
    ['prefixed keys', { '@context': AS, '@id': follow.id, '@type': 'as:Follow', 'as:actor': { '@id': bob }, 'as:object': { '@id': alice } } as JsonObject],
  ])('Follow with %s', async (_name, doc) => {
    expect(await read(doc)).toEqual(followed);
  });

  test.each<[string, Json]>([
    ['a bare id', post],
    ['an embedded Note', { id: post, type: 'Note' }],
    ['a one-item array', [post]],
    ['an embedded Note in an array', [{ id: post, type: 'Note' }]],
  ])('Like of %s', async (_name, object) => {
    expect(await read({ '@context': AS, id: 'https://remote.example/l/1', type: 'Like', actor: bob, object })).toEqual({ ok: true, command: { kind: 'like', activityId: 'https://remote.example/l/1', actor: bob, postId: 'p1' } });
  });

  test.each<[string, Json]>([
    ['a bare id', 'https://remote.example/l/1'],
    ['an object with only an id', { id: 'https://remote.example/l/1' }],
    ['an untyped object with its actor', { id: 'https://remote.example/l/1', actor: bob }],
    ['a one-item array', ['https://remote.example/l/1']],
  ])('Undo of %s is an undo by reference', async (_name, object) => {
    expect(await read({ '@context': AS, id: 'https://remote.example/u/1', type: 'Undo', actor: bob, object })).toEqual({ ok: true, command: { kind: 'undo-ref', actor: bob, undoneId: 'https://remote.example/l/1' } });
  });

  test('an untyped Undo object naming another actor is still refused', async () => {
    expect(await read({ '@context': AS, id: 'https://remote.example/u/3', type: 'Undo', actor: bob, object: { id: 'https://remote.example/l/1', actor: 'https://remote.example/users/eve' } })).toMatchObject({ ok: false, reason: 'actor_mismatch' });
  });

  test('Undo of an embedded Like in an array, with type arrays', async () => {
    const r = await read({ '@context': AS, id: 'https://remote.example/u/2', type: ['Undo'], actor: bob, object: [{ id: 'https://remote.example/l/1', type: ['Like'], actor: [bob], object: [post] }] });
    expect(r).toEqual({ ok: true, command: { kind: 'undo-like', actor: bob, likeId: 'https://remote.example/l/1', postId: 'p1' } });
  });

  test('a reply whose arrays are single values and whose single values are arrays', async () => {
    const r = await read({
      '@context': [AS, { sensitive: 'as:sensitive', Hashtag: 'as:Hashtag' }],
      id: `${bob}/s/1/activity`,
      type: 'Create',
      actor: { id: bob, type: 'Person' },
      to: PUBLIC,
      object: [{
        id: `${bob}/s/1`,
        type: ['Note'],
        attributedTo: [{ id: bob, type: 'Person' }],
        inReplyTo: { id: post, type: 'Note' },
        to: PUBLIC,
        cc: `${bob}/followers`,
        content: '<p>hi <a href="https://gw.example/users/alice">@alice</a></p>',
        sensitive: true,
        tag: { type: 'Mention', href: alice, name: '@alice@gw.example' },
        attachment: { type: 'Document', mediaType: 'image/png', url: [{ type: 'Link', href: 'https://remote.example/a.png' }], name: 'a cat' },
        url: [{ type: 'Link', mediaType: 'text/html', href: 'https://remote.example/@bob/1' }],
      }],
    });
    expect(r).toMatchObject({ ok: true, command: { kind: 'note', replyToPostId: 'p1' } });
    if (!r.ok || r.command.kind !== 'note') throw new Error('not a reply');
    const p = remotePostOf(r.command.note, remoteActorOf({ id: bob }), u, new Map([['alice', 'acc-alice']]));
    expect(p).toMatchObject({ uri: `${bob}/s/1`, url: 'https://remote.example/@bob/1', sensitive: true, mentions: [{ accountId: 'acc-alice' }], inReplyTo: { postId: 'p1' } });
    expect(p.attachments).toEqual([expect.objectContaining({ url: 'https://remote.example/a.png' })]);
  });

  test('an actor whose icon is an array of Images', () => {
    expect(remoteActorOf({ id: bob, preferredUsername: 'bob', icon: [{ type: 'Image', url: 'https://remote.example/bob.png' }] }).avatarUrl).toBe('https://remote.example/bob.png');
  });
});
