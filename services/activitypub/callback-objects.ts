// Which object a callback is about: callbacks about one object reach the platform in the order
// they were queued (services/federation/callback-order.ts). Pure.
import type { CallbackEnvelope } from './callbacks';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const uriOf = (v: unknown): string | undefined => (typeof v === 'object' && v !== null ? str((v as { uri?: unknown }).uri) : undefined);

/** One local account and one remote actor: follows both ways, follow requests and blocks. */
const relationship = (accountId: unknown, actorUri: string | undefined) => {
  const account = str(accountId);
  return account && actorUri ? `relationship ${account} ${actorUri}` : undefined;
};

/**
 * The object's key, or undefined for a callback nothing later can contradict (a report). A
 * note's callbacks share one key whatever role they go out in; a repost of a remote note is
 * keyed by its Announce, as is a repost of a local post.
 */
export function callbackObjectKey(envelope: CallbackEnvelope): string | undefined {
  const d = envelope.data;
  const kind = envelope.type.split('.')[1];
  switch (kind) {
    case 'post':
    case 'reply':
    case 'mention':
    case 'quote': {
      const announce = typeof d.repost === 'object' && d.repost !== null ? str((d.repost as { activityId?: unknown }).activityId) : undefined;
      if (announce) return `announce ${announce}`;
      const note = uriOf(d.post);
      return note && `note ${note}`;
    }
    case 'like': {
      const id = str(d.activityId);
      return id && `like ${id}`;
    }
    case 'repost': {
      const id = str(d.activityId);
      return id && `announce ${id}`;
    }
    case 'actor': {
      const uri = uriOf(d.actor);
      return uri && `actor ${uri}`;
    }
    case 'follower':
    case 'follow_request':
      return relationship(d.accountId, uriOf(d.follower));
    case 'block':
      return relationship(d.accountId, uriOf(d.actor));
    case 'follow': {
      // A follow refused before any actor was found names no URI: its own follow id then.
      const followId = str(d.followId);
      return relationship(d.accountId, uriOf(d.target)) ?? (followId && `follow ${followId}`);
    }
    default:
      return undefined;
  }
}
