// BullMQ backoff strategy: maps the job options' backoff type to the pure retry policy.
import { cappedExponentialDelayMs, deliveryDelayMs } from '../services/remote/retry-policy';

export function backoffStrategy(attemptsMade: number, type?: string, err?: Error): number {
  if (type === 'delivery') {
    const retryAfterMs = (err as { retryAfterMs?: number } | undefined)?.retryAfterMs;
    return deliveryDelayMs(attemptsMade, retryAfterMs);
  }
  return cappedExponentialDelayMs(attemptsMade);
}
