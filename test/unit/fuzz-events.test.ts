// Property-based fuzzing (fast-check) of the event validator (services/platform/validate-events.ts)
// and the JSON door in front of it: any JSON value is answered with events or field problems,
// never a throw; every event the contract allows stays valid (alone, batched, re-serialised,
// behind the HTTP depth limit); a valid event with one value replaced is refused naming that field.
import fc from 'fast-check';
import { MAX_BATCH } from '../../services/platform/event-schemas';
import { validateEventBody } from '../../services/platform/validate-events';
import { MAX_JSON_DEPTH, nestingPastLimit, parseJson } from '../../services/http/raw-body';

const settings = (numRuns: number, seed: number) => ({ numRuns, seed });
const anyJson = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });

// --- the contract's events (services/platform/event-schemas.ts) as generators ---
const id = fc.string({ minLength: 1, maxLength: 40, unit: 'binary' });
const date = fc.date({ noInvalidDate: true, min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z') }).map((d) => d.toISOString());
const httpUrl = fc.oneof(fc.constantFrom('https://social.example/users/bob', 'http://127.0.0.1:8080/x?y=1#z', 'https://xn--nxasmq6b.example/%F0%9F%98%80'), fc.webUrl({ validSchemes: ['http', 'https'] }).filter((u) => u.length <= 2048));
const text = (maxLength: number) => fc.string({ maxLength, unit: 'binary' });
const media = fc.record(
  { kind: fc.constantFrom('image', 'video', 'audio', 'gif'), url: httpUrl, mediaType: fc.constantFrom('image/png', 'video/mp4', 'audio/ogg', 'image/gif', 'application/octet-stream'), alt: text(100), width: fc.integer({ min: 1, max: 10_000 }), height: fc.integer({ min: 1, max: 10_000 }), blurhash: text(20) },
  { requiredKeys: ['kind', 'url', 'mediaType'] },
);
const ref = fc.oneof(fc.record({ postId: id }), fc.record({ uri: httpUrl }));
const actorRef = fc.oneof(fc.record({ accountId: id }), fc.record({ handle: fc.constantFrom('@bob@social.example', 'carol@x.example', '@d@127.0.0.1:8080') }), fc.record({ uri: httpUrl }));
const account = fc.record(
  {
    id, username: fc.stringMatching(/^[A-Za-z0-9_]{1,30}$/), displayName: text(200), summary: text(300), profileUrl: httpUrl,
    manuallyApprovesFollowers: fc.boolean(), discoverable: fc.boolean(), indexable: fc.boolean(), createdAt: date,
    avatar: media, header: media, fields: fc.array(fc.record({ name: text(50), value: text(100) }), { maxLength: 16 }),
  },
  { requiredKeys: ['id', 'username', 'displayName', 'summary', 'profileUrl', 'manuallyApprovesFollowers', 'discoverable', 'indexable', 'createdAt'] },
);
const post = fc.record(
  {
    id, accountId: id, createdAt: date, updatedAt: date, text: text(500), visibility: fc.constantFrom('public', 'unlisted', 'followers', 'mentioned'),
    inReplyTo: ref, quoteOf: ref, attachments: fc.array(media, { maxLength: 4 }), mentions: fc.array(actorRef, { maxLength: 5 }),
    hashtags: fc.array(fc.stringMatching(/^[\p{L}\p{N}_]{1,20}$/u), { maxLength: 5 }), sensitive: fc.boolean(), spoilerText: text(100),
    language: fc.constantFrom('en', 'de', 'pt-BR', 'zh-Hant-TW', 'ast'), federate: fc.boolean(),
  },
  { requiredKeys: ['id', 'accountId', 'createdAt', 'text', 'visibility'] },
);
const envelope = <T>(type: string, data: fc.Arbitrary<T>) => fc.record({ id, type: fc.constant(type), occurredAt: date, data });
const event = fc.oneof(
  ...['account.enabled', 'account.updated'].map((t) => envelope(t, fc.record({ account }))),
  ...['post.created', 'post.updated'].map((t) => envelope(t, fc.record({ post }))),
  envelope('post.deleted', fc.record({ postId: id, accountId: id })),
  ...['account.disabled', 'account.deleted'].map((t) => envelope(t, fc.record({ accountId: id }))),
  ...['like.created', 'like.deleted'].map((t) => envelope(t, fc.record({ like: fc.record({ id, accountId: id, of: ref }) }))),
  ...['repost.created', 'repost.deleted'].map((t) => envelope(t, fc.record({ repost: fc.record({ id, accountId: id, of: ref }) }))),
  ...['follow_request.approved', 'follow_request.rejected', 'follower.removed'].map((t) => envelope(t, fc.record({ accountId: id, follower: actorRef }))),
  ...['block.created', 'block.deleted'].map((t) => envelope(t, fc.record({ block: fc.record({ id, accountId: id, target: actorRef }) }))),
  envelope('report.created', fc.record({ report: fc.record({ id, accountId: id, target: actorRef, objects: fc.array(ref, { maxLength: 5 }), comment: text(200) }, { requiredKeys: ['id', 'target', 'objects', 'comment'] }) })),
  ...['follow.created', 'follow.deleted'].map((t) => envelope(t, fc.record({ follow: fc.record({ id, accountId: id, target: actorRef }) }))),
);

/** Every path to a value inside `v`, the root excluded. */
function pathsOf(v: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof v !== 'object' || v === null) return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  return entries.flatMap(([k, x]) => [[...at, k], ...pathsOf(x, [...at, k])]);
}

function replaced(v: unknown, path: Array<string | number>, value: unknown): unknown {
  const copy = structuredClone(v) as Record<string | number, unknown>;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
  return copy;
}

const pointerOf = (path: Array<string | number>) => path.map((k) => `/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

test('any JSON value is answered with events or field problems, never a throw', () => {
  const seen = { accepted: 0, refused: 0 };
  fc.assert(
    fc.property(fc.oneof(anyJson, fc.record({ events: fc.oneof(anyJson, fc.array(fc.oneof(anyJson, event), { maxLength: 5 })) })), (body) => {
      const r = validateEventBody(body);
      seen[r.ok ? 'accepted' : 'refused']++;
      if (r.ok) return;
      expect(r.problems.length).toBeGreaterThan(0);
      for (const p of r.problems) {
        expect(p.pointer === '' || p.pointer.startsWith('/')).toBe(true);
        expect(typeof p.message === 'string' && p.message.length > 0).toBe(true);
      }
    }),
    settings(400, 11),
  );
  // Not vacuous: some bodies get through (batches of valid events), most are refused.
  expect(seen.accepted).toBeGreaterThan(10);
  expect(seen.refused).toBeGreaterThan(200);
});

test('every event the contract allows stays valid: alone, batched, re-serialised, behind the depth limit', () => {
  fc.assert(
    fc.property(fc.uniqueArray(event, { minLength: 1, maxLength: 8, selector: (e) => e.id }), (events) => {
      const one = validateEventBody(events[0]);
      expect(one).toEqual({ ok: true, events: [events[0]] });
      const text = JSON.stringify({ events });
      // The HTTP door lets it through: not too deep, parses to what was sent.
      expect(nestingPastLimit(Buffer.from(text), MAX_JSON_DEPTH)).toBeUndefined();
      const parsed = parseJson(Buffer.from(text));
      expect(parsed.ok).toBe(true);
      const batch = validateEventBody(parsed.ok ? parsed.value : undefined);
      expect(batch).toEqual({ ok: true, events });
      // Fields the gateway does not know (a later contract's, or a prototype key) are dropped, not refused.
      const extra = JSON.parse(JSON.stringify(events[0]).replace(/^\{/, '{"__proto__":{"polluted":true},"addedLater":[1],')) as unknown;
      expect(validateEventBody(extra)).toEqual({ ok: true, events: [events[0]] });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }),
    settings(300, 12),
  );
});

test('a valid event with one value replaced stays valid or is refused naming that field (or the object holding it)', () => {
  const mutation = event.chain((e) => {
    const paths = pathsOf(e);
    return fc.tuple(fc.constant(e), fc.constantFrom(...paths), anyJson);
  });
  const seen = { stayedValid: 0, refused: 0 };
  fc.assert(
    fc.property(mutation, ([e, path, value]) => {
      const r = validateEventBody(replaced(e, path, value));
      seen[r.ok ? 'stayedValid' : 'refused']++;
      if (r.ok) return;
      const at = pointerOf(path);
      const related = r.problems.some((p) => p.pointer !== '' && (at.startsWith(p.pointer) || p.pointer.startsWith(at)));
      if (!related) throw new Error(`replaced ${at}; problems name ${JSON.stringify(r.problems)}`);
    }),
    settings(400, 13),
  );
  // Not vacuous: most replacements are refused, so the field check ran.
  expect(seen.refused).toBeGreaterThan(200);
});

test('the batch limit is exact', () => {
  const like = (i: number) => ({ id: `l${i}`, type: 'post.deleted', occurredAt: '2026-11-01T10:00:00Z', data: { postId: `p${i}`, accountId: 'a' } });
  expect(validateEventBody({ events: Array.from({ length: MAX_BATCH }, (_, i) => like(i)) }).ok).toBe(true);
  expect(validateEventBody({ events: Array.from({ length: MAX_BATCH + 1 }, (_, i) => like(i)) })).toEqual({ ok: false, problems: [{ pointer: '/events', message: `at most ${MAX_BATCH} events per batch` }] });
});

test('the depth scan agrees with the real nesting of any JSON value', () => {
  const depthOf = (v: unknown): number => (typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 8, stringUnit: 'binary' }), fc.integer({ min: 0, max: 8 }), (v, limit) => {
      const text = Buffer.from(JSON.stringify(v));
      expect(nestingPastLimit(text, limit) === undefined).toBe(depthOf(v) <= limit);
    }),
    settings(400, 14),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const r = parseJson(Buffer.from(bytes));
      if (!r.ok) expect(['empty_body', 'malformed_json', 'document_too_deep']).toContain(r.reason);
    }),
    settings(300, 15),
  );
});
