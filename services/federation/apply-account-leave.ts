// account.disabled / account.deleted: a signed Delete(Person) to every inbox that knows the
// actor, its relationships severed (receivers drop them on that Delete), and for a deletion every
// record of the account erased but a tombstone that answers 410.
import { deleteActorActivity } from '../activitypub/actor-leave';
import type { Gateway } from '../gateway';
import type { DeliveryJob } from '../queue/jobs';
import { LruMap } from '../signatures/lru';
import { deliveryInbox } from '../store/followers';
import { enqueueDeliveries } from './enqueue';
import { hashValuePages } from '../store/hash-page';

/**
 * An erased account's key pair outlives it this long: its Delete(Person) is retried for ~2.5
 * days (config/queues.ts delivery), and each retry is signed.
 */
export const ERASED_KEYS_TTL_SECONDS = 4 * 24 * 3600;

export type LeaveOutcome = 'applied' | 'stale' | 'no_change';

export async function applyAccountLeave(g: Gateway, eventId: string, occurredAt: Date, accountId: string, kind: 'disabled' | 'deleted'): Promise<LeaveOutcome> {
  const username = (await g.accounts.get(accountId))?.account.username ?? (await g.accounts.signer(accountId)).username;
  const deleteActivityId = g.uris.activity(eventId, 'Delete');
  const action = await g.accounts.leave(accountId, eventId, occurredAt, kind, deleteActivityId);
  if (action === 'stale') return 'stale';
  if (action === 'none') return 'no_change';
  if (action === 'announce' && username) await announceDelete(g, accountId, username, eventId);
  await severRelationships(g, accountId);
  if (kind === 'deleted') await eraseAccount(g, accountId, username, occurredAt);
  await g.redis.unlink(g.keys.accountInboxes(accountId));
  await g.accounts.settleLeave(accountId, eventId);
  return 'applied';
}

const hashValues = <T>(g: Gateway, key: string) => hashValuePages<T>(g.redis, key, 500);

type Inboxes = { inbox: string; sharedInbox?: string };

async function announceDelete(g: Gateway, accountId: string, username: string, eventId: string): Promise<void> {
  const activity = deleteActorActivity(username, eventId, g.uris);
  await g.activities.save(activity);
  // Everyone who knows the actor: followers, pending requesters, accounts it follows, and every
  // inbox any of its activities was queued for. Gathered into one set first, so a retry after
  // the relationships are severed still finds them.
  const known = g.keys.accountInboxes(accountId);
  for (const key of [g.keys.followers(accountId), g.keys.followRequests(accountId), g.keys.following(accountId)]) {
    for await (const page of hashValues<Inboxes>(g, key)) await g.redis.sadd(known, ...page.map(deliveryInbox));
  }
  let cursor = '0';
  do {
    const [next, inboxes] = await g.redis.sscan(known, cursor, 'COUNT', 1000);
    cursor = next;
    await enqueueDeliveries(g, activity.id, { accountId }, inboxes, undefined, { delayMs: DELETE_DELAY_MS });
  } while (cursor !== '0');
}

/** Receivers of Delete(Person) drop every follow either way (Mastodon destroys the account). */
async function severRelationships(g: Gateway, accountId: string): Promise<void> {
  const k = g.keys;
  for (const key of [k.followers(accountId), k.followRequests(accountId)]) {
    for await (const page of hashValues<{ followId: string; actor: string }>(g, key)) {
      // The reverse index (remote actor → local accounts it follows) forgets this account too.
      // Each key is another entity's (slot), so one command each; the hash itself goes after
      // them, so a retry after a crash pages through it again.
      await Promise.all(page.flatMap((r) => [g.redis.unlink(k.remoteFollow(r.followId)), g.redis.srem(k.followedBy(r.actor), accountId)]));
    }
    await g.redis.unlink(key);
  }

  // Each follow and its reverse index, ordered so an Accept arriving meanwhile cannot re-add it.
  await g.following.removeAll(accountId);
}

async function eraseAccount(g: Gateway, accountId: string, username: string | undefined, deletedAt: Date): Promise<void> {
  for await (const postIds of g.accountPosts.postIds(accountId)) {
    await g.accountPosts.tombstonePosts(accountId, postIds, deletedAt);
  }
  await g.accountPosts.erase(accountId);
  // Blocks outlive an opt-out (a re-enabled account still blocks) but not an erasure.
  await g.blocks.eraseAccount(accountId);
  // Its likes, reposts and blocks as sent, what remote actors liked or reposted of it, and the
  // remote notes recorded as replying to, quoting or mentioning it.
  await g.interactions.eraseAccount(accountId);
  await g.remoteNotes.dropAccount(accountId);
  // Activities carry the posts' text; the account's own Delete stays until it is delivered.
  const { leaveActivity } = await g.accounts.signer(accountId);
  if (username) await g.activities.eraseActor(g.uris.actor(username), leaveActivity ? [leaveActivity] : []);
  await g.accounts.eraseProfile(accountId);
  await g.accounts.expireKeys(accountId, ERASED_KEYS_TTL_SECONDS);
  await eraseFinishedEventJobs(g, accountId);
}

/** Whether an event's data names this account (data.account.id or any accountId inside). */
export function namesAccount(data: unknown, accountId: string): boolean {
  if (Array.isArray(data)) return data.some((v) => namesAccount(v, accountId));
  if (!data || typeof data !== 'object') return false;
  const o = data as Record<string, unknown>;
  if (o.accountId === accountId) return true;
  if ((o.account as { id?: unknown } | undefined)?.id === accountId) return true;
  return Object.values(o).some((v) => typeof v === 'object' && namesAccount(v, accountId));
}

/**
 * BullMQ keeps finished event jobs (completed for an hour, failed for 14 days) with their
 * payloads (profiles, post text): an erased account's go now.
 */
async function eraseFinishedEventJobs(g: Gateway, accountId: string): Promise<void> {
  const PAGE = 500;
  for (const state of ['completed', 'failed'] as const) {
    const doomed: string[] = [];
    for (let start = 0; ; start += PAGE) {
      const jobs = await g.queues.events.getJobs([state], start, start + PAGE - 1);
      for (const job of jobs) if (job?.id && namesAccount(job.data.data, accountId)) doomed.push(job.id);
      if (jobs.length < PAGE) break;
    }
    for (const id of doomed) await g.queues.events.remove(id);
  }
}

// Deliveries ask whether their signer is still enabled; a yes is cached this long per account
// (a fan-out's thousands of deliveries share one read), a no never is (a re-enabled account's
// deliveries must not be skipped). The Delete(Person) waits out the cache: no process still
// holding a stale yes can send a Create after the Delete.
const ENABLED_CACHE_MS = 2000;
const DELETE_DELAY_MS = ENABLED_CACHE_MS + 500;
const enabledUntil = new WeakMap<Gateway, LruMap<string, number>>();

/**
 * Whether a delivery must not go out because its signer left: after its Delete(Person) only
 * that Delete is sent (a queued or retried Create would resurrect the actor remotely).
 */
export async function signerHasLeft(g: Gateway, job: Pick<DeliveryJob, 'signer' | 'activityId'>): Promise<boolean> {
  if (!('accountId' in job.signer)) return false;
  const accountId = job.signer.accountId;
  let cache = enabledUntil.get(g);
  if (!cache) enabledUntil.set(g, (cache = new LruMap<string, number>(10_000)));
  if ((cache.get(accountId) ?? 0) > Date.now()) return false;
  const s = await g.accounts.signer(accountId);
  if (s.state === 'enabled') cache.set(accountId, Date.now() + ENABLED_CACHE_MS);
  return (s.state === 'disabled' || s.state === 'deleted') && job.activityId !== s.leaveActivity;
}

type FieldProblem = { pointer: string; message: string; eventId?: string };
type AnyEvent = { id: string; type: string; data: Record<string, unknown> };

/** ActorRefs and Refs: they name accounts an event is about, not the account acting. */
const OTHER_PARTIES = new Set(['mentions', 'target', 'follower', 'objects', 'of', 'inReplyTo', 'quoteOf']);

/** Where an event's data names the account acting: its accountId(s), account.id (JSON pointers). */
export function accountPointers(data: unknown, at = '/data'): Array<{ pointer: string; accountId: string }> {
  if (Array.isArray(data)) return data.flatMap((v, i) => accountPointers(v, `${at}/${i}`));
  if (!data || typeof data !== 'object') return [];
  return Object.entries(data as Record<string, unknown>).flatMap(([k, v]) => {
    if (k === 'accountId' && typeof v === 'string') return [{ pointer: `${at}/accountId`, accountId: v }];
    if (at === '/data' && k === 'account' && typeof (v as { id?: unknown })?.id === 'string') return [{ pointer: '/data/account/id', accountId: (v as { id: string }).id }];
    return typeof v === 'object' && !OTHER_PARTIES.has(k) ? accountPointers(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`) : [];
  });
}

/**
 * Events that contradict a deletion already applied: refused at intake with the field named,
 * rather than accepted and dropped (one still queued behind its deletion is dropped when applied).
 */
export async function deletedAccountProblems(g: Gateway, events: AnyEvent[], pointerOf: (index: number) => string): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  await Promise.all(
    events.map(async (e, i) => {
      if (e.type === 'account.deleted' || e.type === 'account.disabled') return;
      for (const { pointer, accountId } of accountPointers(e.data)) {
        if ((await g.accounts.stateOf(accountId)) === 'deleted') {
          problems.push({ pointer: `${pointerOf(i)}${pointer}`, eventId: e.id, message: 'this account was deleted; a deleted account does not come back' });
        }
      }
      const account = e.type === 'account.enabled' || e.type === 'account.updated' ? (e.data.account as { id: string; username: string }) : undefined;
      const holder = account ? await g.accounts.stateByUsername(account.username) : undefined;
      if (account && holder && holder.accountId !== account.id && holder.state === 'deleted') {
        problems.push({ pointer: `${pointerOf(i)}/data/account/username`, eventId: e.id, message: 'belonged to a deleted account; its actor URI is not reused' });
      }
    }),
  );
  return problems;
}
