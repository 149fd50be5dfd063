// Most traffic (Mastodon, Misskey, GoToSocial…) is already in the standard compact form: its
// @context is the standard context URLs plus inline definitions of the usual extension terms.
// Such a document is read as it is, without jsonld.
import type { Json, JsonObject } from '../as-read';
import { isObject } from '../as-read';
import { AS_CONTEXT_URL, canonicalContextUrl, preloadedContext, preloadedTerms } from './preloaded-contexts';
import { STANDARD_TERMS, STANDARD_URLS, canonicalIri, termOfIri } from './standard-context';
import { type OwnTerms, type TermTable, ownTerms, stacked } from './term-table';

/** Inline keywords that change no property name or value shape the gateway reads. */
const HARMLESS_KEYWORDS = new Set(['@language', '@direction', '@version']);
/** What a definition of a standard term may say and still leave its values as the gateway reads them. */
const PLAIN_DEFINITION_KEYS = new Set(['@id', '@type', '@container']);
const PLAIN_CONTAINERS = new Set([undefined, '@set', '@list']);

/** The terms of each preloaded context, read once (each is self-contained). */
const preloadedOwnTerms = new Map<string, OwnTerms>();
function termsOfUrl(url: string): OwnTerms | undefined {
  const canonical = canonicalContextUrl(url);
  if (!preloadedContext(canonical)) return undefined;
  let own = preloadedOwnTerms.get(canonical);
  if (!own) preloadedOwnTerms.set(canonical, (own = ownTerms(preloadedTerms(canonical))));
  return own;
}

/** The context ActivityStreams says is implied, beneath whatever a document says. */
const IMPLIED = stacked(termsOfUrl(AS_CONTEXT_URL)!);

export const contextEntries = (context: Json | undefined): Json[] => (context === undefined ? [] : Array.isArray(context) ? context : [context]);

/** The terms of a @context value's entries, in order: preloaded URLs and inline objects (unknown URLs read as empty). */
export function contextTerms(entries: readonly Json[]): TermTable {
  let table = IMPLIED;
  for (const entry of entries) {
    const own = typeof entry === 'string' ? termsOfUrl(entry) : isObject(entry) ? ownTerms(entry, table) : undefined;
    if (own) table = stacked(own, table);
  }
  return table;
}

// A server sends the same @context with every document: its verdict is kept, keyed by its text.
const VERDICTS_KEPT = 512;
const verdicts = new Map<string, boolean>();

/** Whether a @context value leaves every key meaning what the standard term of that name means. */
export function hasStandardContext(context: Json | undefined): boolean {
  if (context === undefined || typeof context === 'string') return judge(context);
  const key = JSON.stringify(context);
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    if (verdicts.size >= VERDICTS_KEPT) verdicts.clear();
    verdicts.set(key, (verdict = judge(context)));
  }
  return verdict;
}

function judge(context: Json | undefined): boolean {
  const entries = contextEntries(context);
  if (!entries.every((e) => isObject(e) || (typeof e === 'string' && STANDARD_URLS.includes(canonicalContextUrl(e))))) return false;
  const terms = contextTerms(entries);
  return entries.every((ctx) => !isObject(ctx) || Object.entries(ctx).every(([term, def]) => agrees(term, def, terms)));
}

/** Whether one inline definition agrees with the standard term of its name, if any, and aliases none. */
export function agrees(term: string, def: Json, terms: TermTable): boolean {
  if (term.startsWith('@')) return HARMLESS_KEYWORDS.has(term);
  const iri = terms.get(term)?.iri;
  const standard = STANDARD_TERMS.get(term);
  if (standard) {
    // A standard term must keep its meaning and its values' shape.
    if (isObject(def) && (!Object.keys(def).every((k) => PLAIN_DEFINITION_KEYS.has(k)) || !PLAIN_CONTAINERS.has(def['@container'] as string | undefined))) return false;
    return iri !== undefined && canonicalIri(iri) === canonicalIri(standard.iri);
  }
  // Any other term is the document's own business (even a malformed definition, as Pixelfed
  // sends), unless it aliases a standard IRI (`"body": "as:content"` hides the content from
  // readers of `content`) or scopes a context of its own.
  if (isObject(def) && ('@context' in def || '@reverse' in def)) return false;
  return iri === undefined || !termOfIri(iri);
}

