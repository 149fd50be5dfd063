// At most K deliveries in flight per domain in this process. A delivery that finds its domain
// full does not wait for a slot (it would hold a worker slot meanwhile): it is told to yield.

export interface DomainLimiter {
  /** takes a slot, or says the domain is full */
  tryAcquire(domain: string): boolean;
  release(domain: string): void;
  inFlight(domain: string): number;
  readonly limit: number;
}

export function createDomainLimiter(limit: number): DomainLimiter {
  const counts = new Map<string, number>();
  return {
    limit,
    tryAcquire(domain) {
      const n = counts.get(domain) ?? 0;
      if (n >= limit) return false;
      counts.set(domain, n + 1);
      return true;
    },
    release(domain) {
      const n = (counts.get(domain) ?? 0) - 1;
      if (n > 0) counts.set(domain, n);
      else counts.delete(domain);
    },
    inFlight: (domain) => counts.get(domain) ?? 0,
  };
}
