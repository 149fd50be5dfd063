// FEP-044f quote consent, pure: the QuoteRequest a quoting post sends the quoted author, and the
// Accept or Reject that answers it (with the QuoteAuthorization the Note then carries).
import { type Json, type JsonObject, firstId, hasType, idOf, isObject, sameOrigin } from './as-read';
import { NOTE_CONTEXT } from './contexts';
import type { NoteObject } from './outbound';

export function quoteRequest(note: NoteObject, quotedUri: string, quotedAuthor: string, id: string) {
  const { '@context': context, ...instrument } = note;
  return { '@context': context ?? NOTE_CONTEXT, id, type: 'QuoteRequest', actor: note.attributedTo, to: [quotedAuthor], object: quotedUri, instrument };
}

export interface QuoteAnswer {
  kind: 'quote-answer';
  accepted: boolean;
  /** the id of our QuoteRequest */
  requestId: string;
  /** who answered (the verified signer) */
  actor: string;
  /** the QuoteAuthorization stamp, on an Accept */
  authorization?: string;
}

export type QuoteAnswerResult = { ok: true; command: QuoteAnswer } | { ok: false; reason: string; detail?: string };

/** Accept/Reject of a QuoteRequest, or undefined when the activity is something else. */
export function translateQuoteAnswer(activity: JsonObject, signer: string): QuoteAnswerResult | undefined {
  if (!hasType(activity, 'Accept', 'Reject')) return undefined;
  const object = activity.object as Json | undefined;
  // Servers embed the request; a bare id is ours to look up, so it is taken as one too.
  if (isObject(object) && !hasType(object, 'QuoteRequest')) return undefined;
  const requestId = idOf(object);
  if (!requestId) return undefined;
  if (!isObject(object) && !/\/quoterequest$/.test(requestId)) return undefined;
  const accepted = hasType(activity, 'Accept');
  const authorization = firstId(activity.result);
  if (accepted && !authorization) return { ok: false, reason: 'quote_accept_without_result' };
  // The quoted author vouches for quotes of its own posts only: a stamp on another server is none.
  if (authorization && !sameOrigin(authorization, signer)) return { ok: false, reason: 'quote_authorization_origin_mismatch', detail: authorization };
  return { ok: true, command: { kind: 'quote-answer', accepted, requestId, actor: signer, ...(accepted && authorization ? { authorization } : {}) } };
}
