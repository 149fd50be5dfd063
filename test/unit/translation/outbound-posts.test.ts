// Posts with what they point at resolved (mentions, parents, quotes, threads): golden Notes for
// each visibility and kind of post, built by the pure translation from PostRefs.
import { PUBLIC } from '../../../services/activitypub/contexts';
import { noteActivity, noteAudience, noteObject } from '../../../services/activitypub/outbound';
import { type PostRefs, conversationOf } from '../../../services/activitypub/post-refs';
import { renderText } from '../../../services/activitypub/render';
import { uris } from '../../../services/activitypub/uris';
import type { Post } from '../../../services/platform/event-schemas';
import { expectGolden } from './golden';

const u = uris('https://gw.example');
const followers = 'https://gw.example/users/alice/followers';
const bob = { uri: 'https://remote.example/users/bob', name: '@bob@remote.example', href: 'https://remote.example/@bob' };
const rita = { uri: 'https://gw.example/users/rita', name: '@rita@gw.example', href: 'https://gw.example/users/rita' };
const thread = conversationOf('gw.example', 'p1', '2026-11-01T10:00:00Z');

const base: Post = { id: 'p1', accountId: 'a1', createdAt: '2026-11-01T10:00:00Z', text: 'hi', visibility: 'public' };
const refs = (extra: Partial<PostRefs> = {}): PostRefs => ({ mentions: [], conversation: thread, inboxes: [], ...extra });
const create = (post: Post, r: PostRefs) => noteActivity('Create', noteObject(post, 'alice', u, r), 'ev1', u);

test('public post with a mention, a hashtag, a content warning and a language', () => {
  const post: Post = { ...base, text: 'Hey @bob@remote.example and @rita, look: #Fedi', spoilerText: 'spoilers', language: 'de', mentions: [{ handle: '@bob@remote.example' }, { accountId: 'a-rita' }] };
  const activity = create(post, refs({ mentions: [bob, rita] }));
  expectGolden('posts/public-mention-hashtag-cw', activity);
  expect(activity.object.to).toEqual([PUBLIC]);
  expect(activity.object.cc).toEqual([followers, bob.uri, rita.uri]);
  expect(activity.object.content).toContain('<span class="h-card" translate="no"><a href="https://remote.example/@bob" class="u-url mention">@<span>bob</span></a></span>');
  expect(activity.object.sensitive).toBe(true);
  expect(activity.object.contentMap).toEqual({ de: activity.object.content });
});

test('unlisted: to followers, cc Public and the mentioned', () => {
  const activity = create({ ...base, visibility: 'unlisted', text: '@bob@remote.example quietly' }, refs({ mentions: [bob] }));
  expectGolden('posts/unlisted', activity);
  expect([activity.to, activity.cc]).toEqual([[followers], [PUBLIC, bob.uri]]);
});

test('followers only: to followers, the mentioned in cc, no Public anywhere', () => {
  const activity = create({ ...base, visibility: 'followers', text: 'for friends, @bob@remote.example' }, refs({ mentions: [bob] }));
  expectGolden('posts/followers-only', activity);
  expect(JSON.stringify(activity)).not.toContain(PUBLIC);
  expect([activity.to, activity.cc]).toEqual([[followers], [bob.uri]]);
});

test('mentioned (direct): to the mentioned actors only, neither followers nor Public', () => {
  const activity = create({ ...base, visibility: 'mentioned', text: '@bob@remote.example just you' }, refs({ mentions: [bob] }));
  expectGolden('posts/mentioned', activity);
  expect([activity.to, activity.cc]).toEqual([[bob.uri], []]);
  expect(JSON.stringify(activity)).not.toContain(followers);
});

test('reply to a remote post: inReplyTo its URI, its author addressed, its thread adopted', () => {
  const parent = 'https://remote.example/notes/9';
  const r = refs({ inReplyTo: { uri: parent, author: bob.uri, authorName: bob.name }, conversation: 'tag:remote.example,2026-10-31:objectId=9:objectType=Conversation' });
  const activity = create({ ...base, text: 'agreed', inReplyTo: { uri: parent } }, r);
  expectGolden('posts/reply-remote', activity);
  expect(activity.object.cc).toEqual([followers, bob.uri]);
  // Tagged, so Mastodon notifies the author, though the text does not name them; never twice.
  expect(activity.object.tag).toEqual([{ type: 'Mention', href: bob.uri, name: bob.name }]);
  expect(noteObject({ ...base, inReplyTo: { uri: parent } }, 'alice', u, { ...r, mentions: [bob] }).tag).toEqual([{ type: 'Mention', href: bob.uri, name: bob.name }]);
  // A mentioned reply to a remote post goes to the parent's author.
  expect(noteAudience({ visibility: 'mentioned' }, 'alice', u, r)).toEqual({ to: [bob.uri], cc: [] });
});

test('reply to a local post: threaded with conversation and context of the root', () => {
  const activity = create({ ...base, id: 'p3', text: 'me too', inReplyTo: { postId: 'p2' } }, refs({ inReplyTo: { uri: u.post('p2'), author: rita.uri, authorName: rita.name } }));
  expectGolden('posts/reply-local-threaded', activity);
  expect(activity.object).toMatchObject({ inReplyTo: 'https://gw.example/posts/p2', conversation: thread, context: thread });
});

test('quote: FEP-044f quote, the older quote properties, a FEP-e232 Link tag and a RE: fallback', () => {
  const quoted = 'https://remote.example/notes/7';
  const activity = create({ ...base, text: 'so true', quoteOf: { uri: quoted } }, refs({ quote: { uri: quoted, author: bob.uri } }));
  expectGolden('posts/quote', activity);
  expect(activity.object).toMatchObject({ quote: quoted, quoteUrl: quoted, quoteUri: quoted, _misskey_quote: quoted });
  expect(activity.object.tag).toContainEqual({ type: 'Link', mediaType: 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"', href: quoted, name: `RE: ${quoted}` });
  expect(activity.object.content).toMatch(/<p class="quote-inline">RE: <a href="https:\/\/remote\.example\/notes\/7"/);
  expect(activity.object.cc).toContain(bob.uri);
  // A local post quoted by id, refs not resolved: still quoted by its URI.
  expect(noteObject({ ...base, quoteOf: { postId: 'p0' } }, 'alice', u)).toMatchObject({ quote: 'https://gw.example/posts/p0', quoteUrl: 'https://gw.example/posts/p0' });
});

test('audio post: a Note whose content is the transcript, the audio attached', () => {
  const audio = { kind: 'audio' as const, url: 'https://cdn.example/a.ogg', mediaType: 'audio/ogg', alt: 'voice note', durationSec: 12.5, transcript: 'Hello from the bus.\n\nSee you soon.' };
  const note = noteObject({ ...base, text: '', attachments: [audio] }, 'alice', u, refs());
  expectGolden('posts/audio', note);
  expect(note.content).toBe('<p>Hello from the bus.</p><p>See you soon.</p>');
  expect(note.attachment).toEqual([{ type: 'Audio', mediaType: 'audio/ogg', url: audio.url, name: 'voice note', duration: 'PT12.5S' }]);
  // Text that differs from the transcript comes first; text that is the transcript is not doubled.
  expect(noteObject({ ...base, text: 'Listen', attachments: [audio] }, 'alice', u).content).toBe('<p>Listen</p><p>Hello from the bus.</p><p>See you soon.</p>');
  expect(noteObject({ ...base, text: audio.transcript, attachments: [audio] }, 'alice', u).content).toBe('<p>Hello from the bus.</p><p>See you soon.</p>');
});

test('attachments: Image, Video (a gif sent as mp4 too) with alt text, size and blurhash; sensitive media', () => {
  const note = noteObject(
    {
      ...base,
      sensitive: true,
      attachments: [
        { kind: 'image', url: 'https://cdn.example/i.jpg', mediaType: 'image/jpeg', alt: 'a red kite', width: 1200, height: 800, blurhash: 'UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH' },
        { kind: 'gif', url: 'https://cdn.example/g.mp4', mediaType: 'video/mp4', width: 320, height: 240 },
        { kind: 'video', url: 'https://cdn.example/v.webm', mediaType: 'video/webm', alt: 'a kite flying', width: 1920, height: 1080, durationSec: 30 },
      ],
    },
    'alice',
    u,
    refs(),
  );
  expectGolden('posts/attachments', note);
  expect(note.sensitive).toBe(true);
  expect(note.summary).toBeNull();
});

describe('mentions in the text', () => {
  test('only resolved mentions become links; others stay plain text', () => {
    const html = renderText('@bob@remote.example @carol@elsewhere.example @bob', u, [bob]).html;
    expect(html).toBe(
      '<p><span class="h-card" translate="no"><a href="https://remote.example/@bob" class="u-url mention">@<span>bob</span></a></span> ' +
        '@carol@elsewhere.example ' +
        '<span class="h-card" translate="no"><a href="https://remote.example/@bob" class="u-url mention">@<span>bob</span></a></span></p>',
    );
  });

  test('an e-mail address or a URL with @ is not a mention; a host with a port is', () => {
    const local = { uri: 'https://localhost:8443/users/bob', name: '@bob@localhost:8443', href: 'https://localhost:8443/@bob' };
    expect(renderText('mail bob@remote.example', u, [bob]).html).toBe('<p>mail bob@remote.example</p>');
    expect(renderText('see https://remote.example/@bob', u, [bob]).html).not.toContain('h-card');
    expect(renderText('hi @bob@localhost:8443!', u, [local]).html).toContain('class="u-url mention">@<span>bob</span></a></span>!');
  });

  test('a bare @user naming two mentioned actors stays plain', () => {
    const other = { ...bob, uri: 'https://other.example/users/bob', name: '@bob@other.example' };
    expect(renderText('@bob hi', u, [bob, other]).html).toBe('<p>@bob hi</p>');
  });
});
