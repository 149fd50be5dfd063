// report.created: a Flag from the instance actor (the reporter stays anonymous, as Mastodon
// does it) to the reported actor's server, naming the actor and the reported remote objects.
import { flagActivity } from '../activitypub/interactions';
import { localPostIdOf } from '../activitypub/uris';
import type { Gateway } from '../gateway';
import type { PlatformEvent } from '../platform/event-schemas';
import { enqueueDeliveries } from './enqueue';
import { resolveActorRef } from './resolve-actor';
import { RemoteObjectUnavailableError } from './resolve-object';

type ReportEvent = Extract<PlatformEvent, { type: 'report.created' }>;

export type ReportOutcome = 'applied' | 'local_target' | 'target_not_found';

export async function applyReport(g: Gateway, event: ReportEvent): Promise<ReportOutcome> {
  const report = event.data.report;
  const target = await resolveActorRef(g, report.target);
  if (!target.ok) {
    if (target.reason === 'unavailable') throw new RemoteObjectUnavailableError(target.detail);
    return 'target_not_found';
  }
  // A platform account is moderated on the platform: no other server needs to hear of it.
  if (target.actor.kind !== 'remote') return 'local_target';
  // Platform posts are the platform's to moderate: only the remote objects go in the Flag.
  const objects = report.objects.flatMap((ref) => ('uri' in ref && localPostIdOf(g.uris, ref.uri) === undefined ? [ref.uri] : []));
  const flag = flagActivity(g.uris.report(report.id), g.uris.instanceActor, target.actor.uri, objects, report.comment);
  await g.activities.save(flag);
  await enqueueDeliveries(g, flag.id, { instance: true }, [target.actor.sharedInbox ?? target.actor.inbox]);
  return 'applied';
}
