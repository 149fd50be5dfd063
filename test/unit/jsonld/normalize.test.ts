// Inbound JSON-LD → the standard compact form: which documents skip jsonld, and what the jsonld
// path makes of prefixed keys, aliases, redefinitions, unknown contexts and value objects.
import type { JsonObject } from '../../../services/activitypub/as-read';
import { remoteActorOf, remotePostOf } from '../../../services/activitypub/callbacks';
import { translateInbound } from '../../../services/activitypub/inbound';
import { normalizeActivity } from '../../../services/activitypub/jsonld/normalize';
import { uris } from '../../../services/activitypub/uris';

const AS = 'https://www.w3.org/ns/activitystreams';
const SEC = 'https://w3id.org/security/v1';
const PUBLIC = `${AS}#Public`;
const bob = 'https://social.example/users/bob';
const u = uris('https://gw.example');

async function normalized(doc: unknown, opts?: { forceJsonld?: boolean }): Promise<JsonObject & { path: string }> {
  const r = await normalizeActivity(doc, opts);
  if (!r.ok) throw new Error(`refused: ${r.reason} ${r.detail}`);
  return Object.assign({}, r.doc, { path: r.path });
}

const reply = (context: unknown, note: JsonObject, extra: JsonObject = {}): JsonObject => ({
  '@context': context as JsonObject,
  id: `${bob}/statuses/1/activity`,
  type: 'Create',
  actor: bob,
  ...extra,
  object: { id: `${bob}/statuses/1`, type: 'Note', attributedTo: bob, inReplyTo: 'https://gw.example/posts/p1', ...note },
});

describe('fast path: documents already in the standard form are passed as they are', () => {
  test.each([
    ['no @context (the AS context is implied)', undefined],
    ['the AS context alone', AS],
    ['AS and security, http: spelling', ['http://www.w3.org/ns/activitystreams', 'http://w3id.org/security/v1']],
    ['Mastodon extension terms', [AS, SEC, { ostatus: 'http://ostatus.org#', atomUri: 'ostatus:atomUri', sensitive: 'as:sensitive', Hashtag: 'as:Hashtag', toot: 'http://joinmastodon.org/ns#', Emoji: 'toot:Emoji', featured: { '@id': 'toot:featured', '@type': '@id' }, focalPoint: { '@container': '@list', '@id': 'toot:focalPoint' } }]],
    ['Misskey terms in its older misskey.io namespace', [AS, SEC, { misskey: 'https://misskey.io/ns#', _misskey_quote: 'misskey:_misskey_quote', Key: 'sec:Key', quoteUrl: 'as:quoteUrl' }]],
    ['a Pleroma-style default language', [AS, { '@language': 'und' }]],
    ['GoToSocial\'s context', [AS, 'https://gotosocial.org/ns']],
    ['a malformed definition of a term of its own (Pixelfed)', [AS, { capabilities: { announce: { '@type': '@id' } } }]],
  ])('%s', async (_name, context) => {
    const doc = reply(context, { content: '<p>hi</p>' });
    if (context === undefined) delete doc['@context'];
    const r = await normalizeActivity(doc);
    expect(r).toMatchObject({ ok: true, path: 'fast' });
    expect(r.ok && r.doc).toBe(doc);
  });

  test.each([
    ['a prefixed key', reply(AS, { 'as:content': '<p>hi</p>' })],
    ['a keyword key', { ...reply(AS, {}), '@id': 'x', id: undefined }],
    ['an alias of a standard term', reply([AS, { body: 'as:content' }], { body: '<p>hi</p>' })],
    ['a redefined standard term', reply([AS, { content: 'http://other.example/ns#content' }], { content: '<p>hi</p>' })],
    ['a standard term turned into a language map', reply([AS, { content: { '@id': 'as:content', '@container': '@language' } }], { content: { en: '<p>hi</p>' } })],
    ['an unknown remote context', reply([AS, 'https://pleroma.example/schemas/litepub-0.1.jsonld'], {})],
    ['an embedded @context', reply(AS, { '@context': [AS, { body: 'as:content' }] })],
    ['@vocab', reply([AS, { '@vocab': 'http://other.example/ns#' }], {})],
  ])('%s goes through jsonld', async (_name, doc) => {
    expect(await normalizeActivity(JSON.parse(JSON.stringify(doc)))).toMatchObject({ ok: true, path: 'jsonld' });
  });
});

describe('jsonld path: the plain property names the gateway reads', () => {
  test('prefixed and full-IRI keys, keyword keys and aliases become the standard terms, and translate like the plain form', async () => {
    const plain = reply(AS, { content: '<p>hi</p>', to: PUBLIC });
    const spelled: JsonObject = {
      '@context': [AS, { body: 'as:content', author: { '@id': 'as:attributedTo', '@type': '@id' } }],
      '@id': `${bob}/statuses/1/activity`,
      '@type': 'Create',
      'as:actor': { '@id': bob },
      object: { '@id': `${bob}/statuses/1`, type: 'Note', author: bob, 'https://www.w3.org/ns/activitystreams#inReplyTo': { '@id': 'https://gw.example/posts/p1' }, body: '<p>hi</p>', 'as:to': { '@id': 'as:Public' } },
    };
    const doc = await normalized(spelled);
    expect(doc.path).toBe('jsonld');
    expect(doc).toMatchObject({ id: plain.id, type: 'Create', actor: bob, object: { id: `${bob}/statuses/1`, type: 'Note', attributedTo: bob, inReplyTo: 'https://gw.example/posts/p1', content: '<p>hi</p>', to: PUBLIC } });
    expect(translateInbound(doc, bob, u)).toEqual(translateInbound(plain, bob, u));
  });

  test('a document that is only an id says nothing (JSON-LD drops it): an object translation refuses', async () => {
    const { path, ...doc } = await normalized({ '@context': AS, '@id': `${bob}/x` });
    expect(path).toBe('jsonld');
    expect(Object.keys(doc)).toEqual(['@context']);
    expect(translateInbound(doc, bob, u)).toMatchObject({ ok: false, reason: 'missing_type' });
  });

  test('a redefined standard term is not read as that term', async () => {
    const doc = await normalized(reply([AS, { content: 'http://other.example/ns#content' }], { content: '<p>not AS content</p>' }));
    expect((doc.object as JsonObject).content).toBeUndefined();
    expect((doc.object as JsonObject)['http://other.example/ns#content']).toBe('<p>not AS content</p>');
  });

  test('terms of an unknown context (read as empty) keep their names; the context URL is reported', async () => {
    const litepub = 'https://pleroma.example/schemas/litepub-0.1.jsonld';
    const r = await normalizeActivity({ '@context': [AS, litepub, { '@language': 'und' }], id: `${bob}/r/1`, type: 'EmojiReact', actor: bob, object: 'https://gw.example/posts/p1', content: '👍', sensitive: false, directMessage: false });
    expect(r).toMatchObject({ ok: true, path: 'jsonld', unknownContexts: [litepub] });
    // The default language does not turn content into a contentMap.
    expect(r.ok && r.doc).toMatchObject({ type: 'EmojiReact', actor: bob, object: 'https://gw.example/posts/p1', content: '👍', sensitive: false, directMessage: false });
  });

  test('value objects become values; a language-tagged content becomes contentMap', async () => {
    const doc = await normalized(reply(AS, { content: { '@value': '<p>plain</p>' }, summary: { '@value': 'cw', '@language': 'en' }, published: { '@value': '2026-11-01T12:00:00Z', '@type': 'http://www.w3.org/2001/XMLSchema#dateTime' } }));
    expect(doc.object).toMatchObject({ content: '<p>plain</p>', summaryMap: { en: 'cw' }, published: '2026-11-01T12:00:00Z' });
  });

  test('namespace spellings and type coercions servers disagree on still give the standard term', async () => {
    const doc = await normalized(reply([AS, { misskey: 'https://misskey.io/ns#', _misskey_quote: 'misskey:_misskey_quote', quoteUrl: { '@id': 'as:quoteUrl', '@type': '@id' } }], { _misskey_quote: 'https://misskey.example/notes/1', quoteUrl: 'https://misskey.example/notes/1', 'as:content': 'x' }));
    expect(doc.object).toMatchObject({ _misskey_quote: 'https://misskey.example/notes/1', quoteUrl: 'https://misskey.example/notes/1', content: 'x' });
  });

  test('the document\'s own extension types and properties keep their names', async () => {
    const doc = await normalized({ '@context': [AS, { QuoteRequest: 'https://w3id.org/fep/044f#QuoteRequest', sm: 'http://smithereen.software/ns#', wall: { '@id': 'sm:wall', '@type': '@id' } }], '@id': `${bob}/q/1`, type: 'QuoteRequest', actor: bob, object: 'https://gw.example/posts/p1', wall: `${bob}/wall` });
    expect(doc).toMatchObject({ id: `${bob}/q/1`, type: 'QuoteRequest', wall: `${bob}/wall` });
  });

  test('forcing jsonld over a standard document reads the same activity', async () => {
    const doc = reply([AS, SEC, { sensitive: 'as:sensitive', toot: 'http://joinmastodon.org/ns#', Emoji: 'toot:Emoji' }], { content: '<p>hi</p>', sensitive: true, to: [PUBLIC], tag: [{ type: 'Emoji', name: ':x:', icon: { type: 'Image', url: 'https://social.example/x.png' } }] });
    const forced = await normalized(doc, { forceJsonld: true });
    expect(forced.path).toBe('jsonld');
    // Single-item arrays compact to the item: as-read takes either.
    expect(forced.object).toMatchObject({ content: '<p>hi</p>', sensitive: true, to: PUBLIC, tag: { type: 'Emoji', name: ':x:', icon: { type: 'Image', url: 'https://social.example/x.png' } } });
    const [a, b] = [translateInbound(forced, bob, u), translateInbound(doc, bob, u)];
    if (!a.ok || !b.ok || a.command.kind !== 'note' || b.command.kind !== 'note') throw new Error('not replies');
    expect(a.command.replyToPostId).toBe(b.command.replyToPostId);
    const author = remoteActorOf({ id: bob });
    expect(remotePostOf(a.command.note, author, u)).toEqual(remotePostOf(b.command.note, author, u));
  });
});
