// The remote JSON-LD contexts the gateway knows, shipped with it (contexts/README.md says where
// they come from). Inbound documents are read against these; nothing is ever fetched.
import type { JsonObject } from '../as-read';
import activitystreams from './contexts/activitystreams.json';
import dataIntegrityV1 from './contexts/data-integrity-v1.json';
import dataIntegrityV2 from './contexts/data-integrity-v2.json';
import gotosocial from './contexts/gotosocial.json';
import multikeyV1 from './contexts/multikey-v1.json';
import securityV1 from './contexts/security-v1.json';

export const AS_CONTEXT_URL = 'https://www.w3.org/ns/activitystreams';
export const SECURITY_V1_URL = 'https://w3id.org/security/v1';
export const GOTOSOCIAL_URL = 'https://gotosocial.org/ns';

const PRELOADED: ReadonlyMap<string, JsonObject> = new Map<string, JsonObject>([
  [AS_CONTEXT_URL, activitystreams],
  [SECURITY_V1_URL, securityV1],
  ['https://w3id.org/security/data-integrity/v1', dataIntegrityV1],
  ['https://w3id.org/security/data-integrity/v2', dataIntegrityV2],
  ['https://w3id.org/security/multikey/v1', multikeyV1],
  [GOTOSOCIAL_URL, gotosocial],
]);

/**
 * The one spelling of a context URL servers also write as http:, with a trailing `#` or `/`,
 * or with the `.jsonld` file name (all of which serve the same document).
 */
export function canonicalContextUrl(url: string): string {
  return url
    .trim()
    .replace(/^http:\/\//i, 'https://')
    .replace(/#$/, '')
    .replace(/\.jsonld$/i, '')
    .replace(/\/$/, '');
}

/** The shipped context document for this URL, or undefined when the gateway does not know it. */
export function preloadedContext(url: string): JsonObject | undefined {
  return PRELOADED.get(canonicalContextUrl(url));
}

/** The term definitions (the @context object) of a preloaded context. */
export const preloadedTerms = (url: string): JsonObject => preloadedContext(url)!['@context'] as JsonObject;
