// The standard compact form inbound documents are brought to: the ActivityStreams, security v1
// and GoToSocial contexts plus the extension terms Mastodon, Misskey, Fedibird and Pleroma
// documents use. The rest of the gateway reads these property names.
import type { JsonObject } from '../as-read';
import { AS_CONTEXT_URL, GOTOSOCIAL_URL, SECURITY_V1_URL, preloadedTerms } from './preloaded-contexts';
import { type TermDef, flatTermTable } from './term-table';

const AS = 'https://www.w3.org/ns/activitystreams#';
const TOOT = 'http://joinmastodon.org/ns#';
const MISSKEY = 'https://misskey-hub.net/ns#';
const FEDIBIRD = 'http://fedibird.com/ns#';
const OSTATUS = 'http://ostatus.org#';
const SCHEMA = 'http://schema.org#';
const FEP_044F = 'https://w3id.org/fep/044f#';
const SEC = 'https://w3id.org/security#';

const ref = (iri: string) => ({ '@id': iri, '@type': '@id' });

/** Written with full IRIs: the compaction context defines no prefix of its own. */
export const EXTENSION_TERMS: JsonObject = {
  sensitive: `${AS}sensitive`,
  Hashtag: `${AS}Hashtag`,
  manuallyApprovesFollowers: `${AS}manuallyApprovesFollowers`,
  movedTo: ref(`${AS}movedTo`),
  alsoKnownAs: ref(`${AS}alsoKnownAs`),
  quoteUrl: `${AS}quoteUrl`,
  quoteUri: `${FEDIBIRD}quoteUri`,
  quote: ref(`${FEP_044F}quote`),
  quoteAuthorization: ref(`${FEP_044F}quoteAuthorization`),
  _misskey_quote: `${MISSKEY}_misskey_quote`,
  _misskey_content: `${MISSKEY}_misskey_content`,
  _misskey_summary: `${MISSKEY}_misskey_summary`,
  _misskey_reaction: `${MISSKEY}_misskey_reaction`,
  _misskey_votes: `${MISSKEY}_misskey_votes`,
  isCat: `${MISSKEY}isCat`,
  Emoji: `${TOOT}Emoji`,
  blurhash: `${TOOT}blurhash`,
  focalPoint: { '@id': `${TOOT}focalPoint`, '@container': '@list' },
  discoverable: `${TOOT}discoverable`,
  indexable: `${TOOT}indexable`,
  memorial: `${TOOT}memorial`,
  suspended: `${TOOT}suspended`,
  votersCount: `${TOOT}votersCount`,
  featured: ref(`${TOOT}featured`),
  featuredTags: ref(`${TOOT}featuredTags`),
  attributionDomains: ref(`${TOOT}attributionDomains`),
  atomUri: `${OSTATUS}atomUri`,
  inReplyToAtomUri: `${OSTATUS}inReplyToAtomUri`,
  conversation: `${OSTATUS}conversation`,
  // Misskey's name for security's CryptographicKey; Mastodon's own EncryptedMessage.
  Key: `${SEC}Key`,
  EncryptedMessage: `${TOOT}EncryptedMessage`,
  PropertyValue: `${SCHEMA}PropertyValue`,
  value: `${SCHEMA}value`,
  proof: { '@id': `${SEC}proof`, '@type': '@id', '@container': '@graph' },
};

/** The context URLs of the standard form, in order. */
export const STANDARD_URLS: readonly string[] = [AS_CONTEXT_URL, SECURITY_V1_URL, GOTOSOCIAL_URL];
const standardContexts = STANDARD_URLS.map(preloadedTerms);

/**
 * The prefixes of these contexts (`as:`, `sec:`, `xsd:`…), barred from compaction: ids come
 * out whole (`https://www.w3.org/ns/activitystreams#Public`, never `as:Public`), and so do keys
 * no term names.
 */
export function prefixesBarred(contexts: readonly JsonObject[]): JsonObject {
  return Object.fromEntries(
    contexts.flatMap((ctx) =>
      Object.entries(ctx)
        .filter(([term, iri]) => !term.startsWith('@') && typeof iri === 'string' && /[#/]$/.test(iri))
        .map(([term, iri]) => [term, { '@id': iri, '@prefix': false }]),
    ),
  );
}

/** Every standard term and what it stands for. */
export const STANDARD_TERMS: ReadonlyMap<string, TermDef> = flatTermTable([...standardContexts, EXTENSION_TERMS]);

/** Namespaces servers spell differently for the same vocabulary. */
const NAMESPACE_SPELLINGS: readonly [string, string][] = [
  ['https://misskey.io/ns#', MISSKEY],
  ['https://misskey-hub.net/ns/#', MISSKEY],
  ['http://schema.org/', SCHEMA],
  ['https://schema.org/', SCHEMA],
  ['https://schema.org#', SCHEMA],
];

/** The one spelling of an IRI whose namespace servers write in several ways. */
export function canonicalIri(iri: string): string {
  for (const [alias, canonical] of NAMESPACE_SPELLINGS) if (iri.startsWith(alias)) return canonical + iri.slice(alias.length);
  return iri;
}

const TERM_BY_IRI: ReadonlyMap<string, string> = (() => {
  const byIri = new Map<string, string>();
  for (const [term, def] of STANDARD_TERMS) {
    const iri = canonicalIri(def.iri);
    if (!iri.startsWith('@') && !isMapContainer(def) && !byIri.has(iri)) byIri.set(iri, term);
  }
  return byIri;
})();

/** The standard term for a full IRI (terms with a map container, such as contentMap, aside). */
export const termOfIri = (iri: string): string | undefined => TERM_BY_IRI.get(canonicalIri(iri));

function isMapContainer(def: TermDef): boolean {
  return def.container !== undefined && def.container !== '@set' && def.container !== '@list';
}
