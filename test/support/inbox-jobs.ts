// Finding an inbound activity's job and replay marker, which are keyed by signer and id.
import type { Gateway } from '../../services/gateway';
import { type InboxReplayKey, inboxReplayKey } from '../../services/inbox/replay-key';

/** An activity as posted: signed by its actor (the test servers sign as the actor). */
export interface SignedActivity {
  id: string;
  actor: string;
}

export const replayKeyOf = (a: SignedActivity): InboxReplayKey => inboxReplayKey({ signer: a.actor, activityId: a.id });

/** Whether the inbox worker has processed it (applied or not). */
export const inboxProcessed = (g: Gateway, a: SignedActivity) => g.dedupe.inboxSeen(replayKeyOf(a));
