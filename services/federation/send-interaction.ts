// Sends a recorded interaction (Like, Announce, Block) or its Undo: saved, then queued to the
// recorded inboxes and, for reposts, fanned out to the account's followers.
import { undoActivity } from '../activitypub/interactions';
import type { Gateway } from '../gateway';
import type { InteractionRecord } from '../store/interactions';
import { enqueueDeliveries, enqueueFanout } from './enqueue';

export async function sendInteraction(g: Gateway, accountId: string, record: InteractionRecord, undo: boolean): Promise<void> {
  const activity = undo ? undoActivity(record.activity) : record.activity;
  await g.activities.save(activity);
  const signer = { accountId };
  // A Block and its Undo are for the blocked actor's eyes: they pass the delivery block check.
  const opts = record.activity.type === 'Block' ? { despiteBlock: true as const } : {};
  await enqueueDeliveries(g, activity.id, signer, record.inboxes, undefined, opts);
  if (record.fanout) await enqueueFanout(g, { activityId: activity.id, signer, audience: 'followers' });
}
