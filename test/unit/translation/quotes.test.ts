// FEP-044f quote consent: the QuoteRequest we send and the answers we read (real fixtures).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../../../services/activitypub/as-read';
import { noteObject } from '../../../services/activitypub/outbound';
import { quoteRequest, translateQuoteAnswer } from '../../../services/activitypub/quotes';
import { uris } from '../../../services/activitypub/uris';
import { expectGolden } from './golden';

const u = uris('https://gw.example');
const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '../../../../shared/fixtures/activities', name), 'utf8')) as JsonObject;
const alice = 'https://example.com/users/alice';

test('QuoteRequest: to the quoted author, object the quoted post, instrument our Note', () => {
  const quoted = 'https://remote.example/notes/7';
  const note = noteObject({ id: 'p1', accountId: 'a1', createdAt: '2026-11-01T10:00:00Z', text: 'so true', visibility: 'public', quoteOf: { uri: quoted } }, 'alice', u, {
    mentions: [],
    quote: { uri: quoted, author: 'https://remote.example/users/bob' },
    conversation: 'tag:gw.example,2026-11-01:objectId=p1:objectType=Conversation',
    inboxes: [],
  });
  expectGolden('posts/quote-request', quoteRequest(note, quoted, 'https://remote.example/users/bob', u.activity('ev1', 'QuoteRequest')));
});

test('an Accept of a QuoteRequest yields its QuoteAuthorization; a Reject declines', () => {
  expect(translateQuoteAnswer(fixture('fepexample_044f_accept_quoterequest.json'), alice)).toEqual({
    ok: true,
    command: { kind: 'quote-answer', accepted: true, requestId: 'https://example.com/users/bob/statuses/1/quote', actor: alice, authorization: 'https://example.com/users/alice/stamps/1' },
  });
  expect(translateQuoteAnswer(fixture('fepexample_044f_reject_quoterequest.json'), alice)).toEqual({
    ok: true,
    command: { kind: 'quote-answer', accepted: false, requestId: 'https://example.com/users/bob/statuses/1/quote', actor: alice },
  });
});

test('a stamp on another server, or an Accept without one, is refused; other Accepts are not ours', () => {
  const accept = fixture('fepexample_044f_accept_quoterequest.json');
  expect(translateQuoteAnswer({ ...accept, result: 'https://evil.example/stamps/1' }, alice)).toMatchObject({ ok: false, reason: 'quote_authorization_origin_mismatch' });
  expect(translateQuoteAnswer({ ...accept, result: null }, alice)).toMatchObject({ ok: false, reason: 'quote_accept_without_result' });
  expect(translateQuoteAnswer({ ...accept, object: { type: 'Follow', id: 'https://gw.example/follows/1' } }, alice)).toBeUndefined();
  expect(translateQuoteAnswer({ ...accept, object: 'https://gw.example/activities/e1/follow' }, alice)).toBeUndefined();
  // Our own request named by id alone is recognised.
  expect(translateQuoteAnswer({ ...accept, object: 'https://gw.example/activities/e1/quoterequest' }, alice)).toMatchObject({ ok: true, command: { requestId: 'https://gw.example/activities/e1/quoterequest' } });
});
