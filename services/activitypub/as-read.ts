// Tolerant reading of ActivityStreams JSON: real servers send single values or arrays,
// embedded objects or bare ids, Link objects or strings, for the same property.
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function asArray(v: Json | undefined): Json[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** The value itself, or the first item when a server sent an array where one value is usual. */
export const firstOf = (v: Json | undefined): Json | undefined => asArray(v)[0];

/** The id of a value that is either a URI string or an object with an id. */
export function idOf(v: Json | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.id === 'string') return v.id;
  if (isObject(v) && typeof v['@id'] === 'string') return v['@id'];
  return undefined;
}

export function firstId(v: Json | undefined): string | undefined {
  for (const item of asArray(v)) {
    const id = idOf(item);
    if (id) return id;
  }
  return undefined;
}

export const ids = (v: Json | undefined): string[] => asArray(v).map(idOf).filter((x): x is string => !!x);

export function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `type` may be a string or an array of strings (JSON-LD); matches any of the names. */
export function hasType(v: Json | undefined, ...names: string[]): boolean {
  if (!isObject(v)) return false;
  return asArray(v.type).some((t) => typeof t === 'string' && names.includes(t));
}

export function typeOf(v: Json | undefined): string | undefined {
  if (!isObject(v)) return undefined;
  const t = asArray(v.type).find((x) => typeof x === 'string');
  return typeof t === 'string' ? t : undefined;
}

/** An absolute http(s) URL that parses: what the platform's schemas take as a URI. */
export const isHttpUrl = (s: string): boolean => /^https?:\/\//i.test(s) && URL.canParse(s);

/** The first id of a value when it is an http(s) URL (a reference to follow or pass on). */
export function firstHttpId(v: Json | undefined): string | undefined {
  const id = firstId(v);
  return id !== undefined && isHttpUrl(id) ? id : undefined;
}

/**
 * A URL value: a string, a Link with href, an Image or Document with its own url (as `icon`
 * often is), or an array of those (first http(s) wins).
 */
export function urlOf(v: Json | undefined, nested = true): string | undefined {
  for (const item of asArray(v)) {
    const u = typeof item === 'string' ? item : isObject(item) ? (str(item.href) ?? (nested ? urlOf(item.url, false) : undefined)) : undefined;
    if (u && isHttpUrl(u)) return u;
  }
  return undefined;
}

/** The URI parsed once, when it is an http(s) URL (URL.parse would do it, from Node 20.18). */
export function httpUrl(uri: string): URL | undefined {
  try {
    const url = new URL(uri);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The host of a URI, lower-cased, or undefined when it is not an http(s) URL. */
export const hostOf = (uri: string): string | undefined => httpUrl(uri)?.host.toLowerCase();

export const sameOrigin = (a: string, b: string) => {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
};
