// Per-domain delivery health in Redis, shared by every worker process: failure days (a domain
// failing on 7 distinct days is unavailable and skipped at fan-out), the circuit breaker's
// consecutive network failures and cool-down. Any success or signed request from it resets all.
import type { RedisClient } from './redis';
import type { RedisKeys } from '../../config/redis-keys';
import { DOMAIN_HEALTH, breakerOpens, breakerRemainingMs, countsAsDomainFailure, failureDay, isNetworkFailure, isUnavailable } from '../remote/domain-health';
import type { DeliveryVerdict } from '../remote/retry-policy';
import { LruMap } from '../signatures/lru';
import { expiringReads } from './shared-reads';

/** After a reset, further successes to that domain skip Redis this long (unless a failure is seen here). */
const RESET_MEMORY_MS = 10_000;
/** How stale this process's view of another process's breaker may be. */
const BREAKER_READ_MS = 1_000;

export type UnavailableReason = 'failing' | 'gone';

export interface UnavailableRecord {
  since: string;
  /** failing: 7 days of failures; gone: its shared inbox answered 410 */
  reason: UnavailableReason;
}

export interface DomainHealth {
  domain: string;
  available: boolean;
  unavailable?: UnavailableRecord;
  failureDays: string[];
  breaker: { open: boolean; openUntil?: string; consecutiveNetworkFailures: number };
}

export interface FailureOutcome {
  becameUnavailable: boolean;
  breakerOpened: boolean;
}

export function domainHealthStore(redis: RedisClient, keys: RedisKeys) {
  // Successes are most deliveries: one reset per domain per few seconds is enough. A failure
  // recorded by another process meanwhile is reset by the next success after that.
  const resetAt = new LruMap<string, number>(10_000);
  // Every delivery asks whether its domain's breaker is open: one Redis read per domain per
  // BREAKER_READ_MS serves them. This process's own openings and resets update it at once.
  const breakerRead = expiringReads<string, number | undefined>(BREAKER_READ_MS);
  const markUnavailable = async (domain: string, reason: UnavailableReason, now = Date.now()): Promise<boolean> => {
    resetAt.delete(domain);
    const record: UnavailableRecord = { since: new Date(now).toISOString(), reason };
    return (await redis.hsetnx(keys.unavailableDomains(), domain, JSON.stringify(record))) === 1;
  };

  return {
    markUnavailable,

    /** Counts a failed delivery against its domain; says whether it tipped the domain over. */
    async recordFailure(domain: string, verdict: DeliveryVerdict, now = Date.now()): Promise<FailureOutcome> {
      const outcome: FailureOutcome = { becameUnavailable: false, breakerOpened: false };
      if (!countsAsDomainFailure(verdict)) return outcome;
      resetAt.delete(domain);
      const days = keys.domainFailureDays(domain);
      const res = await redis.multi().sadd(days, failureDay(now)).expire(days, DOMAIN_HEALTH.failureDaysTtlSeconds).scard(days).exec();
      if (isUnavailable(Number(res?.[2]?.[1] ?? 0))) outcome.becameUnavailable = await markUnavailable(domain, 'failing', now);
      if (isNetworkFailure(verdict)) {
        const failures = keys.domainBreakerFailures(domain);
        // The window starts at the first failure of a run (NX), so a slow trickle never opens it.
        const counted = await redis.multi().incr(failures).pexpire(failures, DOMAIN_HEALTH.breakerWindowMs, 'NX').exec();
        if (breakerOpens(Number(counted?.[0]?.[1] ?? 0))) {
          const openUntil = now + DOMAIN_HEALTH.breakerCooldownMs;
          const set = await redis.multi().set(keys.domainBreakerOpen(domain), String(openUntil), 'PX', DOMAIN_HEALTH.breakerCooldownMs, 'NX').del(failures).exec();
          outcome.breakerOpened = set?.[0]?.[1] === 'OK';
          if (outcome.breakerOpened) breakerRead.set(domain, openUntil, now);
        }
      }
      return outcome;
    },

    /** A delivery went through or the domain signed a request to us: it is alive. */
    async recordAlive(domain: string, now = Date.now()): Promise<void> {
      const last = resetAt.get(domain);
      if (last !== undefined && now - last < RESET_MEMORY_MS) return;
      // The domain's own keys share a slot ({d:<domain>}); the unavailable list is one hash of its own.
      await Promise.all([
        redis.del(keys.domainFailureDays(domain), keys.domainBreakerFailures(domain), keys.domainBreakerOpen(domain)),
        redis.hdel(keys.unavailableDomains(), domain),
      ]);
      resetAt.set(domain, now);
      breakerRead.delete(domain);
    },

    /** Milliseconds the domain's breaker stays open; 0 when deliveries may go. */
    async breakerRemainingMs(domain: string, now = Date.now()): Promise<number> {
      const openUntil = await breakerRead.get(
        domain,
        async () => {
          const v = await redis.get(keys.domainBreakerOpen(domain));
          return v === null ? undefined : Number(v);
        },
        now,
      );
      return breakerRemainingMs(openUntil, now);
    },

    /** Which of these domains are unavailable (one round trip per fan-out page). */
    async unavailableAmong(domains: string[]): Promise<Set<string>> {
      if (domains.length === 0) return new Set();
      const values = await redis.hmget(keys.unavailableDomains(), ...domains);
      return new Set(domains.filter((_, i) => values[i] !== null));
    },

    countUnavailable: () => redis.hlen(keys.unavailableDomains()),

    async health(domain: string, now = Date.now()): Promise<DomainHealth> {
      const [unavailable, days, failures, open] = await Promise.all([
        redis.hget(keys.unavailableDomains(), domain),
        redis.smembers(keys.domainFailureDays(domain)),
        redis.get(keys.domainBreakerFailures(domain)),
        redis.get(keys.domainBreakerOpen(domain)),
      ]);
      const openMs = breakerRemainingMs(open === null ? undefined : Number(open), now);
      return {
        domain,
        available: unavailable === null,
        ...(unavailable !== null ? { unavailable: JSON.parse(unavailable) as UnavailableRecord } : {}),
        failureDays: days.sort(),
        breaker: { open: openMs > 0, ...(openMs > 0 ? { openUntil: new Date(Number(open)).toISOString() } : {}), consecutiveNetworkFailures: Number(failures ?? 0) },
      };
    },
  };
}

export type DomainHealthStore = ReturnType<typeof domainHealthStore>;
