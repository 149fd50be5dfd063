// Callbacks retry for a day and run concurrently: a note's created/updated callback may still be
// pending when its deleted callback has been sent. Checked at send time, so a late one never
// resurrects the note on the platform (as deliveries check livePostId).
import type { CallbackEnvelope } from '../activitypub/callbacks';
import type { Gateway } from '../gateway';

const NOTE_CONTENT_CALLBACK = /^fediverse\.(reply|post|mention|quote)\.(created|updated)$/;

/** Whether this is a note's created/updated callback for a note its author has since deleted. */
export async function isSupersededNoteCallback(g: Gateway, envelope: CallbackEnvelope): Promise<boolean> {
  if (!NOTE_CONTENT_CALLBACK.test(envelope.type)) return false;
  const post = envelope.data.post as { uri?: unknown; author?: { uri?: unknown } } | undefined;
  if (typeof post?.uri !== 'string' || typeof post.author?.uri !== 'string') return false;
  const record = await g.remoteNotes.get(post.uri);
  return record?.deletedBy !== undefined && record.deletedBy === post.author.uri;
}
