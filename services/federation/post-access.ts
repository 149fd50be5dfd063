// Who may read a post that is not public (contract §4): an actor it names (mentioned, replied-to,
// quoted author) and, for a followers-only post, the author's followers.
import { noteAudience } from '../activitypub/outbound';
import type { PostRefs } from '../activitypub/post-refs';
import type { Gateway } from '../gateway';
import type { Post } from '../platform/event-schemas';

export const isPubliclyReadable = (post: Pick<Post, 'visibility'>) => post.visibility === 'public' || post.visibility === 'unlisted';

export async function mayRead(g: Gateway, post: Post, username: string, refs: PostRefs | undefined, actor: string): Promise<boolean> {
  if (isPubliclyReadable(post)) return true;
  const audience = noteAudience(post, username, g.uris, refs);
  if ([...audience.to, ...audience.cc].includes(actor)) return true;
  return post.visibility === 'followers' && (await g.followers.get(post.accountId, actor)) !== undefined;
}
