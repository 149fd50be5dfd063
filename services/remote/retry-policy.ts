// Retry policy as pure functions: what a response means, and how long to wait before the next try.

export type DeliveryVerdict =
  | { kind: 'delivered' }
  /** never retried: the server refused for good */
  | { kind: 'final'; reason: string }
  /** the inbox is gone: final; the followers behind it are removed (federation/inbox-gone.ts) */
  | { kind: 'gone' }
  | { kind: 'retry'; reason: string; retryAfterMs?: number };

/** 4xx other than 401 (key not yet fetched), 408 and 429 is final; 5xx and network errors retry. */
export function classifyStatus(status: number, retryAfterMs?: number): DeliveryVerdict {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 410) return { kind: 'gone' };
  if (status === 401 || status === 408 || status === 429 || status >= 500) {
    return { kind: 'retry', reason: `http_${status}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  return { kind: 'final', reason: `http_${status}` };
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or bad. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/**
 * Mastodon's delivery schedule: attempt n waits n^4 + 15 + rand(10)·(n+1) seconds, so 16 attempts
 * span a little over two days. A server's Retry-After is honoured when longer (capped at a day).
 */
export function deliveryDelayMs(attemptsMade: number, retryAfterMs?: number, random = Math.random): number {
  const n = attemptsMade;
  const seconds = n ** 4 + 15 + Math.floor(random() * 10) * (n + 1);
  return Math.max(seconds * 1000, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

/** Exponential with full jitter in the upper half, capped (callbacks, inbox and event jobs). */
export function cappedExponentialDelayMs(attemptsMade: number, baseMs = 1000, capMs = 30 * 60 * 1000, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
