// The @context values of the documents the gateway publishes (Mastodon-compatible extensions).
export const AS = 'https://www.w3.org/ns/activitystreams';
export const SECURITY = 'https://w3id.org/security/v1';
export const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

export const ACTOR_CONTEXT = [
  AS,
  SECURITY,
  {
    manuallyApprovesFollowers: 'as:manuallyApprovesFollowers',
    toot: 'http://joinmastodon.org/ns#',
    discoverable: 'toot:discoverable',
    indexable: 'toot:indexable',
    featured: { '@id': 'toot:featured', '@type': '@id' },
    schema: 'http://schema.org#',
    PropertyValue: 'schema:PropertyValue',
    value: 'schema:value',
  },
] as const;

// Threads (ostatus conversation, as Mastodon sends) and quotes: FEP-044f `quote`, plus the
// older properties Misskey, Fedibird and pre-4.4 Mastodon read.
export const NOTE_CONTEXT = [
  AS,
  {
    sensitive: 'as:sensitive',
    Hashtag: 'as:Hashtag',
    toot: 'http://joinmastodon.org/ns#',
    blurhash: 'toot:blurhash',
    ostatus: 'http://ostatus.org#',
    conversation: 'ostatus:conversation',
    quote: { '@id': 'https://w3id.org/fep/044f#quote', '@type': '@id' },
    quoteUrl: 'as:quoteUrl',
    quoteUri: 'http://fedibird.com/ns#quoteUri',
    _misskey_quote: 'https://misskey-hub.net/ns#_misskey_quote',
    quoteAuthorization: { '@id': 'https://w3id.org/fep/044f#quoteAuthorization', '@type': '@id' },
    QuoteRequest: 'https://w3id.org/fep/044f#QuoteRequest',
  },
] as const;

/** FEP-e232 media type of a Link tag that points at an ActivityStreams object (a quote). */
export const AS_LINK_MEDIA_TYPE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"';
