// What a post points at, already resolved by the IO layer (mentions, parent, quote, thread), so
// building its Note stays pure. Stored with the post: GET /posts/{id} renders the same Note.

export interface ResolvedMention {
  /** actor URI (Mention tag href, addressing) */
  uri: string;
  /** `@user@host`, the Mention tag name */
  name: string;
  /** where the mention in the text links to: the actor's profile page, else its URI */
  href: string;
}

export interface ResolvedRef {
  /** the object's URI */
  uri: string;
  /** its author's actor URI, when known (addressed in the Note) */
  author?: string;
  /** its author's `@user@host`, when known */
  authorName?: string;
  /** its author's inbox, for a remote author (a QuoteRequest goes there) */
  inbox?: string;
  /** FEP-044f: the quoted author's QuoteAuthorization, once its Accept came back */
  authorization?: string;
}

export interface PostRefs {
  mentions: ResolvedMention[];
  inReplyTo?: ResolvedRef;
  quote?: ResolvedRef;
  /** one id per thread: the root's, or adopted from the parent */
  conversation: string;
  /** remote inboxes beyond followers' (mentioned, replied-to and quoted authors), for delivery */
  inboxes: string[];
}

/**
 * Mastodon-style thread id for a thread whose root is a local post:
 * tag:<host>,<date>:objectId=<postId>:objectType=Conversation.
 */
export function conversationOf(host: string, rootPostId: string, rootCreatedAt: string): string {
  const date = new Date(rootCreatedAt).toISOString().slice(0, 10);
  return `tag:${host},${date}:objectId=${encodeURIComponent(rootPostId)}:objectType=Conversation`;
}
