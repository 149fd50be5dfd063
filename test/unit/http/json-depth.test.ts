// The byte scan that refuses over-deep JSON before JSON.parse: brackets inside strings do not
// count, escapes are honoured, and the limit is the inbound document walk's.
import { MAX_DEPTH } from '../../../services/activitypub/jsonld/document-shape';
import { MAX_JSON_DEPTH, nestingPastLimit, parseJson } from '../../../services/http/raw-body';

const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

test('the HTTP limit is the document walk limit', () => {
  expect(MAX_JSON_DEPTH).toBe(MAX_DEPTH);
});

test('nesting up to the limit passes, one level more is refused at the offending byte', () => {
  expect(nestingPastLimit(Buffer.from(nested(MAX_JSON_DEPTH)), MAX_JSON_DEPTH)).toBeUndefined();
  expect(nestingPastLimit(Buffer.from(nested(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH);
  expect(nestingPastLimit(Buffer.from(`{"a":${'{"b":'.repeat(MAX_JSON_DEPTH)}1${'}'.repeat(MAX_JSON_DEPTH)}}`), MAX_JSON_DEPTH)).toBe(5 + 5 * (MAX_JSON_DEPTH - 1));
});

test('depth is the deepest point, not the count of brackets', () => {
  const wide = `[${Array.from({ length: 1000 }, () => nested(MAX_JSON_DEPTH - 1)).join(',')}]`;
  expect(nestingPastLimit(Buffer.from(wide), MAX_JSON_DEPTH)).toBeUndefined();
});

test('brackets in strings, escaped quotes and multi-byte text do not count', () => {
  const text = JSON.stringify({ content: `${'['.repeat(1000)} \\" \" {{{ ✨ 日本語 ${'{'.repeat(1000)}`, q: '"[[["' });
  expect(nestingPastLimit(Buffer.from(text), MAX_JSON_DEPTH)).toBeUndefined();
  expect(parseJson(Buffer.from(text))).toMatchObject({ ok: true });
  // A string ending in an escaped backslash closes where it should: the bracket after it counts.
  const afterBackslash = `["\\\\",${nested(MAX_JSON_DEPTH)}]`;
  expect(nestingPastLimit(Buffer.from(afterBackslash), MAX_JSON_DEPTH)).toBeDefined();
});

test('parseJson names each refusal; 10,000 levels never reach JSON.parse', () => {
  expect(parseJson(Buffer.from(nested(10_000)))).toEqual({ ok: false, reason: 'document_too_deep', detail: `nested deeper than ${MAX_JSON_DEPTH} levels at byte ${MAX_JSON_DEPTH}` });
  expect(parseJson(Buffer.from('{"a":'))).toMatchObject({ ok: false, reason: 'malformed_json' });
  expect(parseJson(Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'empty_body' });
  expect(parseJson('not a buffer')).toMatchObject({ ok: false, reason: 'empty_body' });
});
