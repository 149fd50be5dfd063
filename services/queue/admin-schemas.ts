// Shapes of the admin job API (/admin/jobs): validate requests and generate its OpenAPI paths.
import { z } from 'zod';
import { QUEUE_NAMES, type QueueName } from '../../config/queues';

export const QUEUE_LIST = Object.keys(QUEUE_NAMES) as [QueueName, ...QueueName[]];

export const QueueParamSchema = z.enum(QUEUE_LIST, { error: `one of ${QUEUE_LIST.join(', ')}` });

const count = z.number().int().nonnegative();

export const QueueCountsSchema = z
  .object({ queue: QueueParamSchema, waiting: count, active: count, delayed: count, failed: count, completed: count })
  .meta({ description: 'Jobs of one queue by state (completed jobs are kept an hour, failed ones 14 days).' });

export const QueueCountsListSchema = z.object({ queues: z.array(QueueCountsSchema) });

export const MAX_FAILED_LIMIT = 500;

export const FailedQuerySchema = z.object({
  limit: z.coerce
    .number({ error: `an integer from 1 to ${MAX_FAILED_LIMIT}` })
    .int(`an integer from 1 to ${MAX_FAILED_LIMIT}`)
    .min(1, `an integer from 1 to ${MAX_FAILED_LIMIT}`)
    .max(MAX_FAILED_LIMIT, `an integer from 1 to ${MAX_FAILED_LIMIT}`)
    .default(50)
    .meta({ description: `how many of the most recently failed jobs (1-${MAX_FAILED_LIMIT})` }),
});

export const FailedJobSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    attemptsMade: z.number().int().meta({ description: 'attempts run so far' }),
    attempts: z.number().int().meta({ description: 'attempts the queue allows a job (config/queues.ts)' }),
    failedReason: z.string().meta({ description: 'the last error, e.g. http_400 for a delivery the inbox refused' }),
    createdAt: z.string().meta({ description: 'when the job was queued (ISO 8601)' }),
    finishedOn: z.string().optional().meta({ description: 'when it failed for good (ISO 8601)' }),
    data: z.unknown().meta({ description: 'the job payload (ids and public data, never keys)' }),
  })
  .meta({ description: 'A job that used up its attempts or failed for good.' });

export const FailedJobListSchema = z.object({
  queue: QueueParamSchema,
  failed: z.number().int().nonnegative().meta({ description: 'failed jobs in the queue; items are the most recent of them' }),
  items: z.array(FailedJobSchema),
});

export const MAX_RETRY_IDS = 1000;

export const RetryBodySchema = z
  .strictObject({
    jobIds: z.array(z.string().min(1).max(200)).min(1).max(MAX_RETRY_IDS).optional().meta({ description: 'failed jobs to run again' }),
    all: z.literal(true).optional().meta({ description: 'run every job failed at the time of the request again' }),
  })
  .refine((b) => (b.jobIds === undefined) !== (b.all === undefined), { path: ['jobIds'], message: 'give jobIds or all: true (one of them)' })
  .meta({ description: 'Failed jobs go back to waiting with their attempts reset: each gets its full retry schedule again.' });

export const RetryResultSchema = z.object({
  queue: QueueParamSchema,
  retried: z.number().int().nonnegative(),
  notRetried: z
    .array(z.object({ jobId: z.string(), reason: z.enum(['not_found', 'not_failed']), state: z.string().optional().meta({ description: 'its state when not failed' }) }))
    .meta({ description: 'requested jobs that were not failed (any more): gone, or waiting, active, completed…' }),
});

export type QueueCounts = z.infer<typeof QueueCountsSchema>;
export type FailedJob = z.infer<typeof FailedJobSchema>;
export type RetryResult = z.infer<typeof RetryResultSchema>;
