// Where an event names accounts: what intake checks against deleted accounts, for every event
// type (those added later included) without a list to keep in step.
import { accountPointers, namesAccount } from '../../services/federation/apply-account-leave';

test('the accountId of the account acting, and the account of an account event, as JSON pointers', () => {
  expect(accountPointers({ account: { id: 'a1', username: 'x' } })).toEqual([{ pointer: '/data/account/id', accountId: 'a1' }]);
  // Mentioned, followed or reported accounts are other parties: a post may mention a deleted account.
  expect(accountPointers({ post: { id: 'p', accountId: 'a1', mentions: [{ handle: '@b@c.d' }, { accountId: 'a2' }] } })).toEqual([{ pointer: '/data/post/accountId', accountId: 'a1' }]);
  expect(accountPointers({ follow: { id: 'f', accountId: 'a1', target: { accountId: 'a3' } } }).map((p) => p.pointer)).toEqual(['/data/follow/accountId']);
  expect(accountPointers({ accountId: 'a1', follower: { accountId: 'a4' } })).toEqual([{ pointer: '/data/accountId', accountId: 'a1' }]);
  expect(accountPointers({ postId: 'p', accountId: 'a1' })).toEqual([{ pointer: '/data/accountId', accountId: 'a1' }]);
  expect(accountPointers({ 'a/b': { accountId: 'a1' } })[0]!.pointer).toBe('/data/a~1b/accountId');
});

test('namesAccount finds an account anywhere in an event\'s data', () => {
  expect(namesAccount({ post: { accountId: 'a1' } }, 'a1')).toBe(true);
  expect(namesAccount({ account: { id: 'a1' } }, 'a1')).toBe(true);
  expect(namesAccount({ like: { accountId: 'a2', of: { postId: 'a1' } } }, 'a1')).toBe(false);
});
