// Conformance over real documents from ~35 server programs (../shared/fixtures/activities):
// each is normalised (as the inbox worker does: fast path or jsonld) or refused, then turned
// into a command or refused with a named reason, never a crash; every note's HTML comes out
// sanitised. The count of each outcome, and of each normalisation path, is printed.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type JsonObject, firstId, isObject, typeOf } from '../../services/activitypub/as-read';
import { remoteActorOf, remotePostOf } from '../../services/activitypub/callbacks';
import { translateInbound } from '../../services/activitypub/inbound';
import { normalizeActivity } from '../../services/activitypub/jsonld/normalize';
import { uris } from '../../services/activitypub/uris';

const DIR = resolve(__dirname, '../../../shared/fixtures/activities');
const u = uris('https://gw.example');
const NOTE_TYPES = ['Note', 'Article', 'Page', 'Question', 'Audio', 'Image', 'Video', 'Event'];
const KNOWN_REASONS = new Set([
  'not_an_activity', 'missing_type', 'missing_actor', 'actor_mismatch', 'id_origin_mismatch', 'missing_id',
  'not_local_target', 'object_not_embedded', 'unsupported_object_type', 'attribution_mismatch', 'missing_object_id',
  'object_origin_mismatch', 'not_addressed_to_local', 'missing_object', 'unsupported_type',
  // normalisation (services/activitypub/jsonld/normalize.ts)
  'not_an_object', 'document_too_deep', 'document_too_large', 'forbidden_key', 'jsonld_too_large', 'jsonld_invalid', 'jsonld_not_one_object',
  // reactions, relationships, moderation
  'invalid_reaction', 'missing_target',
]);

const files = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.json')).sort() : [];
const outcomes = new Map<string, number>();
const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
const paths = new Map<string, number>();
const countPath = (k: string) => paths.set(k, (paths.get(k) ?? 0) + 1);

afterAll(() => {
  const table = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${String(n).padStart(4)}  ${k}`).join('\n');
  process.stdout.write(`\nfixture corpus: ${files.length} documents\nnormalised by:\n${table(paths)}\noutcomes:\n${table(outcomes)}\n`);
});

const suite = files.length ? describe : describe.skip;
suite(`real documents (${files.length ? DIR : `SKIPPED: no fixtures at ${DIR}`})`, () => {
  test.each(files)('%s', async (file) => {
    const normalized = await normalizeActivity(JSON.parse(readFileSync(join(DIR, file), 'utf8')));
    if (!normalized.ok) {
      expect(KNOWN_REASONS).toContain(normalized.reason);
      countPath(`refused: ${normalized.reason}`);
      count(`refused: ${normalized.reason}`);
      return;
    }
    countPath(normalized.path === 'fast' ? 'fast path' : `jsonld${normalized.unknownContexts.length ? ' (unknown contexts read as empty)' : ''}`);
    const doc = normalized.doc;
    const actor = firstId(doc.actor);
    if (!actor) {
      count(`refused: not_an_activity (${typeOf(doc) ?? 'untyped'})`);
    } else {
      const result = translateInbound(doc, actor, u);
      if (result.ok) count(`command: ${result.command.kind}`);
      else {
        expect(KNOWN_REASONS).toContain(result.reason);
        count(`refused: ${result.reason}`);
      }
      // The same shapes aimed at a local account or post must be understood.
      const type = typeOf(doc);
      if ((type === 'Follow' || type === 'Like' || type === 'EmojiReact') && idOk(doc, actor)) {
        const local = type === 'Follow' ? 'https://gw.example/users/alice' : 'https://gw.example/posts/p1';
        const retargeted = translateInbound({ ...doc, object: local }, actor, u);
        if (type !== 'EmojiReact') expect(retargeted).toMatchObject({ ok: true, command: { kind: type.toLowerCase() } });
        // An emoji reaction is a like carrying its emoji, or refused as not one emoji.
        if (type === 'EmojiReact' && !retargeted.ok) expect(retargeted.reason).toBe('invalid_reaction');
        if ((type === 'EmojiReact' || doc._misskey_reaction) && retargeted.ok) expect(retargeted.command).toMatchObject({ kind: 'like', reaction: { content: expect.any(String) } });
      }
      // Blocks, reports and reposts aimed at a local account or post are understood too.
      const local: Record<string, [unknown, string]> = {
        Block: ['https://gw.example/users/alice', 'block'],
        Flag: [['https://gw.example/users/alice', 'https://gw.example/posts/p1'], 'report'],
        Announce: ['https://gw.example/posts/p1', 'repost'],
      };
      const aimed = type ? local[type] : undefined;
      if (aimed && idOk(doc, actor)) {
        expect(translateInbound({ ...doc, object: aimed[0] } as JsonObject, actor, u)).toMatchObject({ ok: true, command: { kind: aimed[1] } });
      }
    }
    // Every note-like object, embedded or standalone, yields a sanitised post.
    const note = isObject(doc.object) ? doc.object : doc;
    if (NOTE_TYPES.includes(typeOf(note) ?? '')) {
      const post = remotePostOf(note, remoteActorOf({ id: firstId(note.attributedTo) ?? 'https://x.example/a' }), u);
      expect(post.contentHtml).not.toMatch(/<script|<iframe|<img|\son\w+\s*=|javascript:/i);
      expect(typeof post.text).toBe('string');
      // Quotes in every notation real servers use (FEP-044f, Misskey, Fedibird, FEP-e232 "RE:").
      if (/note_quote/.test(file)) expect(post.quoteOf).toEqual({ uri: expect.stringMatching(/^https?:\/\//) });
    }
  });
});

// The fast path is an optimisation, not a second reading: jsonld, forced over the same
// documents, must read the same command, post and actor from each.
const jsonldDisagrees: string[] = [];
afterAll(() => {
  if (jsonldDisagrees.length) process.stdout.write(`fast-path documents jsonld refuses (a malformed context term of their own): ${jsonldDisagrees.join(', ')}\n`);
});
suite('the fast path reads what jsonld reads', () => {
  test.each(files)('%s', async (file) => {
    const original = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as JsonObject;
    const fast = await normalizeActivity(original);
    if (!fast.ok || fast.path !== 'fast') return;
    const forced = await normalizeActivity(original, { forceJsonld: true });
    if (!forced.ok) {
      expect(forced.reason).toBe('jsonld_invalid');
      jsonldDisagrees.push(file);
      return;
    }
    expect(reading(forced.doc)).toEqual(reading(fast.doc));
  });
});

/** What the gateway takes from a document: the command (the note as the post it becomes), a post, an actor. */
function reading(doc: JsonObject) {
  const actor = firstId(doc.actor);
  const translated = actor ? translateInbound(doc, actor, u) : undefined;
  const command = translated?.ok && translated.command.kind === 'note' ? { ...translated.command, note: remotePostOf(translated.command.note, remoteActorOf({ id: actor! }), u) } : translated;
  const note = isObject(doc.object) ? doc.object : doc;
  const post = NOTE_TYPES.includes(typeOf(note) ?? '') ? remotePostOf(note, remoteActorOf({ id: firstId(note.attributedTo) ?? 'https://x.example/a' }), u) : undefined;
  const asActor = typeof doc.inbox === 'string' ? remoteActorOf(doc) : undefined;
  return { type: typeOf(doc), id: doc.id, actor, object: firstId(doc.object), command, post, asActor };
}

/** Whether the activity's own id passes the origin rule (fixtures from test suites mix hosts). */
function idOk(doc: JsonObject, actor: string): boolean {
  const id = typeof doc.id === 'string' ? doc.id : undefined;
  if (!id) return false;
  try {
    return new URL(id).origin === new URL(actor).origin;
  } catch {
    return false;
  }
}
