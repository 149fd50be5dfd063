// Durable intake of validated platform events: each is in the events queue before we answer 202.
import type { Gateway } from '../gateway';
import { jobIdOf } from '../queue/jobs';
import { StoreUnavailableError, assertStoreReady, withStoreTimeout } from '../store/availability';
import type { PlatformEvent } from './event-schemas';


export interface IntakeResult {
  accepted: string[];
  duplicates: string[];
}

export const eventJobId = (eventId: string) => jobIdOf('event', eventId);

/**
 * Duplicates are events already applied or already waiting in the queue. Adding is idempotent
 * by job id, so an add that times out here and completes later is harmless: the platform's retry
 * finds it queued.
 */
export async function acceptEvents(g: Gateway, events: PlatformEvent[]): Promise<IntakeResult> {
  assertStoreReady(g.redis, g.queueRedis);
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
    await withStoreTimeout(g.queues.events.addBulk(fresh.map((e) => ({ name: e.type, data: e, opts: { jobId: eventJobId(e.id) } }))));
  }
  return { accepted: fresh.map((e) => e.id), duplicates: ids.filter((id) => known.has(id)) };
}
