// The local posts remote actors may interact with (like, repost, reply to, quote): live,
// federated, and their account still opted in. An opted-out account's posts answer 410 to the
// fediverse; what still arrives for them is not passed on.
import type { Gateway } from '../gateway';
import type { StoredPost } from '../store/posts';

export async function enabledLivePost(g: Gateway, postId: string): Promise<StoredPost | undefined> {
  const post = await g.posts.get(postId);
  if (!post || post.state !== 'live' || !post.federated) return undefined;
  return (await g.accounts.stateOf(post.accountId)) === 'enabled' ? post : undefined;
}

/** The accountId owning the post, when remote actors may interact with it. */
export async function enabledPostOwner(g: Gateway, postId: string): Promise<string | undefined> {
  return (await enabledLivePost(g, postId))?.accountId;
}

/** Only what anyone may see can be shared further (as Mastodon: no boosts of followers-only posts). */
export const isShareable = (post: StoredPost) => post.post?.visibility === 'public' || post.post?.visibility === 'unlisted';
