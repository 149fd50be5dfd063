// Property-based fuzzing (fast-check) of the inbound path: the document walk, the normaliser,
// the translation into commands and the callback payloads built from remote documents. Whatever
// JSON arrives, each answers with its documented refusal value, never a throw, and what reaches
// the platform always matches the contract's callback schemas.
import fc from 'fast-check';
import type { JsonObject } from '../../services/activitypub/as-read';
import { remoteActorOf, remotePostOf } from '../../services/activitypub/callbacks';
import { translateInbound } from '../../services/activitypub/inbound';
import { inspectDocument } from '../../services/activitypub/jsonld/document-shape';
import { type NormalizeRefusal, normalizeActivity } from '../../services/activitypub/jsonld/normalize';
import { uris } from '../../services/activitypub/uris';
import { RemoteActorSchema, RemotePostSchema } from '../../services/platform/callback-schemas';

const u = uris('https://gw.example');
const AS = 'https://www.w3.org/ns/activitystreams';
const bob = 'https://social.example/users/bob';
const REFUSALS: ReadonlySet<NormalizeRefusal> = new Set(['document_too_deep', 'document_too_large', 'forbidden_key', 'not_an_object', 'jsonld_too_large', 'jsonld_invalid', 'jsonld_not_one_object']);
// Fixed seeds: a failure is reproducible in CI and here; fast-check prints the counterexample.
const settings = (numRuns: number, seed: number) => ({ numRuns, seed });

// --- generators: anything at all, and documents shaped enough like activities to get far ---
const anyJson = fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' });
const oddString = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('', ' ', '\u0000', '\ud800', 'not a uri', 'javascript:alert(1)', 'https://[::1', 'http://', '__proto__', 'constructor'));
const uriLike = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(bob, `${bob}/notes/1`, 'https://social.example/notes/2', 'https://gw.example/users/alice', 'https://gw.example/posts/p1', `${AS}#Public`, `${bob}/followers`) },
  { weight: 1, arbitrary: fc.webUrl() },
  { weight: 1, arbitrary: oddString },
);
const ref = fc.oneof(uriLike, fc.array(uriLike, { maxLength: 3 }), fc.record({ id: uriLike, type: fc.constantFrom('Note', 'Person', 'Link', 'Tombstone') }), anyJson);
const date = fc.oneof(fc.date({ noInvalidDate: true, min: new Date(-8.64e15), max: new Date(8.64e15) }).map((d) => d.toISOString()), oddString, fc.constantFrom('2026-11-01T10:00:00Z', 'Mon, 02 Nov 2026 10:00:00 GMT', '2026-11-01', '99999-01-01T00:00:00Z'), anyJson);
const tag = fc.record(
  { type: fc.constantFrom('Mention', 'Hashtag', 'Emoji', 'Link', 'Other'), href: uriLike, name: oddString, mediaType: fc.constantFrom('application/activity+json', 'text/html'), icon: ref },
  { requiredKeys: [] },
);
const note = fc.record(
  {
    id: uriLike, type: fc.constantFrom('Note', 'Article', 'Question', 'Page', 'Image'), attributedTo: fc.oneof(fc.constant(bob), ref),
    content: fc.oneof(oddString, fc.constantFrom('<p>hi <b>x</b></p>', '<script>alert(1)</script>', '<a href="javascript:x">y</a>'), anyJson),
    contentMap: anyJson, summary: fc.oneof(oddString, anyJson), inReplyTo: ref, quote: ref, quoteUrl: ref, _misskey_quote: ref,
    tag: fc.oneof(fc.array(tag, { maxLength: 4 }), anyJson), attachment: fc.oneof(fc.array(fc.record({ type: fc.constantFrom('Document', 'Image'), url: ref, mediaType: oddString, name: oddString, width: anyJson, blurhash: anyJson }, { requiredKeys: [] }), { maxLength: 3 }), anyJson),
    published: date, updated: date, url: ref, sensitive: anyJson, to: ref, cc: ref,
  },
  { requiredKeys: [] },
);
const activity = fc.record(
  {
    '@context': fc.oneof(fc.constant(AS), fc.constant([AS, 'https://w3id.org/security/v1']), anyJson),
    id: uriLike,
    type: fc.oneof(fc.constantFrom('Create', 'Update', 'Delete', 'Follow', 'Like', 'EmojiReact', 'Announce', 'Undo', 'Accept', 'Reject', 'Block', 'Flag', 'Move', 'Add'), oddString, anyJson),
    actor: fc.oneof({ weight: 4, arbitrary: fc.constant(bob) }, { weight: 1, arbitrary: ref }),
    object: fc.oneof(note, ref, fc.record({ type: fc.constantFrom('Follow', 'Like', 'Announce', 'Block'), id: uriLike, actor: fc.constant(bob), object: ref }, { requiredKeys: [] })),
    target: ref, to: ref, cc: ref, content: fc.oneof(oddString, anyJson), tag: fc.oneof(fc.array(tag, { maxLength: 3 }), anyJson),
  },
  { requiredKeys: [] },
);

// A Create or Update of bob's own note, so translation gets as far as the callback payload.
const noteActivity = fc.record({
  '@context': fc.constant(AS),
  id: fc.nat().map((n) => `${bob}/notes/${n}/activity`),
  type: fc.constantFrom('Create', 'Update'),
  actor: fc.constant(bob),
  object: fc.tuple(note, fc.nat()).map(([n, i]) => ({ ...n, id: `${bob}/notes/${i}`, type: 'Note', attributedTo: bob })),
});

test('the document walk never throws, on anything', () => {
  fc.assert(
    fc.property(fc.dictionary(oddString, anyJson), (doc) => {
      const shape = inspectDocument(doc as JsonObject);
      expect(shape.ok || ['document_too_deep', 'document_too_large', 'forbidden_key'].includes(shape.reason)).toBe(true);
    }),
    settings(300, 1),
  );
});

test('the normaliser answers any JSON value with a document or a named refusal, never a throw', async () => {
  const seen = { documents: 0, refusals: 0 };
  await fc.assert(
    fc.asyncProperty(fc.oneof(anyJson, activity), async (doc) => {
      const r = await normalizeActivity(doc);
      if (r.ok) expect(typeof r.doc).toBe('object');
      else expect(REFUSALS.has(r.reason) && typeof r.detail === 'string').toBe(true);
      seen[r.ok ? 'documents' : 'refusals']++;
    }),
    settings(300, 2),
  );
  // Not vacuous: both answers were reached (fast-check reruns shrink only on failure).
  expect(seen.documents).toBeGreaterThan(30);
  expect(seen.refusals).toBeGreaterThan(30);
});

test('translation answers any activity with a command or a reason; every note it passes on matches the callback schema', async () => {
  const author = remoteActorOf({ id: bob, type: 'Person', preferredUsername: 'bob', inbox: `${bob}/inbox` });
  const seen = { notNormalized: 0, refused: 0, otherCommands: 0, notesChecked: 0 };
  await fc.assert(
    fc.asyncProperty(fc.oneof(activity, noteActivity), async (raw) => {
      // As the worker does: normalise first, then translate.
      const normalized = await normalizeActivity(raw);
      if (!normalized.ok) return void seen.notNormalized++;
      const r = translateInbound(normalized.doc, bob, u);
      if (!r.ok) {
        expect(typeof r.reason).toBe('string');
        return void seen.refused++;
      }
      if (r.command.kind !== 'note') return void seen.otherCommands++;
      const post = remotePostOf(r.command.note, author, u, new Map([['alice', 'acc-alice']]));
      const checked = RemotePostSchema.safeParse(post);
      if (!checked.success) throw new Error(`${JSON.stringify(checked.error.issues)}\n${JSON.stringify(post)}`);
      seen.notesChecked++;
    }),
    settings(500, 3),
  );
  // Not vacuous: a good share of the runs reach the schema check, and the other branches are reached too.
  expect(seen.notesChecked).toBeGreaterThan(100);
  expect(seen.refused).toBeGreaterThan(0);
});

test('any actor document (at its own URI) becomes a RemoteActor that matches the callback schema', () => {
  fc.assert(
    fc.property(
      fc.record({ preferredUsername: fc.oneof(oddString, anyJson), name: fc.oneof(oddString, anyJson), summary: fc.oneof(oddString, anyJson), icon: ref, url: ref }, { requiredKeys: [] }),
      fc.constantFrom(bob, 'https://social.example/users/', 'https://social.example/@bob', 'https://x.example/a/b%20c'),
      (fields, id) => {
        const actor = remoteActorOf({ ...(fields as JsonObject), id, type: 'Person', inbox: `${id}/inbox` });
        const checked = RemoteActorSchema.safeParse(actor);
        if (!checked.success) throw new Error(`${JSON.stringify(checked.error.issues)}\n${JSON.stringify(actor)}`);
      },
    ),
    settings(300, 4),
  );
});

test('what the fuzzing found stays fixed: a parent, quote, mention or date that is not one is left out', () => {
  const author = remoteActorOf({ id: bob, type: 'Person', preferredUsername: 'b o@b', inbox: `${bob}/inbox` });
  expect(author.handle).toBe('@bo@social.example');
  const post = remotePostOf(
    { id: `${bob}/notes/1`, type: 'Note', content: 'x', inReplyTo: 'javascript:alert(1)', quote: 'not a uri', published: 'yesterday', updated: 'Mon, 02 Nov 2026 10:00:00 GMT', tag: [{ type: 'Mention', href: 'https://[::1' }, { type: 'Mention', href: 'https://x.example/@carol', name: '@ carol\t' }] },
    author,
    u,
  );
  expect(post).not.toHaveProperty('inReplyTo');
  expect(post).not.toHaveProperty('quoteOf');
  expect(post.publishedAt).toBe(new Date(0).toISOString());
  expect(post.updatedAt).toBe('2026-11-02T10:00:00.000Z');
  expect(post.mentions).toEqual([{ uri: 'https://x.example/@carol', handle: '@carol@x.example', name: 'carol', summaryHtml: '' }]);
  expect(RemotePostSchema.safeParse(post).success).toBe(true);
});
