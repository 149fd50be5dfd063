// Fediverse handles (@user@host) and WebFinger answers, pure.
import { type JsonObject, asArray, isObject, str } from './as-read';

export interface Handle {
  username: string;
  /** host as written, lower-cased; may carry a port */
  host: string;
}

/** Reads `@user@host` or `user@host` (an `acct:` prefix is tolerated). */
export function parseHandle(s: string): Handle | undefined {
  const m = /^(?:acct:)?@?([^@\s/]+)@([a-z0-9.-]+(?::\d{1,5})?)$/i.exec(s.trim());
  return m ? { username: m[1]!, host: m[2]!.toLowerCase() } : undefined;
}

export const formatHandle = (h: Handle) => `@${h.username}@${h.host}`;

export function webfingerUrl(h: Handle): string {
  return `https://${h.host}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${h.username}@${h.host}`)}`;
}

const AP_TYPES = ['application/activity+json', 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"', 'application/ld+json'];

/** The actor URI of a JRD's `self` link with an ActivityPub media type. */
export function actorUriOfJrd(jrd: JsonObject): string | undefined {
  for (const link of asArray(jrd.links)) {
    if (!isObject(link) || str(link.rel) !== 'self') continue;
    const type = (str(link.type) ?? '').replace(/\s+/g, ' ');
    const href = str(link.href);
    if (href && /^https?:\/\//i.test(href) && AP_TYPES.includes(type)) return href;
  }
  return undefined;
}
