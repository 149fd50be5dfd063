// BullMQ backoff strategy: maps the job options' backoff type to the pure retry policy.
import type { MinimalJob } from 'bullmq';
import { cappedExponentialDelayMs, deliveryDelayMs } from '../services/remote/retry-policy';

export function backoffStrategy(attemptsMade: number, type?: string, err?: Error, job?: MinimalJob): number {
  if (type === 'delivery') {
    const retryAfterMs = (err as { retryAfterMs?: number } | undefined)?.retryAfterMs;
    // A job split off a batch goes on with the schedule where the batch's attempt left it.
    const prior = (job?.data as { priorAttempts?: number } | undefined)?.priorAttempts ?? 0;
    return deliveryDelayMs(attemptsMade + prior, retryAfterMs);
  }
  return cappedExponentialDelayMs(attemptsMade);
}
