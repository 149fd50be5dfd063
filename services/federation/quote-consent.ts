// FEP-044f quote consent: a post quoting a remote post asks its author (QuoteRequest); the
// author's Accept carries a QuoteAuthorization, which the Note then shows (sent as an Update), so
// servers that enforce consent (Mastodon 4.5+) display the quote.
import type { NoteObject } from '../activitypub/outbound';
import { noteActivity, noteObject } from '../activitypub/outbound';
import type { PostRefs } from '../activitypub/post-refs';
import { type QuoteAnswer, quoteRequest } from '../activitypub/quotes';
import type { Gateway } from '../gateway';
import { jobIdOf } from '../queue/jobs';
import { enqueueDeliveries, enqueueFanout } from './enqueue';
import type { InboundOutcome } from './handle-inbound';

/** Sends the quoted remote author a QuoteRequest, unless the quote is already authorized. */
export async function requestQuoteConsent(g: Gateway, eventId: string, accountId: string, postId: string, note: NoteObject, refs: PostRefs): Promise<void> {
  const quote = refs.quote;
  if (!quote?.author || !quote.inbox || quote.authorization) return;
  const request = quoteRequest(note, quote.uri, quote.author, g.uris.activity(eventId, 'QuoteRequest'));
  await g.activities.save(request);
  await g.posts.rememberQuoteRequest(request.id, postId);
  await enqueueDeliveries(g, request.id, { accountId }, [quote.inbox]);
}

export async function onQuoteAnswer(g: Gateway, cmd: QuoteAnswer, receivedAt: string): Promise<InboundOutcome> {
  const postId = await g.posts.quoteRequestPost(cmd.requestId);
  if (!postId) return { outcome: 'ignored', reason: 'unknown_quote_request' };
  const stored = await g.posts.get(postId);
  const quote = stored?.refs?.quote;
  if (!stored || stored.state !== 'live' || !stored.federated || !stored.post || !quote) return { outcome: 'ignored', reason: 'quote_post_gone' };
  // Only the quoted author may consent.
  if (quote.author !== cmd.actor) return { outcome: 'ignored', reason: 'quote_answer_not_from_quoted_author' };
  if (!cmd.accepted || !cmd.authorization) {
    g.logger.info({ postId, quoted: quote.uri }, 'quote: the quoted author declined');
    return { outcome: 'ignored', reason: 'quote_declined' };
  }
  if (quote.authorization === cmd.authorization) return { outcome: 'ignored', reason: 'quote_already_authorized' };
  await g.posts.setQuoteAuthorization(postId, quote.uri, cmd.authorization);
  const owner = await g.accounts.get(stored.accountId);
  if (!owner || owner.state !== 'enabled') return { outcome: 'ignored', reason: 'account_disabled' };
  const refs: PostRefs = { ...stored.refs!, quote: { ...quote, authorization: cmd.authorization } };
  const post = { ...stored.post, updatedAt: stored.post.updatedAt ?? receivedAt };
  const update = noteActivity('Update', noteObject(post, owner.account.username, g.uris, refs), `quote-authorized-${jobIdOf(cmd.requestId)}`, g.uris);
  await g.activities.save(update);
  await enqueueFanout(g, {
    activityId: update.id,
    signer: { accountId: stored.accountId },
    audience: 'post',
    postId,
    recordOnPost: postId,
    livePostId: postId,
    extraInboxes: refs.inboxes,
    toFollowers: post.visibility !== 'mentioned',
  });
  return { outcome: 'applied', kind: 'quote-answer' };
}
