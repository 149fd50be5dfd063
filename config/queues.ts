// Queue names, attempts and backoff: the one place that says how each kind of job is retried.
import type { JobsOptions } from 'bullmq';

export const QUEUE_NAMES = {
  /** platform events, applied in occurredAt order per object */
  events: 'events',
  /** one job per outbound activity: expands the audience into delivery jobs */
  fanout: 'fanout',
  /** one signed POST to one remote inbox */
  delivery: 'delivery',
  /** verified inbound activities */
  inbox: 'inbox',
  /** signed callbacks to the platform */
  callbacks: 'callbacks',
  /** operator actions too long for a request: dropping a blocked domain's followers */
  moderation: 'moderation',
} as const;

export type QueueName = keyof typeof QUEUE_NAMES;

/** BullMQ key prefix: braces make each queue's keys one Redis Cluster hash slot. */
export function queuePrefix(redisPrefix: string, name: QueueName): string {
  return `${redisPrefix}:{${QUEUE_NAMES[name]}}`;
}

const DAY = 24 * 3600;

/** Completed jobs are kept briefly so a repeated jobId within that window is a no-op. */
const keep = { removeOnComplete: { age: 3600, count: 10000 }, removeOnFail: { age: 14 * DAY } };

export const JOB_OPTIONS: Record<QueueName, JobsOptions> = {
  events: { attempts: 25, backoff: { type: 'capped-exponential', delay: 1000 }, ...keep },
  fanout: { attempts: 25, backoff: { type: 'capped-exponential', delay: 1000 }, ...keep },
  // ~16 attempts over more than two days (Mastodon's reference schedule): see workers/backoff.ts
  delivery: { attempts: 16, backoff: { type: 'delivery', delay: 0 }, ...keep },
  inbox: { attempts: 10, backoff: { type: 'capped-exponential', delay: 1000 }, ...keep },
  // At least 24 hours of retries while the platform is down, even at the shortest jitter:
  // 110 attempts, 15-30 min apart once capped, span 24.8 h at least (37 h on average).
  callbacks: { attempts: 110, backoff: { type: 'capped-exponential', delay: 1000 }, ...keep },
  moderation: { attempts: 25, backoff: { type: 'capped-exponential', delay: 1000 }, ...keep },
};
