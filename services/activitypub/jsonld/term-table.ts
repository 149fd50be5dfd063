// What the terms of a JSON-LD context stand for (term → IRI), read from the context objects
// themselves: enough to tell whether a document's own term definitions agree with the standard
// ones, and to name full-IRI keys. Scoped contexts, @reverse and the like are not followed:
// a document that uses them goes through jsonld, which does.
import { type Json, type JsonObject, isObject } from '../as-read';

export interface TermDef {
  /** the IRI the term expands to, or a keyword (`@id`, `@type`) it aliases */
  iri: string;
  container?: string;
}

export type TermTable = ReadonlyMap<string, TermDef>;

/** The terms of `contexts` (context objects, later ones winning) on top of `inherited`. */
export function termTable(contexts: readonly JsonObject[], inherited: TermTable = new Map()): Map<string, TermDef> {
  const table = new Map(inherited);
  for (const ctx of contexts) {
    const resolving = new Set<string>();
    const resolve = (term: string): TermDef | undefined => {
      const raw = ctx[term];
      if (raw === undefined || resolving.has(term)) return table.get(term);
      resolving.add(term);
      const def = definitionOf(raw, (iri) => expandIri(iri, resolve));
      resolving.delete(term);
      return def;
    };
    const defs = Object.keys(ctx).filter((k) => !k.startsWith('@')).map((k) => [k, resolve(k)] as const);
    for (const [term, def] of defs) {
      if (def) table.set(term, def);
      else table.delete(term);
    }
  }
  return table;
}

function definitionOf(raw: Json, expand: (value: string) => string | undefined): TermDef | undefined {
  if (typeof raw === 'string') {
    const iri = expand(raw);
    return iri ? { iri } : undefined;
  }
  if (!isObject(raw) || typeof raw['@id'] !== 'string') return undefined;
  const iri = expand(raw['@id']);
  if (!iri) return undefined;
  return typeof raw['@container'] === 'string' ? { iri, container: raw['@container'] } : { iri };
}

/** A keyword, an absolute IRI, `prefix:suffix` with a known prefix, or a known term. */
function expandIri(value: string, resolve: (term: string) => TermDef | undefined): string | undefined {
  if (value.startsWith('@')) return value;
  const colon = value.indexOf(':');
  if (colon < 0) return resolve(value)?.iri;
  const prefix = value.slice(0, colon);
  const suffix = value.slice(colon + 1);
  if (suffix.startsWith('//') || prefix === '_') return value;
  const base = resolve(prefix)?.iri;
  return base && !base.startsWith('@') ? base + suffix : value;
}
