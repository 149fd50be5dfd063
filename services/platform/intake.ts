// Durable intake of validated platform events: each is in the events queue before we answer 202.
import { deletedAccountProblems } from '../federation/apply-account-leave';
import type { Gateway } from '../gateway';
import { jobIdOf } from '../queue/jobs';
import { StoreUnavailableError, assertStoreReady, withStoreTimeout } from '../store/availability';
import type { PlatformEvent } from './event-schemas';
import { localFollowProblems } from './follow-intake';
import type { FieldProblem } from './validate-events';

export type IntakeResult =
  | { ok: true; accepted: string[]; duplicates: string[] }
  /** refused whole: an event contradicts what the gateway already holds */
  | { ok: false; problems: FieldProblem[] };

export const eventJobId = (eventId: string) => jobIdOf('event', eventId);

/** Actor URIs carry the username, so a username cannot change once the account is federated. */
async function renameProblems(g: Gateway, events: PlatformEvent[], pointerOf: (index: number) => string): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  await Promise.all(
    events.map(async (e, i) => {
      if (e.type !== 'account.enabled' && e.type !== 'account.updated') return;
      const stored = await g.accounts.get(e.data.account.id);
      if (stored && stored.account.username.toLowerCase() !== e.data.account.username.toLowerCase()) {
        problems.push({ pointer: `${pointerOf(i)}/data/account/username`, eventId: e.id, message: `cannot change once federated (is ${stored.account.username})` });
      }
    }),
  );
  return problems;
}

/**
 * Duplicates are events already applied or already waiting in the queue. Adding is idempotent
 * by job id, so an add that times out here and completes later is harmless: the platform's retry
 * finds it queued. An event whose job failed for good is taken again when the platform resends it.
 */
export async function acceptEvents(g: Gateway, events: PlatformEvent[], pointerOf: (index: number) => string = () => ''): Promise<IntakeResult> {
  assertStoreReady(g.redis, g.queueRedis);
  const ids = events.map((e) => e.id);
  let known: Set<string>;
  try {
    const problems = [
      ...localFollowProblems(events, pointerOf, { handleDomain: g.config.handleDomain, origin: g.uris.origin }),
      ...(await renameProblems(g, events, pointerOf)),
      ...(await deletedAccountProblems(g, events, pointerOf)),
    ];
    if (problems.length) return { ok: false, problems };
    const applied = await g.dedupe.appliedEvents(ids);
    const queued = await g.redis.pipeline(ids.map((id) => ['exists', g.queues.events.toKey(eventJobId(id))])).exec();
    known = new Set(ids.filter((id, i) => applied.has(id) || queued?.[i]?.[1] === 1));
    for (const id of [...known].filter((id) => !applied.has(id))) {
      const job = await withStoreTimeout(g.queues.events.getJob(eventJobId(id)));
      if (job && (await withStoreTimeout(job.isFailed()))) {
        await withStoreTimeout(job.remove());
        known.delete(id);
      }
    }
  } catch (e) {
    throw e instanceof StoreUnavailableError ? e : new StoreUnavailableError((e as Error).message);
  }
  const fresh = events.filter((e) => !known.has(e.id));
  // One MULTI: all of the batch is queued or none. A refused write (Redis out of memory under
  // noeviction, a transaction aborted by a dropped connection) is an unavailable store too.
  if (fresh.length) {
    await withStoreTimeout(g.queues.events.addBulk(fresh.map((e) => ({ name: e.type, data: e, opts: { jobId: eventJobId(e.id) } })))).catch((e: unknown) => {
      throw e instanceof StoreUnavailableError ? e : new StoreUnavailableError((e as Error).message);
    });
  }
  return { ok: true, accepted: fresh.map((e) => e.id), duplicates: ids.filter((id) => known.has(id)) };
}
