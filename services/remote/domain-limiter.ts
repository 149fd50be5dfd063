// At most K deliveries in flight per domain in this process. A delivery that finds its domain
// full waits a moment for a slot (a healthy server frees one within milliseconds), then yields:
// a slow or dead server's deliveries step aside instead of holding worker slots.

export interface DomainLimiter {
  /** takes a slot, or says the domain is full */
  tryAcquire(domain: string): boolean;
  /** takes a slot, waiting for one up to waitMs (first come, first served); false when none came */
  acquire(domain: string, waitMs: number): Promise<boolean>;
  release(domain: string): void;
  inFlight(domain: string): number;
  readonly limit: number;
}

export function createDomainLimiter(limit: number): DomainLimiter {
  const counts = new Map<string, number>();
  const waiting = new Map<string, Array<(got: boolean) => void>>();
  const tryAcquire = (domain: string) => {
    const n = counts.get(domain) ?? 0;
    if (n >= limit) return false;
    counts.set(domain, n + 1);
    return true;
  };
  return {
    limit,
    tryAcquire,
    acquire(domain, waitMs) {
      if (tryAcquire(domain)) return Promise.resolve(true);
      if (waitMs <= 0) return Promise.resolve(false);
      return new Promise((resolve) => {
        const queue = waiting.get(domain) ?? [];
        waiting.set(domain, queue);
        const wake = (got: boolean) => {
          clearTimeout(timer);
          resolve(got);
        };
        const timer = setTimeout(() => {
          const i = queue.indexOf(wake);
          if (i >= 0) queue.splice(i, 1);
          if (queue.length === 0) waiting.delete(domain);
          resolve(false);
        }, waitMs);
        queue.push(wake);
      });
    },
    release(domain) {
      // The slot passes straight to the first waiter, if any: the count stays.
      const queue = waiting.get(domain);
      const next = queue?.shift();
      if (queue && queue.length === 0) waiting.delete(domain);
      if (next) return next(true);
      const n = (counts.get(domain) ?? 0) - 1;
      if (n > 0) counts.set(domain, n);
      else counts.delete(domain);
    },
    inFlight: (domain) => counts.get(domain) ?? 0,
  };
}
