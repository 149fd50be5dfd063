// The jsonld document loader: serves the preloaded contexts and never touches the network.
// Any other context URL (Pleroma/Akkoma's per-instance litepub context, apschema, funkwhale…)
// reads as an empty context: terms only it defines fall back to the AS context's "@vocab": "_:"
// and keep their names, so such documents are read rather than refused.
import type { DocumentLoader } from 'jsonld';
import { preloadedContext } from './preloaded-contexts';

/** A loader that records, in `unknown`, the context URLs it answered with the empty context. */
export function offlineDocumentLoader(unknown: Set<string>): DocumentLoader {
  return async (url) => {
    const known = preloadedContext(url);
    if (!known) unknown.add(url);
    return { documentUrl: url, document: known ?? { '@context': {} } };
  };
}
