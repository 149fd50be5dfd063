// jsonld's compact output, made plain for readers of the standard property names:
// - value objects become their values, @list and @set their arrays;
// - a bare node reference (`{"id": x}`, left where a document typed a value as an id and the
//   term does not) becomes the id;
// - terms that only the AS context's "@vocab": "_:" caught keep their own names;
// - full-IRI keys of standard terms (left where a document typed a value differently) take
//   the term's name;
// - @context goes (the caller sets it).
import type { Json, JsonObject } from '../as-read';
import { isObject } from '../as-read';
import { termOfIri } from './standard-context';

const undefinedTerm = (s: string) => (s.startsWith('_:') ? s.slice(2) : s);

/** `key` is the property the value sits under; none for the document itself. */
export function plainCompact(value: Json, key?: string): Json {
  if (Array.isArray(value)) return value.map((v) => plainCompact(v, key));
  if (!isObject(value)) return key === 'type' && typeof value === 'string' ? undefinedTerm(value) : value;
  if ('@value' in value) return value['@value'] ?? null;
  if ('@list' in value) return plainCompact(value['@list'] ?? [], key);
  if ('@set' in value) return plainCompact(value['@set'] ?? [], key);
  const keys = Object.keys(value);
  if (key !== undefined && keys.length === 1 && keys[0] === 'id' && typeof value.id === 'string') return value.id;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '@context') continue;
    const name = k.startsWith('_:') ? k.slice(2) : (termOfIri(k) ?? k);
    const plain = plainCompact(v, name);
    const had = out[name];
    out[name] = had === undefined ? plain : [...(Array.isArray(had) ? had : [had]), ...(Array.isArray(plain) ? plain : [plain])];
  }
  return out;
}
