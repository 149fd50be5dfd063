// An inbox answered 410. A personal inbox: the actor behind it is gone, so it stops being a
// follower of every local account it followed, each reported as fediverse.follower.removed with
// reason 'gone' (the platform's follower counts stay true). A shared inbox: the whole server is
// gone; its followers are kept (one answer is too little to drop a server's followers) but the
// domain is unavailable, skipped at fan-out, until a delivery succeeds or it signs a request.
import { callbackEnvelope } from '../activitypub/callbacks';
import type { Gateway } from '../gateway';
import { domainOf } from '../remote/domain-health';
import { type FollowerRecord, deliveryInbox } from '../store/followers';
import { enqueueCallback } from './enqueue';
import { remoteActorOrBare } from './remote-actors';

export type GoneOutcome =
  | { kind: 'followers_removed'; actors: string[]; removed: number }
  | { kind: 'domain_unavailable'; domain: string }
  | { kind: 'no_follower_behind_it' };

/** Finds what is behind the inbox among the signing account's followers (the ones it delivers to). */
async function behind(g: Gateway, accountId: string, inbox: string): Promise<{ shared: true } | { actors: string[] }> {
  const actors: string[] = [];
  for await (const page of g.followers.pages(accountId)) {
    for (const r of page) {
      if (r.sharedInbox === inbox) return { shared: true };
      if (deliveryInbox(r) === inbox) actors.push(r.actor);
    }
  }
  return { actors: [...new Set(actors)] };
}

async function removeEverywhere(g: Gateway, actor: string, inbox: string, receivedAt: Date): Promise<number> {
  let removed = 0;
  for (const accountId of await g.followers.accountsFollowedBy(actor)) {
    const record: FollowerRecord | undefined = await g.followers.get(accountId, actor);
    // Only where it is still delivered to that inbox: an actor that moved its inbox is not gone.
    if (!record || deliveryInbox(record) !== inbox) continue;
    // Callback first, removal second: a retry after a crash finds the follower again, and the
    // stable callback id keeps the platform from hearing it twice.
    const follower = await remoteActorOrBare(g, actor);
    await enqueueCallback(g, callbackEnvelope('fediverse.follower.removed', `${record.followId}#gone`, { accountId, follower, reason: 'gone' }, receivedAt));
    if ((await g.followers.remove(accountId, actor)) === 'follower') removed++;
  }
  return removed;
}

export async function onInboxGone(g: Gateway, signerAccountId: string | undefined, inbox: string, receivedAt = new Date()): Promise<GoneOutcome> {
  const domain = domainOf(inbox);
  const found = signerAccountId ? await behind(g, signerAccountId, inbox) : { actors: [] };
  if ('shared' in found) {
    if (domain) await g.domainHealth.markUnavailable(domain, 'gone', receivedAt.getTime());
    return domain ? { kind: 'domain_unavailable', domain } : { kind: 'no_follower_behind_it' };
  }
  if (found.actors.length === 0) return { kind: 'no_follower_behind_it' };
  let removed = 0;
  for (const actor of found.actors) removed += await removeEverywhere(g, actor, inbox, receivedAt);
  return { kind: 'followers_removed', actors: found.actors, removed };
}
