// Intake checks of follow events (pure): a follow of a local account is not federated.
import { parseHandle } from '../activitypub/handles';
import type { ActorRef, PlatformEvent } from './event-schemas';
import type { FieldProblem } from './validate-events';

/** Whether the ref names an account of this gateway (by id, by our handle domain or our origin). */
export function isLocalActorRef(ref: ActorRef, local: { handleDomain: string; origin: string }): boolean {
  if ('accountId' in ref) return true;
  if ('handle' in ref) return parseHandle(ref.handle)?.host === local.handleDomain.toLowerCase();
  return ref.uri === local.origin || ref.uri.startsWith(`${local.origin}/`);
}

/**
 * Follows between two platform accounts are the platform's own business: federating them would
 * send a Follow to ourselves. Refused at intake so the platform learns of it at once.
 */
export function localFollowProblems(events: PlatformEvent[], pointerOf: (index: number) => string, local: { handleDomain: string; origin: string }): FieldProblem[] {
  return events.flatMap((e, i) =>
    (e.type === 'follow.created' || e.type === 'follow.deleted') && isLocalActorRef(e.data.follow.target, local)
      ? [{ pointer: `${pointerOf(i)}/data/follow/target`, eventId: e.id, message: 'names a local account: follows between platform accounts are not federated' }]
      : [],
  );
}
