// What one document is compacted against: the standard context, then the document's own
// preloaded contexts and extension terms (those that neither rename nor alias a standard term),
// so its types and properties outside the standard (`QuoteRequest`, `Bite`, `wall`) keep
// their names instead of coming out as full IRIs.
import type { Json, JsonObject } from '../as-read';
import { isObject } from '../as-read';
import { agrees, contextEntries, contextTerms } from './fast-path';
import { canonicalContextUrl, preloadedContext, preloadedTerms } from './preloaded-contexts';
import { EXTENSION_TERMS, STANDARD_TERMS, STANDARD_URLS, prefixesBarred } from './standard-context';

export function compactionContextFor(docContext: Json | undefined): Json[] {
  const entries = contextEntries(docContext);
  const terms = contextTerms(entries);
  const extras: Json[] = [];
  const own: JsonObject[] = [];
  for (const entry of entries) {
    const url = typeof entry === 'string' ? canonicalContextUrl(entry) : undefined;
    if (url && preloadedContext(url) && !STANDARD_URLS.includes(url)) {
      extras.push(url);
      own.push(preloadedTerms(url));
    } else if (isObject(entry)) {
      const kept = Object.entries(entry).filter(([term, def]) => !term.startsWith('@') && !STANDARD_TERMS.has(term) && agrees(term, def, terms));
      if (kept.length) extras.push(Object.fromEntries(kept));
    }
  }
  // Prefixes are barred last: the extras may still be written with `as:` or their own prefixes.
  const withPrefixes = [...STANDARD_URLS.map(preloadedTerms), EXTENSION_TERMS, ...own, ...extras.filter(isObject)];
  return [...STANDARD_URLS, EXTENSION_TERMS, ...extras, prefixesBarred(withPrefixes)];
}
