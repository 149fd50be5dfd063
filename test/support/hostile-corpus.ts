// A corpus of hostile request bodies for the inboxes and the event intake, generated at test time
// (deterministic: fixed fast-check seeds): malformed JSON, deep nesting, huge arrays and strings,
// remote @context URLs, wrong types, prototype keys, null bytes and odd Unicode, forged, stale,
// replayed and missing signatures. Most are signed validly, so they get past authentication and
// the parser, the queue and the workers see them too. Each case says which statuses it may get.
import { type KeyObject, createHmac, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { Agent, request } from 'node:http';
import fc from 'fast-check';
import { signCavageRequest } from '../../services/signatures/cavage-sign';
import { signPayload } from '../../services/platform/hmac';
import { accountData, postData } from './platform-events';

export interface HostileRequest {
  target: 'inbox' | 'events';
  category: string;
  name: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** the statuses this case may be answered with (any 2xx-4xx when unset) */
  expect?: readonly number[];
  /** send no Host header at all */
  noHost?: true;
}

export interface CorpusContext {
  /** gateway origin, as signed for (Host) */
  gateway: string;
  /** a remote server whose every /users/<name> is an actor with this key */
  remote: { origin: string; privateKeyPem: string };
  /** origin of a loopback server posing as a @context host: it must never be asked for anything */
  contextHost: string;
  webhookSecret: string;
  /** an enabled local account and one of its posts */
  local: { accountId: string; username: string; postId: string };
}

const AS = 'https://www.w3.org/ns/activitystreams';
const PUBLIC = `${AS}#Public`;
const MIB = 1024 * 1024;

/** Values of every JSON type and a few strings that are not what a field expects. */
export const WRONG_VALUES: readonly unknown[] = [
  null, true, 0, -1.5, 1e308, '', 'not a uri', 'javascript:alert(1)', [], [null], ['x', 1, {}], {}, { id: 5 }, { id: 'https://[::1' },
];

/** Strings with null bytes, lone surrogates, direction overrides and other odd Unicode. */
export const ODD_STRINGS: readonly string[] = [
  'a\u0000b', '\u0000', '\ud800', 'x\udfffy', '\u202eevil\u202c', '\u200b\u200d\ufeff', 'e\u0301'.repeat(2000), '\u2028\u2029',
  '😀'.repeat(500), '\uffff\ufffe', 'Ω≈ç√∫˜µ≤≥÷', '<script>alert(1)</script>', '%00%ff', '\\u0000', '\r\n\t\f\v',
];

/** JSON text that does not parse. */
const MALFORMED: readonly string[] = [
  '{', '}', '[', '{"type":', '{"type":"Like",}', "{'type':'Like'}", '{"a":NaN}', '{"a":Infinity}', '{"a":undefined}', '// c\n{}',
  '/* c */{}', '{"a":1}}', '{"a":1} x', 'nul', 'tru', '{"a":"\\x41"}', '{"a":"unterminated}', '{"a":01}', '{"a":.5}', '{"a":-}',
  '{"a":"\t"}', '{"a" 1}', '{,}', '[1,,2]', '\ufeff{}', '{"a":"\\ud83d\\u"}', '\u0000', '<xml/>', 'a=1&b=2', ' ',
];

const PATHS = ['/inbox', '/actor/inbox'];

function rsaKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

/** `levels` nested arrays/objects/both, with `leaf` at the bottom. */
function nested(levels: number, shape: 'array' | 'object' | 'mixed', leaf = '1'): string {
  const open = (i: number) => (shape === 'array' || (shape === 'mixed' && i % 2) ? '[' : '{"a":');
  const close = (i: number) => (shape === 'array' || (shape === 'mixed' && i % 2) ? ']' : '}');
  let head = '';
  let tail = '';
  for (let i = 0; i < levels; i++) {
    head += open(i);
    tail = close(i) + tail;
  }
  return head + leaf + tail;
}

/** A copy of `obj` with the value at `path` (dot-separated) replaced. */
function withValue(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(obj);
  const keys = path.split('.');
  let at: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[keys.at(-1)!] = value;
  return copy;
}

export function hostileInboxCorpus(ctx: CorpusContext): HostileRequest[] {
  const out: HostileRequest[] = [];
  const key = createPrivateKey(ctx.remote.privateKeyPem);
  const actor = (name: string) => `${ctx.remote.origin}/users/${name}`;
  const localActor = `${ctx.gateway}/users/${ctx.local.username}`;
  const localPost = `${ctx.gateway}/posts/${ctx.local.postId}`;
  let n = 0;
  const id = (what: string) => `${ctx.remote.origin}/hostile/${what}/${++n}`;

  // The activities the hostile ones are made from: each applies when sent as it is.
  const like = (as: string) => ({ '@context': AS, id: id('like'), type: 'Like', actor: actor(as), object: localPost });
  const follow = (as: string) => ({ '@context': AS, id: id('follow'), type: 'Follow', actor: actor(as), object: localActor });
  const create = (as: string) => {
    const noteId = id('note');
    return {
      '@context': AS,
      id: `${noteId}/activity`,
      type: 'Create',
      actor: actor(as),
      to: [PUBLIC],
      cc: [localActor],
      object: {
        id: noteId, type: 'Note', attributedTo: actor(as), content: '<p>hello @hana</p>', inReplyTo: localPost, to: [PUBLIC], cc: [localActor],
        published: '2026-11-01T10:00:00Z', tag: [{ type: 'Mention', href: localActor, name: `@${ctx.local.username}` }],
      },
    };
  };
  const announce = (as: string) => ({ '@context': AS, id: id('announce'), type: 'Announce', actor: actor(as), object: localPost, to: [PUBLIC] });
  const flag = (as: string) => ({ '@context': AS, id: id('flag'), type: 'Flag', actor: actor(as), object: [localActor, localPost], content: 'spam' });

  /** The key of the body's own actor when it is one of the remote server's, so the signature is good. */
  const ownKeyId = (raw: Buffer) => {
    let claimed: unknown;
    try {
      claimed = (JSON.parse(raw.toString('utf8')) as { actor?: unknown } | null)?.actor;
    } catch {
      claimed = undefined;
    }
    return `${typeof claimed === 'string' && claimed.startsWith(`${ctx.remote.origin}/users/`) ? claimed : actor('hostile')}#main-key`;
  };
  type Sign = { as?: string; keyId?: string; privateKey?: KeyObject; date?: Date; signedBody?: Buffer; path?: string; contentType?: string; drop?: string[]; set?: Record<string, string> };
  const signed = (category: string, name: string, body: Buffer | string, expect?: readonly number[], s: Sign = {}) => {
    const raw = typeof body === 'string' ? Buffer.from(body) : body;
    const path = s.path ?? PATHS[out.length % PATHS.length]!;
    const headers = signCavageRequest(
      { method: 'POST', url: `${ctx.gateway}${path}`, headers: { 'content-type': s.contentType ?? 'application/activity+json' }, body: s.signedBody ?? raw },
      { keyId: s.keyId ?? (s.as ? `${actor(s.as)}#main-key` : ownKeyId(raw)), privateKey: s.privateKey ?? key },
      s.date,
    );
    for (const h of s.drop ?? []) delete headers[h];
    Object.assign(headers, s.set ?? {});
    out.push({ target: 'inbox', category, name, path, headers, body: raw, ...(expect ? { expect } : {}), ...(s.drop?.includes('Host') ? { noHost: true as const } : {}) });
  };
  const unsigned = (category: string, name: string, body: string | Buffer, expect?: readonly number[]) =>
    out.push({ target: 'inbox', category, name, path: '/inbox', headers: { 'content-type': 'application/activity+json' }, body: Buffer.from(body), ...(expect ? { expect } : {}) });

  // --- malformed JSON: literal garbage, truncations of a real activity, random bytes ---
  for (const [i, text] of MALFORMED.entries()) {
    signed('malformed_json', `literal ${i}`, text, [400]);
    unsigned('malformed_json', `literal ${i} unsigned`, text, [400]);
  }
  const whole = JSON.stringify(create('malformed'));
  for (let cut = 1; cut < whole.length; cut += Math.ceil(whole.length / 25)) signed('malformed_json', `truncated at ${cut}`, whole.slice(0, cut), [400]);
  for (const [i, bytes] of fc.sample(fc.uint8Array({ minLength: 1, maxLength: 2000 }), { seed: 42, numRuns: 10 }).entries()) {
    signed('malformed_json', `random bytes ${i}`, Buffer.concat([Buffer.from('{"x":'), Buffer.from(bytes)]), [400]);
  }
  signed('malformed_json', 'empty body', '', [400]);
  signed('malformed_json', 'invalid UTF-8 (read as U+FFFD)', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0x80, 0xff, 0x22, 0x7d]), [400]);

  // --- deep nesting: past the limit, 10,000 and 100,000 levels, every shape; deep-looking strings ---
  for (const levels of [33, 50, 1000, 10_000, 100_000]) {
    for (const shape of ['array', 'object', 'mixed'] as const) {
      signed('deep_nesting', `${shape} ${levels}`, nested(levels, shape), [400]);
      signed('deep_nesting', `${shape} ${levels} inside a Like`, JSON.stringify(like('deep')).replace(/}$/, `,"extra":${nested(levels, shape)}}`), [400]);
    }
    unsigned('deep_nesting', `array ${levels} unsigned`, nested(levels, 'array'), [400]);
  }
  signed('deep_nesting', 'brackets inside a string', JSON.stringify({ ...like('deep'), content: '['.repeat(100_000) }), [202]);
  signed('deep_nesting', 'at the limit', JSON.stringify(like('deep')).replace(/}$/, `,"extra":${nested(31, 'mixed')}}`), [202]);

  // --- huge arrays and strings (the door takes up to 1 MiB; the worker refuses big shapes) ---
  const many = (count: number) => Array.from({ length: count }, (_, i) => `${ctx.remote.origin}/u/${i}`);
  signed('huge', 'to: 10,001 recipients', JSON.stringify({ ...like('huge'), to: many(10_001) }), [202]);
  signed('huge', 'cc: 25,000 recipients', JSON.stringify({ ...like('huge'), cc: many(25_000) }), [202]);
  signed('huge', '400,000 zeros', JSON.stringify({ ...like('huge'), tag: Array(400_000).fill(0) }), [202]);
  signed('huge', '5,000 mentions', JSON.stringify(withValue(create('huge'), 'object.tag', Array.from({ length: 5000 }, (_, i) => ({ type: 'Mention', href: `${ctx.remote.origin}/u/${i}` })))), [202]);
  signed('huge', '60,000 keys', JSON.stringify({ ...like('huge'), ...Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, i])) }), [202]);
  signed('huge', 'content of 512 KiB', JSON.stringify(withValue(create('huge'), 'object.content', `<p>${'a'.repeat(512 * 1024)}</p>`)), [202]);
  signed('huge', 'content of 300,000 tags', JSON.stringify(withValue(create('huge'), 'object.content', '<b>'.repeat(300_000))), [202]);
  signed('huge', 'summary of 200,000 links', JSON.stringify(withValue(create('huge'), 'object.summary', 'https://x.example/ '.repeat(40_000))), [202]);
  signed('huge', 'an id of 100 KiB', JSON.stringify({ ...like('huge'), id: `${ctx.remote.origin}/${'i'.repeat(100 * 1024)}` }), [202, 401]);
  signed('huge', '1,000 @context entries', JSON.stringify({ ...like('huge'), '@context': Array(1000).fill(AS) }), [202]);
  signed('huge', 'one byte over 1 MiB', JSON.stringify({ ...like('huge'), pad: 'x'.repeat(MIB) }), [413]);
  unsigned('huge', '2 MiB unsigned', 'x'.repeat(2 * MIB), [413]);

  // --- remote @context URLs: read as empty, never fetched (the context host counts requests) ---
  const ctxUrl = (p: string) => `${ctx.contextHost}/${p}`;
  const contextPlacements: Array<[string, (base: Record<string, unknown>) => Record<string, unknown>]> = [
    ['top-level string', (b) => ({ ...b, '@context': ctxUrl('ctx.jsonld') })],
    ['after AS', (b) => ({ ...b, '@context': [AS, ctxUrl('after')] })],
    ['before AS', (b) => ({ ...b, '@context': [ctxUrl('before'), AS] })],
    ['several', (b) => ({ ...b, '@context': [AS, ctxUrl('a'), ctxUrl('b'), ctxUrl('c')] })],
    ['embedded in the object', (b) => ({ ...b, object: { '@context': ctxUrl('embedded'), id: localPost, type: 'Note' } })],
    ['scoped to a type', (b) => ({ ...b, '@context': [AS, { Like: { '@id': 'as:Like', '@context': ctxUrl('type-scoped') } }] })],
    ['scoped to a property', (b) => ({ ...b, '@context': [AS, { object: { '@id': 'as:object', '@type': '@id', '@context': ctxUrl('prop-scoped') } }] })],
    ['@import', (b) => ({ ...b, '@context': [AS, { '@import': ctxUrl('import') }] })],
    ['@vocab', (b) => ({ ...b, '@context': [AS, { '@vocab': ctxUrl('vocab#') }], 'as:content': 'x' })],
    ['a term aliasing the context host', (b) => ({ ...b, '@context': [AS, { evil: ctxUrl('ns#evil') }], evil: 1 })],
    ['nested list of contexts', (b) => ({ ...b, '@context': [[AS, ctxUrl('nested')]] })],
    ['with a query and fragment', (b) => ({ ...b, '@context': [AS, ctxUrl('q?x=1#f')] })],
    ['the context host as a prefix', (b) => ({ ...b, '@context': [AS, { ev: ctxUrl('ns#') }], 'ev:thing': 1 })],
    ['a keyword key beside it', (b) => ({ ...b, '@context': [AS, ctxUrl('kw')], '@type': 'Like' })],
  ];
  for (const [label, place] of contextPlacements) {
    signed('remote_context', `${label} (Like)`, JSON.stringify(place(like('context'))), [202]);
    signed('remote_context', `${label} (Follow)`, JSON.stringify(place(follow('context'))), [202]);
    signed('remote_context', `${label} (Create)`, JSON.stringify(place(create('context'))), [202]);
  }

  // --- wrong types in every field the gateway reads ---
  const fields: Array<[string, () => Record<string, unknown>]> = [
    ['id', () => like('types')], ['type', () => like('types')], ['actor', () => like('types')], ['object', () => like('types')],
    ['@context', () => like('types')], ['to', () => announce('types')], ['object', () => follow('types')],
    ['object.content', () => create('types')], ['object.tag', () => create('types')], ['object.inReplyTo', () => create('types')],
    ['object.attributedTo', () => create('types')], ['object.published', () => create('types')], ['object.attachment', () => create('types')],
    ['object.id', () => create('types')], ['object.to', () => create('types')], ['object', () => flag('types')],
  ];
  for (const [field, make] of fields) {
    for (const value of WRONG_VALUES) {
      const base = make();
      // No actor is a 400 at once; a string that is not the signer's, a 401.
      const expect = field === 'actor' ? [400, 401] : [202, 400, 401];
      signed('wrong_type', `${String(base.type)}.${field} = ${JSON.stringify(value)}`, JSON.stringify(withValue(base, field, value)), expect);
    }
  }
  for (const [i, value] of fc.sample(fc.jsonValue({ maxDepth: 4 }), { seed: 7, numRuns: 20 }).entries()) {
    signed('wrong_type', `arbitrary JSON ${i} as the body`, JSON.stringify(value), [202, 400, 401]);
    signed('wrong_type', `arbitrary JSON ${i} as the Note`, JSON.stringify(withValue(create('types'), 'object', value)), [202, 400]);
  }

  // --- __proto__, constructor, prototype keys (JSON.parse makes them own properties) ---
  const protoBodies: Array<[string, string]> = [
    ['top-level __proto__', `{"__proto__":{"polluted":true},${JSON.stringify(like('proto')).slice(1)}`],
    ['object.__proto__', JSON.stringify(like('proto')).replace(/}$/, ',"object":{"__proto__":{"polluted":true},"id":"x"}}')],
    ['__proto__ in @context', JSON.stringify(like('proto')).replace(/"@context":"[^"]*"/, `"@context":["${AS}",{"__proto__":{"polluted":"x:y"}}]`)],
    ['constructor.prototype', JSON.stringify(like('proto')).replace(/}$/, ',"constructor":{"prototype":{"polluted":true}}}')],
    ['prototype', JSON.stringify(like('proto')).replace(/}$/, ',"prototype":1}')],
    ['__proto__ in a tag', JSON.stringify(create('proto')).replace('"tag":[', '"tag":[{"__proto__":{"type":"Mention"}},')],
    ['__proto__ as the type', JSON.stringify({ ...like('proto'), type: '__proto__' })],
    ['constructor as the type', JSON.stringify({ ...like('proto'), type: 'constructor' })],
    ['hasOwnProperty key', JSON.stringify({ ...like('proto'), hasOwnProperty: 1, toString: 2, valueOf: 3 })],
    ['__proto__ array', `{"__proto__":[],${JSON.stringify(follow('proto')).slice(1)}`],
    ['__proto__ null', `{"__proto__":null,${JSON.stringify(create('proto')).slice(1)}`],
    ['__proto__ in the Note', JSON.stringify(create('proto')).replace('"type":"Note"', '"__proto__":{"isAdmin":true},"type":"Note"')],
    ['constructor in the actor position', JSON.stringify(like('proto')).replace(/"actor":"[^"]*"/, '"actor":{"constructor":{"name":"x"}}')],
  ];
  for (const [label, text] of protoBodies) signed('prototype_keys', label, text, label.includes('actor position') ? [400] : [202, 400]);

  // --- null bytes and odd Unicode in ids, types, text ---
  for (const [i, s] of ODD_STRINGS.entries()) {
    signed('odd_unicode', `content ${i}`, JSON.stringify(withValue(create('unicode'), 'object.content', s)), [202]);
    signed('odd_unicode', `summary and name ${i}`, JSON.stringify(withValue(withValue(create('unicode'), 'object.summary', s), 'object.name', s)), [202]);
    signed('odd_unicode', `in the id ${i}`, JSON.stringify({ ...like('unicode'), id: `${ctx.remote.origin}/hostile/${s}/${++n}` }), [202, 401]);
    signed('odd_unicode', `as the type ${i}`, JSON.stringify({ ...like('unicode'), type: s }), [202, 400]);
    signed('odd_unicode', `in the mention name ${i}`, JSON.stringify(withValue(create('unicode'), 'object.tag', [{ type: 'Mention', href: localActor, name: s }, { type: 'Hashtag', name: `#${s}`, href: `${ctx.remote.origin}/tags/x` }])), [202]);
  }
  signed('odd_unicode', 'escaped null bytes everywhere', JSON.stringify(like('unicode')).replace(/"Like"/, '"Like\\u0000"'), [202]);
  signed('odd_unicode', 'a raw NUL byte in the text', Buffer.from(JSON.stringify(create('unicode')).replace('hello', 'hel\u0000lo')), [202, 400]);

  // --- signatures: forged, stale, from the future, replayed, missing or broken headers ---
  const sigBase = () => JSON.stringify(like('sigs'));
  const otherKey = rsaKey();
  signed('signature', 'forged: another key', sigBase(), [401], { privateKey: otherKey });
  signed('signature', 'forged: body swapped after signing', sigBase(), [401], { signedBody: Buffer.from(sigBase()) });
  signed('signature', 'forged: key of another actor', sigBase(), [401], { as: 'someoneelse' });
  signed('signature', 'forged: unknown key id', sigBase(), [401], { keyId: `${actor('sigs')}#no-such-key` });
  signed('signature', 'forged: key on an unreachable server', sigBase(), [401], { keyId: 'http://127.0.0.1:9/users/x#main-key' });
  signed('signature', 'forged: garbage signature value', sigBase(), [401], { set: { Signature: `keyId="${actor('sigs')}#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="AAAA"` } });
  signed('signature', 'forged: unparsable Signature header', sigBase(), [401], { set: { Signature: 'keyId=,,,"="' } });
  signed('signature', 'forged: unknown algorithm', sigBase(), [401], { set: { Signature: `keyId="${actor('sigs')}#main-key",algorithm="rot13",headers="date",signature="AAAA"` } });
  signed('signature', 'forged: headers not covering the request target', sigBase(), [401], { set: { Signature: `keyId="${actor('sigs')}#main-key",headers="date",signature="AAAA"` } });
  signed('signature', 'forged: RFC 9421 created=1', sigBase(), [401], { drop: ['Signature'], set: { 'Signature-Input': `sig1=("@method" "@target-uri");created=1;keyid="${actor('sigs')}#main-key"`, Signature: 'sig1=:AAAA:' } });
  signed('signature', 'forged: RFC 9421 garbage', sigBase(), [400, 401], { drop: ['Signature'], set: { 'Signature-Input': 'sig1=(((', Signature: 'sig1=:%%%:' } });
  signed('signature', 'forged: both schemes, both wrong', sigBase(), [401], { privateKey: otherKey, set: { 'Signature-Input': `sig1=("@method");created=${Math.floor(Date.now() / 1000)};keyid="${actor('sigs')}#main-key"`, 'Signature': 'sig1=:AAAA:' } });
  for (const [label, date] of [['1970', new Date(0)], ['2000', new Date('2000-01-01T00:00:00Z')], ['an hour and a minute ago', new Date(Date.now() - 61 * 60_000)], ['a day ahead', new Date(Date.now() + 24 * 3600_000)]] as const) {
    signed('signature', `stale: Date ${label}`, sigBase(), [401], { date });
  }
  signed('signature', 'stale: unparsable Date', sigBase(), [401], { set: { Date: 'yesterday' } });
  for (const header of ['Signature', 'Date', 'Digest', 'Host']) signed('signature', `missing ${header}`, sigBase(), [401], { drop: [header] });
  signed('signature', 'wrong Host', sigBase(), [401], { set: { Host: 'other.example' } });
  signed('signature', 'Digest of another algorithm only', sigBase(), [401], { set: { Digest: 'MD5=AAAA' } });
  // Replays of one validly signed request: as sent (a duplicate), to another path, with another body, with a stale date.
  const original = JSON.stringify(like('replay'));
  signed('replay', 'original', original, [202], { path: '/inbox' });
  const first = out.at(-1)!;
  out.push({ ...first, name: 'replayed as sent', expect: [202] });
  out.push({ ...first, name: 'replayed to another inbox', path: '/actor/inbox', expect: [401] });
  out.push({ ...first, name: 'replayed to a personal inbox', path: `/users/${ctx.local.username}/inbox`, expect: [401] });
  out.push({ ...first, name: 'replayed with another body', body: Buffer.from(JSON.stringify({ ...JSON.parse(original), object: `${localPost}x` })), expect: [401] });
  signed('replay', 'an old capture replayed', original, [401], { date: new Date(Date.now() - 3 * 3600_000) });

  // --- headers: odd content types and encodings; the body is what it is ---
  for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', '']) {
    signed('headers', `Content-Type ${contentType || '(empty)'}`, JSON.stringify(like('headers')), [202], { contentType });
  }
  signed('headers', 'a UTF-16 body', Buffer.from(JSON.stringify(like('headers')), 'utf16le'), [400]);
  signed('headers', 'gzip claimed, not gzipped', JSON.stringify(like('headers')), [400, 401, 415], { set: { 'content-encoding': 'gzip' } });

  return out;
}

export function hostileEventCorpus(ctx: CorpusContext): HostileRequest[] {
  const out: HostileRequest[] = [];
  let n = 0;
  const eid = (what: string) => `hostile-${what}-${++n}`;
  const now = () => new Date().toISOString();
  const push = (category: string, name: string, body: Buffer | string, expect?: readonly number[], sig?: string) => {
    const raw = typeof body === 'string' ? Buffer.from(body) : body;
    out.push({ target: 'events', category, name, path: '/platform/events', headers: { 'content-type': 'application/json', 'x-signature': sig ?? signPayload(ctx.webhookSecret, raw) }, body: raw, ...(expect ? { expect } : {}) });
  };
  const post = (extra: Record<string, unknown> = {}) => ({ id: eid('post'), type: 'post.created', occurredAt: now(), data: { post: postData(eid('p'), ctx.local.accountId, extra) } });
  const enable = (extra: Record<string, unknown> = {}) => ({ id: eid('enable'), type: 'account.enabled', occurredAt: now(), data: { account: accountData(eid('acc'), `h${n}`, extra) } });
  // A like of a platform post: applied without leaving the gateway.
  const like = () => ({ id: eid('like'), type: 'like.created', occurredAt: now(), data: { like: { id: eid('l'), accountId: ctx.local.accountId, of: { postId: ctx.local.postId } } } });

  // --- malformed JSON ---
  for (const [i, text] of MALFORMED.entries()) push('malformed_json', `literal ${i}`, text, [400]);
  const whole = JSON.stringify({ events: [post(), like()] });
  for (let cut = 1; cut < whole.length; cut += Math.ceil(whole.length / 20)) push('malformed_json', `truncated at ${cut}`, whole.slice(0, cut), [400]);
  for (const [i, bytes] of fc.sample(fc.uint8Array({ minLength: 1, maxLength: 1000 }), { seed: 43, numRuns: 5 }).entries()) push('malformed_json', `random bytes ${i}`, Buffer.concat([Buffer.from('['), Buffer.from(bytes)]), [400]);
  push('malformed_json', 'empty body', '', [400]);

  // --- deep nesting ---
  for (const levels of [33, 1000, 10_000, 100_000]) {
    for (const shape of ['array', 'object', 'mixed'] as const) push('deep_nesting', `${shape} ${levels}`, nested(levels, shape), [400]);
    push('deep_nesting', `${levels} inside an event`, JSON.stringify(post()).replace(/}$/, `,"extra":${nested(levels, 'object')}}`), [400]);
  }
  push('deep_nesting', 'brackets in the text', JSON.stringify(post({ text: '['.repeat(50_000) })), [202]);

  // --- huge arrays and strings ---
  push('huge', '501 events', JSON.stringify({ events: Array.from({ length: 501 }, () => like()) }), [400]);
  const deletion = () => ({ id: eid('del'), type: 'post.deleted', occurredAt: now(), data: { postId: eid('gone'), accountId: ctx.local.accountId } });
  push('huge', '500 events at once', JSON.stringify({ events: Array.from({ length: 500 }, deletion) }), [202]);
  push('huge', '10,000 mentions', JSON.stringify(post({ mentions: Array.from({ length: 10_000 }, (_, i) => ({ accountId: `a${i}` })) })), [400]);
  push('huge', '100,001 characters of text', JSON.stringify(post({ text: 'x'.repeat(100_001) })), [400]);
  push('huge', '100,000 characters of text', JSON.stringify(post({ text: 'é'.repeat(100_000) })), [202]);
  push('huge', '200,000 zeros beside', JSON.stringify({ ...post(), pad: Array(200_000).fill(0) }), [202]);
  push('huge', '50,000 unknown keys', JSON.stringify({ ...post(), ...Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i])) }), [202]);
  push('huge', 'over 1 MiB', JSON.stringify({ ...post(), pad: 'x'.repeat(MIB) }), [413]);

  // --- wrong types in the envelope and the post ---
  for (const field of ['id', 'type', 'occurredAt', 'data', 'data.post', 'data.post.id', 'data.post.accountId', 'data.post.text', 'data.post.visibility', 'data.post.createdAt', 'data.post.mentions', 'data.post.attachments', 'data.post.inReplyTo', 'data.post.hashtags']) {
    // A string or an empty list is valid for some of these fields (ids are opaque, mentions optional).
    const maybeValid = (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.length === 0);
    for (const value of WRONG_VALUES) push('wrong_type', `post.created ${field} = ${JSON.stringify(value)}`, JSON.stringify(withValue(post(), field, value)), maybeValid(value) ? [202, 400] : [400]);
  }
  for (const field of ['events', 'events.0']) for (const value of WRONG_VALUES) push('wrong_type', `batch ${field} = ${JSON.stringify(value)}`, JSON.stringify(withValue({ events: [like()] }, field, value)), [400]);
  for (const [i, value] of fc.sample(fc.jsonValue({ maxDepth: 4 }), { seed: 8, numRuns: 20 }).entries()) {
    push('wrong_type', `arbitrary JSON ${i} as the body`, JSON.stringify(value), [400]);
    push('wrong_type', `arbitrary JSON ${i} as the data`, JSON.stringify(withValue(like(), 'data', value)), [400]);
  }
  // Well-formed, but contradicting what the gateway holds or the contract's rules.
  push('wrong_type', 'a follow of a platform account', JSON.stringify({ id: eid('f'), type: 'follow.created', occurredAt: now(), data: { follow: { id: eid('fo'), accountId: ctx.local.accountId, target: { uri: `${ctx.gateway}/users/${ctx.local.username}` } } } }), [400]);
  push('wrong_type', 'a federated username changed', JSON.stringify({ id: eid('u'), type: 'account.updated', occurredAt: now(), data: { account: accountData(ctx.local.accountId, 'renamed') } }), [400]);
  push('wrong_type', 'one id twice in a batch', JSON.stringify({ events: [like(), like()].map((e, _i, all) => ({ ...e, id: all[0]!.id })) }), [400]);

  // --- __proto__, constructor, prototype keys ---
  const p = JSON.stringify(post());
  for (const [label, text] of [
    ['top-level __proto__', `{"__proto__":{"polluted":true},${p.slice(1)}`],
    ['__proto__ in data', p.replace('"data":{', '"data":{"__proto__":{"polluted":true},')],
    ['__proto__ in the post', p.replace('"post":{', '"post":{"__proto__":{"visibility":"public"},')],
    ['constructor.prototype in the post', p.replace('"post":{', '"post":{"constructor":{"prototype":{"polluted":true}},')],
    ['__proto__ in a batch', `{"__proto__":{"events":[]},"events":[${p}]}`],
    ['__proto__ as the events', `{"events":{"__proto__":[]}}`],
    ['__proto__ in a ref', JSON.stringify(like()).replace('"of":{', '"of":{"__proto__":{"postId":"x"},')],
    ['__proto__ as the type', JSON.stringify({ ...post(), type: '__proto__' })],
    ['constructor as the type', JSON.stringify({ ...post(), type: 'constructor' })],
  ] as const) push('prototype_keys', label, text, [202, 400]);

  // --- null bytes and odd Unicode (valid events among them are applied by the workers) ---
  for (const [i, s] of ODD_STRINGS.entries()) {
    push('odd_unicode', `post text ${i}`, JSON.stringify(post({ text: s, spoilerText: s.slice(0, 5000) })), [202]);
    push('odd_unicode', `display name and summary ${i}`, JSON.stringify(enable({ displayName: s.slice(0, 200), summary: s.slice(0, 5000) })), [202]);
    push('odd_unicode', `in the event id ${i}`, JSON.stringify({ ...like(), id: `hostile-${i}-${s}`.slice(0, 200) }), [202, 400]);
    push('odd_unicode', `as a username ${i}`, JSON.stringify(enable({ username: s.slice(0, 30) })), [400]);
    push('odd_unicode', `as a hashtag ${i}`, JSON.stringify(post({ hashtags: [s] })), [202, 400]);
  }

  // --- X-Signature: missing, malformed, stale, future, wrong secret, over other bytes ---
  const body = JSON.stringify(like());
  const t = Math.floor(Date.now() / 1000);
  const mac = (secret: string, at: number, text: string) => createHmac('sha256', secret).update(`${at}.`).update(text).digest('hex');
  for (const [label, sig] of [
    ['missing', ''], ['garbage', 'hello'], ['no t', `v1=${mac(ctx.webhookSecret, t, body)}`], ['no v1', `t=${t}`], ['t not a number', `t=abc,v1=${mac(ctx.webhookSecret, t, body)}`],
    ['stale by an hour', `t=${t - 3600},v1=${mac(ctx.webhookSecret, t - 3600, body)}`], ['a day ahead', `t=${t + 86400},v1=${mac(ctx.webhookSecret, t + 86400, body)}`],
    ['wrong secret', `t=${t},v1=${mac('another-secret-0123456789', t, body)}`], ['over another body', `t=${t},v1=${mac(ctx.webhookSecret, t, `${body} `)}`],
    ['short v1', `t=${t},v1=abcd`], ['v1 not hex', `t=${t},v1=${'z'.repeat(64)}`], ['t of 13 digits', `t=${t}000,v1=${mac(ctx.webhookSecret, t * 1000, body)}`],
    ['t negative', `t=-1,v1=${mac(ctx.webhookSecret, -1, body)}`], ['empty pairs', ',,,'], ['a NUL escape', `t=${t},v1=\\u0000`],
  ] as const) push('signature', `X-Signature ${label}`, body, [401], sig);
  push('signature', 'X-Signature with a rotated and a current v1', body, [202], `t=${t},v1=${mac('old-secret-0123456789', t, body)},v1=${mac(ctx.webhookSecret, t, body)}`);
  push('signature', 'replayed as sent', body, [202], out.at(-1)!.headers['x-signature']);

  return out;
}

export interface HostileResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends one case over a plain HTTP connection (node:http, so Host can be wrong and NUL bytes reach the body). */
export function sendHostile(baseUrl: string, r: HostileRequest, agent: Agent): Promise<HostileResponse> {
  const url = new URL(r.path, baseUrl);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (v !== '' || k.toLowerCase() === 'content-type') headers[k] = v;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...headers, 'content-length': String(r.body.length) }, agent, setHost: !r.noHost },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}
