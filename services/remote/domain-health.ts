// Per-domain health as pure decisions (the store does the IO): which failures count against a
// server, when it is unavailable (skipped at fan-out), when its circuit breaker opens, and how
// long a delivery that found its domain busy waits before it is tried again.
import { hostOf } from '../activitypub/as-read';
import type { DeliveryVerdict } from './retry-policy';

export const DOMAIN_HEALTH = {
  /** distinct UTC days with failures after which a domain is unavailable (Mastodon's threshold) */
  unavailableAfterDays: 7,
  /** failure days are forgotten this long after the last one (refreshed on each failure) */
  failureDaysTtlSeconds: 30 * 24 * 3600,
  /** consecutive network failures within the window that open the breaker */
  breakerThreshold: 5,
  breakerWindowMs: 60_000,
  /** how long an open breaker fails deliveries fast */
  breakerCooldownMs: 60_000,
  /** a delivery that finds its domain at its in-flight limit waits this long for a slot... */
  slotWaitMs: 1000,
  /** ...then steps aside and comes back after this, plus jitter */
  busyDelayMs: 200,
} as const;

/** The domain deliveries and health are tracked by: the URL's host (with a non-default port). */
export const domainOf = (url: string): string | undefined => hostOf(url);

/** domainOf for a URL already parsed (an http(s) one). */
export const domainOfUrl = (url: URL): string => url.host.toLowerCase();

/** The UTC day a failure is counted on. */
export const failureDay = (nowMs: number): string => new Date(nowMs).toISOString().slice(0, 10);

/** Whether a verdict says the server itself is failing (down, unreachable, 5xx), not refusing us. */
export function countsAsDomainFailure(v: DeliveryVerdict): boolean {
  return v.kind === 'retry' && (isNetworkFailure(v) || /^http_5\d\d$/.test(v.reason));
}

/** Network errors and timeouts: the failures the circuit breaker counts. */
export function isNetworkFailure(v: DeliveryVerdict): boolean {
  return v.kind === 'retry' && v.reason.startsWith('network_');
}

export function isUnavailable(distinctFailureDays: number): boolean {
  return distinctFailureDays >= DOMAIN_HEALTH.unavailableAfterDays;
}

export function breakerOpens(consecutiveNetworkFailures: number): boolean {
  return consecutiveNetworkFailures >= DOMAIN_HEALTH.breakerThreshold;
}

/** Time left before an open breaker lets deliveries through; 0 when closed. */
export function breakerRemainingMs(openUntilMs: number | undefined, nowMs: number): number {
  return openUntilMs === undefined ? 0 : Math.max(0, openUntilMs - nowMs);
}

/** Jittered, so the deliveries that yielded together do not all come back at once. */
export function busyDelayMs(random = Math.random): number {
  return Math.round(DOMAIN_HEALTH.busyDelayMs * (1 + random()));
}
