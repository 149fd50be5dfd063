// The replay-protection key of an inbound activity, also its inbox job id. It is the activity id
// as its verified signer named it: an id alone would let one actor claim (and so pre-empt) the
// ids of another's activities.
import { jobIdOf } from '../queue/jobs';

/** Branded, so a bare activity id is never mistaken for one. */
export type InboxReplayKey = string & { readonly __brand: 'InboxReplayKey' };

export interface ReplayKeyed {
  signer: string;
  /** its id, or a hash of its bytes when it has none */
  activityId: string;
  unverifiedGoneActor?: true;
}

export function inboxReplayKey(a: ReplayKeyed): InboxReplayKey {
  // An unverified self-Delete proves nothing about its id: one per actor, whatever it says.
  const key = a.unverifiedGoneActor ? jobIdOf('unverified-delete', a.signer) : jobIdOf('inbox', a.signer, a.activityId);
  return key as InboxReplayKey;
}
