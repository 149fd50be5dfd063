// WebFinger, host-meta and NodeInfo documents (pure: the route looks the account up).
import { type Uris, safeDecode } from './uris';

export type WebfingerQuery =
  | { kind: 'acct'; username: string }
  | { kind: 'instance' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'foreign' };

/** Reads `acct:user@domain`, or one of our actor URLs, into a username to look up. */
export function parseWebfingerResource(resource: string | undefined, handleDomain: string, u: Uris): WebfingerQuery {
  if (!resource) return { kind: 'invalid', reason: 'resource is required' };
  if (resource === u.instanceActor) return { kind: 'instance' };
  const acct = /^acct:@?([^@]+)@(.+)$/i.exec(resource);
  if (acct) {
    if (acct[2]!.toLowerCase() !== handleDomain) return { kind: 'foreign' };
    if (acct[1]!.toLowerCase() === handleDomain) return { kind: 'instance' };
    return { kind: 'acct', username: acct[1]! };
  }
  const prefix = `${u.origin}/users/`;
  if (resource.startsWith(prefix)) {
    const name = safeDecode(resource.slice(prefix.length));
    if (name === undefined) return { kind: 'invalid', reason: 'malformed percent-encoding' };
    return name && !name.includes('/') ? { kind: 'acct', username: name } : { kind: 'foreign' };
  }
  if (/^https?:\/\//.test(resource)) return { kind: 'foreign' };
  return { kind: 'invalid', reason: 'resource must be acct:user@domain or an actor URL' };
}

export function webfingerDocument(username: string, handleDomain: string, actorUri: string, profileUrl?: string) {
  return {
    subject: `acct:${username}@${handleDomain}`,
    aliases: [actorUri, ...(profileUrl ? [profileUrl] : [])],
    links: [
      { rel: 'self', type: 'application/activity+json', href: actorUri },
      ...(profileUrl ? [{ rel: 'http://webfinger.net/rel/profile-page', type: 'text/html', href: profileUrl }] : []),
    ],
  };
}

export function hostMetaXml(origin: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n' +
    `  <Link rel="lrdd" template="${origin}/.well-known/webfinger?resource={uri}"/>\n` +
    '</XRD>\n'
  );
}

export function nodeinfoLinks(origin: string) {
  return { links: [{ rel: 'http://nodeinfo.diaspora.software/ns/schema/2.1', href: `${origin}/nodeinfo/2.1` }] };
}

export function nodeinfoDocument(version: string, totalUsers: number, localPosts: number) {
  return {
    version: '2.1',
    software: { name: 'fedigate', version },
    protocols: ['activitypub'],
    services: { inbound: [], outbound: [] },
    openRegistrations: false,
    usage: { users: { total: totalUsers }, localPosts },
    metadata: {},
  };
}
