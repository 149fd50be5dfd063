// Per-domain health decisions: what counts against a server, when it is unavailable, when the
// breaker opens, and how operators name a domain.
import {
  DOMAIN_HEALTH, breakerOpens, breakerRemainingMs, busyDelayMs, countsAsDomainFailure, domainOf, failureDay, isNetworkFailure, isUnavailable,
} from '../../services/remote/domain-health';
import { createDomainLimiter } from '../../services/remote/domain-limiter';
import { classifyStatus } from '../../services/remote/retry-policy';

const network = { kind: 'retry', reason: 'network_UND_ERR_HEADERS_TIMEOUT' } as const;

test('the domain of an inbox is its host, port included, lower-cased', () => {
  expect(domainOf('https://Mastodon.Social/inbox')).toBe('mastodon.social');
  expect(domainOf('http://127.0.0.1:8443/users/a/inbox')).toBe('127.0.0.1:8443');
  expect(domainOf('not a url')).toBeUndefined();
});

test('failures count by UTC day', () => {
  expect(failureDay(Date.UTC(2026, 11, 1, 23, 59))).toBe('2026-12-01');
  expect(failureDay(Date.UTC(2026, 11, 2, 0, 0))).toBe('2026-12-02');
});

test('a server that is down, unreachable or answers 5xx counts against its domain; one that refuses us does not', () => {
  expect(countsAsDomainFailure(network)).toBe(true);
  expect(countsAsDomainFailure(classifyStatus(503))).toBe(true);
  expect(countsAsDomainFailure(classifyStatus(500))).toBe(true);
  for (const status of [200, 202, 400, 401, 403, 404, 410, 429]) expect(countsAsDomainFailure(classifyStatus(status))).toBe(false);
  expect(isNetworkFailure(network)).toBe(true);
  expect(isNetworkFailure(classifyStatus(503))).toBe(false);
});

test('a domain is unavailable from its 7th distinct failure day', () => {
  expect(isUnavailable(DOMAIN_HEALTH.unavailableAfterDays - 1)).toBe(false);
  expect(isUnavailable(7)).toBe(true);
});

test('the breaker opens at the threshold of consecutive network failures and stays open for the cool-down', () => {
  expect(breakerOpens(DOMAIN_HEALTH.breakerThreshold - 1)).toBe(false);
  expect(breakerOpens(DOMAIN_HEALTH.breakerThreshold)).toBe(true);
  expect(breakerRemainingMs(undefined, 1000)).toBe(0);
  expect(breakerRemainingMs(5000, 1000)).toBe(4000);
  expect(breakerRemainingMs(5000, 6000)).toBe(0);
});

test('a busy domain sends its deliveries back after a jittered pause', () => {
  expect(busyDelayMs(() => 0)).toBe(DOMAIN_HEALTH.busyDelayMs);
  expect(busyDelayMs(() => 0.5)).toBe(DOMAIN_HEALTH.busyDelayMs * 1.5);
});

test('the per-domain limiter holds K slots per domain, independently of other domains', () => {
  const limiter = createDomainLimiter(2);
  expect([limiter.tryAcquire('a'), limiter.tryAcquire('a'), limiter.tryAcquire('a')]).toEqual([true, true, false]);
  expect(limiter.tryAcquire('b')).toBe(true);
  limiter.release('a');
  expect(limiter.inFlight('a')).toBe(1);
  expect(limiter.tryAcquire('a')).toBe(true);
});

test('a delivery waiting for a slot gets the next one released, first come first served, or gives up', async () => {
  const limiter = createDomainLimiter(1);
  expect(await limiter.acquire('a', 0)).toBe(true);
  const first = limiter.acquire('a', 5000);
  const second = limiter.acquire('a', 5000);
  const late = limiter.acquire('a', 10);
  expect(await late).toBe(false); // no slot came free for 10 ms
  limiter.release('a');
  expect(await first).toBe(true);
  expect(limiter.inFlight('a')).toBe(1);
  limiter.release('a');
  expect(await second).toBe(true);
  limiter.release('a');
  expect(limiter.inFlight('a')).toBe(0);
  expect(await limiter.acquire('a', 0)).toBe(true);
});

test('a waiter keeps its place while the domain frees slots, however long the line', async () => {
  // Fake timers (Date.now too): the 20 ms steps are exact, whatever the machine's load.
  jest.useFakeTimers();
  try {
    const limiter = createDomainLimiter(1);
    expect(limiter.tryAcquire('a')).toBe(true);
    const waiters = Array.from({ length: 5 }, () => limiter.acquire('a', 30));
    // One slot every 20 ms: the last waiter waits 100 ms, past its 30 ms, yet none gives up.
    for (let i = 0; i < 5; i++) {
      jest.advanceTimersByTime(20);
      limiter.release('a');
    }
    expect(await Promise.all(waiters)).toEqual([true, true, true, true, true]);
  } finally {
    jest.useRealTimers();
  }
}, 2000); // a waiter that never resolves fails fast
