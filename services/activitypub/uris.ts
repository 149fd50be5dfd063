// Every ActivityPub URI the gateway mints; all start with PUBLIC_ORIGIN.
export type Uris = ReturnType<typeof uris>;

export function uris(origin: string) {
  const seg = encodeURIComponent;
  const actor = (username: string) => `${origin}/users/${seg(username)}`;
  return {
    origin,
    actor,
    key: (username: string) => `${actor(username)}#main-key`,
    inbox: (username: string) => `${actor(username)}/inbox`,
    outbox: (username: string) => `${actor(username)}/outbox`,
    followers: (username: string) => `${actor(username)}/followers`,
    following: (username: string) => `${actor(username)}/following`,
    sharedInbox: `${origin}/inbox`,
    post: (postId: string) => `${origin}/posts/${seg(postId)}`,
    tag: (name: string) => `${origin}/tags/${seg(name.toLowerCase())}`,
    /** Activity ids derive from the platform event id, so a retried event mints the same id. */
    activity: (eventId: string, kind: string) => `${origin}/activities/${seg(eventId)}/${kind.toLowerCase()}`,
    instanceActor: `${origin}/actor`,
    instanceKey: `${origin}/actor#main-key`,
    instanceInbox: `${origin}/actor/inbox`,
    // Interactions are named by the platform's ids, so an Undo can name what it undoes.
    like: (username: string, likeId: string) => `${actor(username)}/likes/${seg(likeId)}`,
    repost: (username: string, repostId: string) => `${actor(username)}/reposts/${seg(repostId)}`,
    block: (username: string, blockId: string) => `${actor(username)}/blocks/${seg(blockId)}`,
    report: (reportId: string) => `${origin}/reports/${seg(reportId)}`,
  };
}

/** decodeURIComponent that answers undefined for malformed escapes instead of throwing. */
export function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** The single path segment after `prefix` in one of our URIs, decoded; undefined otherwise. */
function localSegment(uri: string, prefix: string): string | undefined {
  if (!uri.startsWith(prefix)) return undefined;
  const rest = uri.slice(prefix.length);
  if (rest.length === 0 || rest.includes('/') || rest.includes('#')) return undefined;
  return safeDecode(rest);
}

/** Splits a local actor URI back into its username, or undefined when it is not ours. */
export const localUsernameOf = (u: Uris, uri: string) => localSegment(uri, `${u.origin}/users/`);

/** Splits a local post URI back into its post id, or undefined when it is not ours. */
export const localPostIdOf = (u: Uris, uri: string) => localSegment(uri, `${u.origin}/posts/`);
