// The only place that builds BullMQ Queue objects.
import { Queue } from 'bullmq';
import { JOB_OPTIONS, QUEUE_NAMES, type QueueName, queuePrefix } from '../../config/queues';
import type { RedisClient } from '../store/redis';
import type { CallbackJob, DeliveryBatchJob, DeliveryJob, EventJob, FanoutJob, InboxJob, ModerationJob } from './jobs';

export interface Queues {
  events: Queue<EventJob>;
  fanout: Queue<FanoutJob>;
  delivery: Queue<DeliveryJob | DeliveryBatchJob>;
  inbox: Queue<InboxJob>;
  callbacks: Queue<CallbackJob>;
  moderation: Queue<ModerationJob>;
}

export function createQueues(connection: RedisClient, redisPrefix: string): Queues {
  const make = <T>(name: QueueName) =>
    new Queue<T>(QUEUE_NAMES[name], {
      connection,
      prefix: queuePrefix(redisPrefix, name),
      defaultJobOptions: JOB_OPTIONS[name],
    });
  return {
    events: make<EventJob>('events'),
    fanout: make<FanoutJob>('fanout'),
    delivery: make<DeliveryJob | DeliveryBatchJob>('delivery'),
    inbox: make<InboxJob>('inbox'),
    callbacks: make<CallbackJob>('callbacks'),
    moderation: make<ModerationJob>('moderation'),
  };
}

export async function closeQueues(q: Queues): Promise<void> {
  await Promise.all(Object.values(q).map((queue: Queue) => queue.close()));
}
