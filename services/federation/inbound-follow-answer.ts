// A remote Accept/Reject of a local account's Follow: the follow is settled and the platform told.
import { callbackEnvelope } from '../activitypub/callbacks';
import type { FollowAnswerCommand } from '../activitypub/inbound-follow-answer';
import type { Gateway } from '../gateway';
import { enqueueCallback } from './enqueue';
import { remoteActorOrBare } from './remote-actors';

export type FollowAnswerOutcome = { outcome: 'applied'; kind: 'follow-answer' } | { outcome: 'ignored'; reason: string };

/** Which local follow the answer is for: by our Follow's id, else by the follower and the answering actor. */
async function followOf(g: Gateway, cmd: FollowAnswerCommand): Promise<{ accountId: string } | { reason: string }> {
  if (cmd.followId) {
    const known = await g.following.byActivityId(cmd.followId);
    if (known) return known.target === cmd.actor ? { accountId: known.accountId } : { reason: 'actor_mismatch' };
  }
  const accountId = cmd.username ? await g.accounts.idByUsername(cmd.username) : undefined;
  return accountId ? { accountId } : { reason: 'unknown_follow' };
}

export async function onFollowAnswer(g: Gateway, cmd: FollowAnswerCommand, receivedAt: string): Promise<FollowAnswerOutcome> {
  const found = await followOf(g, cmd);
  if ('reason' in found) return { outcome: 'ignored', reason: found.reason };
  const record = await g.following.get(found.accountId, cmd.actor);
  if (!record) return { outcome: 'ignored', reason: 'unknown_follow' };
  const target = await remoteActorOrBare(g, cmd.actor);
  const type = cmd.answer === 'accept' ? 'fediverse.follow.accepted' : 'fediverse.follow.rejected';
  // Callback first, state second: a retry after a crash in between finds the follow again, and
  // the id (our Follow's, per answer) keeps the callback from being sent twice.
  const data = { followId: record.followId, accountId: found.accountId, target, ...(cmd.answer === 'reject' ? { reason: 'rejected' } : {}) };
  await enqueueCallback(g, callbackEnvelope(type, `${record.activityId}#${cmd.answer}`, data, new Date(receivedAt)));
  if (cmd.answer === 'accept') await g.following.accept(found.accountId, cmd.actor);
  else await g.following.remove(found.accountId, cmd.actor);
  return { outcome: 'applied', kind: 'follow-answer' };
}
