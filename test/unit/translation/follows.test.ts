// Follows of remote actors: the Follow and Undo(Follow) sent, the Accept/Reject forms understood,
// and which ActorRefs are local (refused at intake), all pure.
import type { JsonObject } from '../../../services/activitypub/as-read';
import { translateInbound } from '../../../services/activitypub/inbound';
import { followActivity, undoFollowActivity } from '../../../services/activitypub/outbound-follow';
import { uris } from '../../../services/activitypub/uris';
import { isLocalActorRef } from '../../../services/platform/follow-intake';
import { expectGolden } from './golden';

const u = uris('https://gw.example');
const bob = 'https://mastodon.example/users/bob';
const ours = 'https://gw.example/activities/ev-1/follow';
const alice = 'https://gw.example/users/alice';

test('Follow and Undo(Follow) as Mastodon shapes them; the Undo embeds the whole Follow', () => {
  const follow = followActivity(ours, alice, bob);
  expectGolden('follow', follow);
  expectGolden('undo-follow', undoFollowActivity('https://gw.example/activities/ev-2/undo', follow));
});

describe('Accept and Reject of our Follow', () => {
  const embedded = { type: 'Follow', id: ours, actor: alice, object: bob };
  test.each([
    // Mastodon: `${actor}#accepts/follows/N`, the Follow embedded with our id
    ['Mastodon, embedded with our id', { id: `${bob}#accepts/follows/7`, type: 'Accept', actor: bob, object: embedded }, { answer: 'accept', followId: ours, username: 'alice' }],
    // Lemmy/Pleroma relays: embedded, with an id that is not ours to rely on
    ['embedded without an id', { id: `${bob}#accepts/follows/8`, type: 'Accept', actor: bob, object: { type: 'Follow', actor: alice, object: bob } }, { answer: 'accept', username: 'alice' }],
    // GoToSocial and others: the Follow named by id only
    ['referenced by id only', { id: 'https://mastodon.example/a/9', type: 'Accept', actor: bob, object: ours }, { answer: 'accept', followId: ours }],
    ['Mastodon Reject', { id: `${bob}#rejects/follows/7`, type: 'Reject', actor: bob, object: embedded }, { answer: 'reject', followId: ours, username: 'alice' }],
  ])('%s', (_name, activity, expected) => {
    expect(translateInbound(activity as JsonObject, bob, u)).toEqual({ ok: true, command: { kind: 'follow-answer', actor: bob, ...expected } });
  });

  test.each([
    ['actor_mismatch', { id: `${bob}#accepts/1`, type: 'Accept', actor: bob, object: { ...embedded, object: 'https://mastodon.example/users/eve' } }],
    // An Accept of a QuoteRequest is the quote answer's (quotes.ts), and needs its authorization.
    ['quote_accept_without_result', { id: `${bob}#accepts/2`, type: 'Accept', actor: bob, object: { id: 'https://gw.example/q/1', type: 'QuoteRequest', actor: alice, object: `${bob}/statuses/1` } }],
    ['not_local_target', { id: `${bob}#accepts/3`, type: 'Accept', actor: bob, object: { type: 'Follow', actor: 'https://elsewhere.example/users/x', object: bob } }],
    ['missing_object', { id: `${bob}#accepts/4`, type: 'Reject', actor: bob }],
  ])('refused: %s', (reason, activity) => {
    expect(translateInbound(activity as JsonObject, bob, u)).toMatchObject({ ok: false, reason });
  });
});

test('local ActorRefs: an account id, a handle on our domain, a URI on our origin', () => {
  const local = { handleDomain: 'gw.example', origin: 'https://gw.example' };
  expect(isLocalActorRef({ accountId: 'acc-1' }, local)).toBe(true);
  expect(isLocalActorRef({ handle: '@alice@GW.example' }, local)).toBe(true);
  expect(isLocalActorRef({ uri: alice }, local)).toBe(true);
  expect(isLocalActorRef({ handle: '@bob@mastodon.example' }, local)).toBe(false);
  expect(isLocalActorRef({ uri: bob }, local)).toBe(false);
  // A look-alike host is not ours.
  expect(isLocalActorRef({ uri: 'https://gw.example.evil/users/alice' }, local)).toBe(false);
});
