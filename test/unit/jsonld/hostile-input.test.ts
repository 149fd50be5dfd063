// Hostile or broken input on the normalisation path: refused with a named reason, never a crash,
// never a fetch, never a polluted prototype.
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_ARRAY_ITEMS, MAX_DEPTH } from '../../../services/activitypub/jsonld/document-shape';
import { MAX_JSONLD_NODES, normalizeActivity } from '../../../services/activitypub/jsonld/normalize';

const AS = 'https://www.w3.org/ns/activitystreams';
const bob = 'https://social.example/users/bob';
const like = { id: `${bob}/likes/1`, type: 'Like', actor: bob, object: 'https://gw.example/posts/p1' };

describe('remote contexts are never fetched', () => {
  let server: Server;
  let base = '';
  const requests: string[] = [];

  beforeAll(async () => {
    // A real context server on loopback, ready to answer: any request it gets is a failure.
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/ld+json' });
      res.end(JSON.stringify({ '@context': { vote: 'http://evil.example/ns#vote', content: 'http://evil.example/ns#content' } }));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  test('top-level, embedded, scoped and @import references to a loopback context: never requested', async () => {
    const ctx = `${base}/context.jsonld`;
    const readAsEmpty = [
      { '@context': [AS, ctx], ...like, content: 'hi' },
      { '@context': AS, ...like, object: { '@context': ctx, id: 'https://gw.example/posts/p1', type: 'Note' } },
      { '@context': [AS, { Note: { '@id': 'as:Note', '@context': `${base}/scoped` } }], ...like, object: { id: 'https://gw.example/posts/p1', type: 'Note' } },
    ];
    const results = await Promise.all(readAsEmpty.map((doc) => normalizeActivity(doc)));
    expect(results).toMatchObject(readAsEmpty.map(() => ({ ok: true, path: 'jsonld' })));
    // The context would have redefined content: unread, content keeps its AS meaning.
    expect(results[0]).toMatchObject({ ok: true, unknownContexts: [ctx], doc: { type: 'Like', actor: bob, content: 'hi' } });
    // jsonld 9 cannot @import an empty context: refused, still without a request.
    expect(await normalizeActivity({ '@context': [AS, { '@import': `${base}/imported` }], ...like })).toMatchObject({ ok: false, reason: 'jsonld_invalid' });
    expect(requests).toEqual([]);
  });
});

describe('shapes meant to hurt are refused before jsonld sees them', () => {
  test('nesting deeper than the limit (10,000 levels would overflow a recursive reader)', async () => {
    const deep = JSON.parse(`${'{"object":'.repeat(10_000)}"x"${'}'.repeat(10_000)}`) as object;
    expect(await normalizeActivity({ ...like, ...deep })).toMatchObject({ ok: false, reason: 'document_too_deep' });
    const justDeepEnough = JSON.parse(`${'{"a":'.repeat(MAX_DEPTH - 2)}"x"${'}'.repeat(MAX_DEPTH - 2)}`) as object;
    expect(await normalizeActivity({ ...like, extra: justDeepEnough })).toMatchObject({ ok: true });
  });

  test('an array longer than the limit, and too many values in all', async () => {
    const many = Array.from({ length: MAX_ARRAY_ITEMS + 1 }, (_, i) => `https://x.example/u/${i}`);
    expect(await normalizeActivity({ ...like, to: many })).toMatchObject({ ok: false, reason: 'document_too_large', detail: expect.stringContaining('/to') });
    const wide = Array.from({ length: 20 }, () => Array.from({ length: MAX_ARRAY_ITEMS }, () => 0));
    expect(await normalizeActivity({ ...like, cc: wide })).toMatchObject({ ok: false, reason: 'document_too_large' });
  });

  test('a large document is read on the fast path, but refused where it would need jsonld', async () => {
    const tag = Array.from({ length: MAX_JSONLD_NODES / 2 }, (_, i) => ({ type: 'Mention', href: `https://x.example/u/${i}` }));
    expect(await normalizeActivity({ '@context': AS, ...like, tag })).toMatchObject({ ok: true, path: 'fast' });
    expect(await normalizeActivity({ '@context': AS, ...like, tag, 'as:summary': 'x' })).toMatchObject({ ok: false, reason: 'jsonld_too_large' });
  });

  test.each([
    ['__proto__ in a property', `{"id":"${bob}/likes/1","type":"Like","actor":"${bob}","object":{"__proto__":{"polluted":true}}}`, '/object/__proto__'],
    ['__proto__ in a context', `{"@context":["${AS}",{"__proto__":{"polluted":"x:y"}}],"type":"Like","actor":"${bob}"}`, '/@context/1/__proto__'],
    ['constructor', `{"type":"Like","actor":"${bob}","tag":[{"constructor":{"prototype":{"polluted":true}}}]}`, '/tag/0/constructor'],
    ['prototype', `{"type":"Like","actor":"${bob}","prototype":1}`, '/prototype'],
  ])('%s', async (_name, text, path) => {
    expect(await normalizeActivity(JSON.parse(text))).toEqual({ ok: false, reason: 'forbidden_key', detail: path });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('what jsonld rejects becomes a refusal value', () => {
  test.each([
    ['an invalid container', { '@context': [AS, { content: { '@id': 'as:content', '@container': '@bogus' } }], ...like }],
    ['a context that is a number', { '@context': 42, ...like }],
    ['a term defined as a number', { '@context': [AS, { vote: 7 }], ...like, '@id': 'x' }],
    ['an invalid @type value', { ...like, '@type': { nested: true } }],
    ['a keyword redefined', { '@context': { '@id': 'http://x.example/' }, ...like }],
    ['a cyclic term definition', { '@context': { a: 'b:x', b: 'a:y' }, 'a:z': 1, ...like }],
  ])('%s', async (_name, doc) => {
    const r = await normalizeActivity(doc);
    expect(r).toMatchObject({ ok: false, reason: 'jsonld_invalid', detail: expect.any(String) });
  });

  test('several top-level objects are not one activity', async () => {
    expect(await normalizeActivity({ '@context': AS, '@graph': [like, { ...like, id: `${bob}/likes/2` }] })).toMatchObject({ ok: false, reason: 'jsonld_not_one_object' });
  });

  test('not a JSON object at all', async () => {
    for (const v of [null, 'Like', 3, [like]]) expect(await normalizeActivity(v)).toMatchObject({ ok: false, reason: 'not_an_object' });
  });
});
