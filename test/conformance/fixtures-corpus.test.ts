// Conformance over real documents from ~35 server programs (../shared/fixtures/activities):
// each is turned into a command or refused with a named reason, never a crash; every note's
// HTML comes out sanitised. The count of each outcome is printed.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type JsonObject, firstId, isObject, typeOf } from '../../services/activitypub/as-read';
import { remoteActorOf, remotePostOf } from '../../services/activitypub/callbacks';
import { translateInbound } from '../../services/activitypub/inbound';
import { uris } from '../../services/activitypub/uris';

const DIR = resolve(__dirname, '../../../shared/fixtures/activities');
const u = uris('https://gw.example');
const NOTE_TYPES = ['Note', 'Article', 'Page', 'Question', 'Audio', 'Image', 'Video', 'Event'];
const KNOWN_REASONS = new Set([
  'not_an_activity', 'missing_type', 'missing_actor', 'actor_mismatch', 'id_origin_mismatch', 'missing_id',
  'not_local_target', 'object_not_embedded', 'unsupported_object_type', 'attribution_mismatch', 'missing_object_id',
  'object_origin_mismatch', 'not_addressed_to_local', 'missing_object', 'unsupported_type',
]);

const files = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.json')).sort() : [];
const outcomes = new Map<string, number>();
const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);

afterAll(() => {
  const rows = [...outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${String(n).padStart(4)}  ${k}`);
  process.stdout.write(`\nfixture corpus: ${files.length} documents\n${rows.join('\n')}\n`);
});

const suite = files.length ? describe : describe.skip;
suite(`real documents (${files.length ? DIR : `SKIPPED: no fixtures at ${DIR}`})`, () => {
  test.each(files)('%s', (file) => {
    const doc = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as JsonObject;
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
