// Job payloads. Jobs carry ids and public data, never keys or secrets: workers load those.
import { createHash } from 'node:crypto';
import type { JsonObject } from '../activitypub/as-read';
import type { CallbackEnvelope } from '../activitypub/callbacks';
import type { PlatformEvent } from '../platform/event-schemas';

export type EventJob = PlatformEvent;

/** Who signs a delivery: a local account (by id) or the instance actor. */
export type Signer = { accountId: string } | { instance: true };

export interface FanoutJob {
  activityId: string;
  signer: { accountId: string };
  /** followers: the account's followers; post: also every inbox the post reached before */
  audience: 'followers' | 'post';
  postId?: string;
  /** when set, the inboxes reached are recorded on this post (for later Update/Delete) */
  recordOnPost?: string;
  /** the post a Create/Update carries: deliveries are skipped once it is deleted or held back */
  livePostId?: string;
  /** inboxes to reach besides followers': mentioned, replied-to and quoted authors */
  extraInboxes?: string[];
  /** false for a post only its mentioned actors may see: no follower gets it */
  toFollowers?: boolean;
  /** a post's own Create/Update/Delete: its deliveries keep per-inbox order */
  postStep?: PostStep;
}

/** Which of a post's activities a delivery carries (ordered per inbox: services/store/post-receipts.ts). */
export interface PostStep {
  postId: string;
  step: 'create' | 'update' | 'delete';
}

export interface DeliveryJob {
  activityId: string;
  signer: Signer;
  inbox: string;
  /** set for a post's Create/Update: checked at send time, so a retry never revives a deleted post */
  livePostId?: string;
  /** a Block or Undo(Block): reaches the actor the signing account blocks, unlike everything else */
  despiteBlock?: true;
  postStep?: PostStep;
  /** attempts already spent in the batch this job split from (the retry schedule goes on from there) */
  priorAttempts?: number;
  /** times an Update waited for its Create at this inbox (the wait grows) */
  waits?: number;
  /** the batch's attempt was refused for good: this job only records the failure (no POST), so
   * operators see it among failed jobs and can retry it (a retry then delivers) */
  refused?: string;
}

/** One activity to several inboxes in one job: a fan-out's first attempt. Failures split off as DeliveryJobs. */
export interface DeliveryBatchJob extends Omit<DeliveryJob, 'inbox' | 'priorAttempts' | 'waits' | 'refused'> {
  inboxes: string[];
}

export interface InboxJob {
  activity: JsonObject;
  /** its id, or a hash of its bytes when it has none: with the signer, its replay key (services/inbox/replay-key.ts) */
  activityId: string;
  /** actor URI that owns the verified signing key */
  signer: string;
  receivedAt: string;
  /** a self-Delete whose key could not be fetched (the actor answers 410): not verified, to be confirmed */
  unverifiedGoneActor?: true;
}

export type CallbackJob = CallbackEnvelope;

/** A domain block was created: drop the blocked domain's followers and follow requests of every local account. */
export interface ModerationJob {
  kind: 'purge-domain-followers';
  domain: string;
}

/** BullMQ custom ids may not contain ':' and must be stable: a hash of what makes the job unique. */
export function jobIdOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);
}
