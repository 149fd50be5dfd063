// Durable intake of validated platform events: each is in the events queue before we answer 202.
import type { Gateway } from '../gateway';
import { jobIdOf } from '../queue/jobs';
import type { PlatformEvent } from './event-schemas';

export class StoreUnavailableError extends Error {}

const ENQUEUE_TIMEOUT_MS = 3000;

export interface IntakeResult {
  accepted: string[];
  duplicates: string[];
}

export const eventJobId = (eventId: string) => jobIdOf('event', eventId);

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoreUnavailableError(`store did not answer in ${ms} ms`)), ms);
    }),
  ]);
}

/**
 * Duplicates are events already applied or already waiting in the queue. Adding is idempotent
 * by job id, so an add that times out here and completes later is harmless: the platform's retry
 * finds it queued.
 */
export async function acceptEvents(g: Gateway, events: PlatformEvent[]): Promise<IntakeResult> {
  if (g.redis.status !== 'ready' || g.queueRedis.status !== 'ready') throw new StoreUnavailableError(`store is ${g.redis.status}`);
  const ids = events.map((e) => e.id);
  let known: Set<string>;
  try {
    const applied = await g.dedupe.appliedEvents(ids);
    const queued = await g.redis.pipeline(ids.map((id) => ['exists', g.queues.events.toKey(eventJobId(id))])).exec();
    known = new Set(ids.filter((id, i) => applied.has(id) || queued?.[i]?.[1] === 1));
  } catch (e) {
    throw new StoreUnavailableError((e as Error).message);
  }
  const fresh = events.filter((e) => !known.has(e.id));
  if (fresh.length) {
    await withTimeout(
      g.queues.events.addBulk(fresh.map((e) => ({ name: e.type, data: e, opts: { jobId: eventJobId(e.id) } }))),
      ENQUEUE_TIMEOUT_MS,
    );
  }
  return { accepted: fresh.map((e) => e.id), duplicates: ids.filter((id) => known.has(id)) };
}
