// Fan-out leaves out inboxes on unavailable domains (failing on 7 distinct days, or gone): one
// Redis read per page. A success or a signed request from the domain makes it available again.
import type { Gateway } from '../gateway';
import { domainOf } from '../remote/domain-health';

export async function availableInboxes(g: Gateway, inboxes: string[]): Promise<string[]> {
  const domains = [...new Set(inboxes.map(domainOf).filter((d): d is string => d !== undefined))];
  const unavailable = await g.domainHealth.unavailableAmong(domains);
  if (unavailable.size === 0) return inboxes;
  const kept = inboxes.filter((inbox) => !unavailable.has(domainOf(inbox) ?? ''));
  g.metrics.skippedUnavailable.inc(inboxes.length - kept.length);
  return kept;
}
