// Classes of remote servers for the delivery metrics: the operator names the servers that matter
// apart (the largest instances, relays) in DELIVERY_DOMAIN_CLASSES, e.g.
// "large=mastodon.social,mastodon.online;relay=relay.fedi.buzz"; a listed domain covers its
// subdomains, as a domain block does, and every other server is "other". A handful of label
// values, however many servers the gateway reaches.
import { coveringBlock, parseDomain } from '../moderation/domains';

export type DomainClasses = ReadonlyMap<string, string>;

export const OTHER_DOMAINS = 'other';

/** Parses the setting; throws with the offending part (the config check reports it at start). */
export function parseDomainClasses(text: string): DomainClasses {
  const classes = new Map<string, string>();
  for (const group of text.split(';').map((g) => g.trim()).filter(Boolean)) {
    const m = /^([a-z][a-z0-9_]{0,31})=(.+)$/.exec(group);
    if (!m) throw new Error(`"${group}" is not class=domain,domain…`);
    for (const raw of m[2]!.split(',').map((d) => d.trim()).filter(Boolean)) {
      const parsed = parseDomain(raw, { singleLabel: true });
      if (!parsed.ok) throw new Error(`"${raw}" in class ${m[1]} is not a domain: ${parsed.detail}`);
      classes.set(parsed.domain, m[1]!);
    }
  }
  return classes;
}

/** The class of a delivery's domain (host[:port]). */
export function domainClass(classes: DomainClasses, domain: string): string {
  if (classes.size === 0) return OTHER_DOMAINS;
  const listed = coveringBlock(domain, classes); // the Map's keys are the listed domains: no Set per delivery
  return listed ? classes.get(listed)! : OTHER_DOMAINS;
}
