// At most K deliveries in flight per domain in this process. A delivery that finds its domain
// full waits for a slot as long as the domain makes progress (a slot came free within the last
// waitMs: a healthy server, just busy), and yields once it makes none: a slow or dead server's
// deliveries step aside instead of holding worker slots.

export interface DomainLimiter {
  /** takes a slot, or says the domain is full */
  tryAcquire(domain: string): boolean;
  /** takes a slot, first come first served, waiting while slots keep coming free; false once none came free for waitMs */
  acquire(domain: string, waitMs: number): Promise<boolean>;
  release(domain: string): void;
  inFlight(domain: string): number;
  readonly limit: number;
}

export function createDomainLimiter(limit: number): DomainLimiter {
  const counts = new Map<string, number>();
  const waiting = new Map<string, Array<(got: boolean) => void>>();
  const lastRelease = new Map<string, number>();
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
        const giveUp = () => {
          // The domain is moving: keep the place in line.
          if (Date.now() - (lastRelease.get(domain) ?? 0) < waitMs) return void (timer = setTimeout(giveUp, waitMs));
          const i = queue.indexOf(wake);
          if (i >= 0) queue.splice(i, 1);
          if (queue.length === 0) waiting.delete(domain);
          resolve(false);
        };
        let timer = setTimeout(giveUp, waitMs);
        queue.push(wake);
      });
    },
    release(domain) {
      lastRelease.set(domain, Date.now());
      // The slot passes straight to the first waiter, if any: the count stays.
      const queue = waiting.get(domain);
      const next = queue?.shift();
      if (queue && queue.length === 0) waiting.delete(domain);
      if (next) return next(true);
      const n = (counts.get(domain) ?? 0) - 1;
      if (n > 0) counts.set(domain, n);
      else {
        counts.delete(domain);
        lastRelease.delete(domain);
      }
    },
    inFlight: (domain) => counts.get(domain) ?? 0,
  };
}
