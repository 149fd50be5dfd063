// One walk over an inbound document before anything else reads it: refuses shapes meant to hurt
// (nesting that exhausts the stack, arrays that cost seconds, keys that reach Object.prototype
// inside libraries) and notes what only JSON-LD processing can read: keyword or compact-IRI
// keys (`@id`, `as:content`) and the @context values, embedded ones included.
import type { Json, JsonObject } from '../as-read';

export const MAX_DEPTH = 32;
export const MAX_ARRAY_ITEMS = 10_000;
export const MAX_NODES = 100_000;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type ShapeRefusal = 'document_too_deep' | 'document_too_large' | 'forbidden_key';

export type DocumentShape =
  | { ok: true; nodes: number; keywordKeys: boolean; /** every @context value but the top-level one */ embeddedContexts: Json[] }
  | { ok: false; reason: ShapeRefusal; detail: string };

interface Pending {
  value: Json;
  depth: number;
  /** where it sits, for the refusal's detail only (a path string per value would cost more than the walk) */
  parent?: Pending;
  key?: string;
  /** inside a @context value, where keys are terms and definitions, not properties */
  inContext: boolean;
}

/** A JSON pointer to a value. */
function pointer(p: Pending | undefined): string {
  const keys: string[] = [];
  for (let at = p; at?.key !== undefined; at = at.parent) keys.push(at.key.replace(/~/g, '~0').replace(/\//g, '~1'));
  return keys.length ? `/${keys.reverse().join('/')}` : '/';
}

export function inspectDocument(doc: JsonObject): DocumentShape {
  let nodes = 0;
  let keywordKeys = false;
  const embeddedContexts: Json[] = [];
  // Iterative, so the walk itself cannot overflow the stack on the nesting it refuses.
  const stack: Pending[] = [{ value: doc, depth: 0, inContext: false }];
  while (stack.length) {
    const at = stack.pop()!;
    const { value, depth, inContext } = at;
    if (++nodes > MAX_NODES) return { ok: false, reason: 'document_too_large', detail: `more than ${MAX_NODES} values` };
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) return { ok: false, reason: 'document_too_deep', detail: `nested deeper than ${MAX_DEPTH} at ${pointer(at)}` };
    if (Array.isArray(value)) {
      if (value.length > MAX_ARRAY_ITEMS) return { ok: false, reason: 'document_too_large', detail: `${pointer(at)} has ${value.length} items (at most ${MAX_ARRAY_ITEMS})` };
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i]!, depth: depth + 1, parent: at, key: String(i), inContext });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return { ok: false, reason: 'forbidden_key', detail: pointer({ value: null, depth, parent: at, key, inContext }) };
      const child = value[key]!;
      if (!inContext && key === '@context' && depth > 0) embeddedContexts.push(child);
      else if (!inContext && (key.startsWith('@') || key.includes(':')) && key !== '@context') keywordKeys = true;
      stack.push({ value: child, depth: depth + 1, parent: at, key, inContext: inContext || key === '@context' });
    }
  }
  return { ok: true, nodes, keywordKeys, embeddedContexts };
}
