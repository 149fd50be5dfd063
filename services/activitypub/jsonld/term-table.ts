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

export interface TermTable {
  get(term: string): TermDef | undefined;
}

/** The terms of one context object over those of the contexts before it (no copying). */
class Layer implements TermTable {
  constructor(
    private readonly own: ReadonlyMap<string, TermDef | undefined>,
    private readonly below?: TermTable,
  ) {}

  get(term: string): TermDef | undefined {
    return this.own.has(term) ? this.own.get(term) : this.below?.get(term);
  }
}

export type OwnTerms = ReadonlyMap<string, TermDef | undefined>;

/** `own` (from ownTerms) over `below`. */
export const stacked = (own: OwnTerms, below?: TermTable): TermTable => new Layer(own, below);

/** Every term of `contexts` in one map, for tables built once and then searched. */
export function flatTermTable(contexts: readonly JsonObject[]): Map<string, TermDef> {
  const flat = new Map<string, TermDef>();
  let table: TermTable | undefined;
  for (const ctx of contexts) {
    const own = ownTerms(ctx, table);
    for (const [term, def] of own) {
      if (def) flat.set(term, def);
      else flat.delete(term);
    }
    table = new Layer(own, table);
  }
  return flat;
}

/** What the terms one context object defines stand for (undefined: removed), prefixes resolved over `below`. */
export function ownTerms(ctx: JsonObject, below?: TermTable): Map<string, TermDef | undefined> {
  const own = new Map<string, TermDef | undefined>();
  const resolving = new Set<string>();
  const resolve = (term: string): TermDef | undefined => {
    if (own.has(term)) return own.get(term);
    const raw = ctx[term];
    if (raw === undefined || term.startsWith('@') || resolving.has(term)) return below?.get(term);
    resolving.add(term);
    const def = definitionOf(raw, (iri) => expandIri(iri, resolve));
    resolving.delete(term);
    own.set(term, def);
    return def;
  };
  for (const term of Object.keys(ctx)) if (!term.startsWith('@')) resolve(term);
  return own;
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
