// What the benches set up on a gateway: signed platform events, an enabled account, followers.
import { Redis } from 'ioredis';
import { redisKeys } from '../../config/redis-keys';
import { signPayload } from '../../services/platform/hmac';
import { followerStore } from '../../services/store/followers';
import { accountData, sendEvents } from '../../test/support/platform-events';
import { TEST_SECRETS } from '../../test/support/test-config';
import type { PreparedRequest } from './load';
import { REDIS_URL, until } from './processes';

/** A post.created event as the platform sends it (~300 bytes). */
export function postCreated(eventId: string, postId: string, accountId: string) {
  const now = new Date().toISOString();
  return {
    id: eventId,
    type: 'post.created',
    occurredAt: now,
    data: { post: { id: postId, accountId, createdAt: now, text: `benchmark post ${postId}: a few words of text #bench https://example.com/x`, visibility: 'public' } },
  };
}

/** A signed POST /platform/events of one event or a batch; the signature is good for 5 minutes. */
export function eventsRequest(body: unknown): PreparedRequest {
  const raw = JSON.stringify(body);
  return { path: '/platform/events', headers: { 'content-type': 'application/json', 'x-signature': signPayload(TEST_SECRETS.PLATFORM_WEBHOOK_SECRET, raw) }, body: raw };
}

/** Enables the account and waits (workers must run) until its actor is served. */
export async function enableAccount(url: string, accountId: string, username: string): Promise<void> {
  const res = await sendEvents(url, { id: `enable-${accountId}-${Date.now()}`, type: 'account.enabled', occurredAt: new Date().toISOString(), data: { account: accountData(accountId, username) } });
  if (res.status !== 202) throw new Error(`account.enabled answered ${res.status}`);
  await until(async () => (await fetch(`${url}/users/${username}`, { headers: { accept: 'application/activity+json' } })).status === 200, `actor ${username} served`);
}

/** Publishes a post and waits until it is served. */
export async function publishPost(url: string, postId: string, accountId: string): Promise<string> {
  const res = await sendEvents(url, postCreated(`create-${postId}-${Date.now()}`, postId, accountId));
  if (res.status !== 202) throw new Error(`post.created answered ${res.status}`);
  const uri = `${url}/posts/${postId}`;
  await until(async () => (await fetch(uri, { headers: { accept: 'application/activity+json' } })).status === 200, `post ${postId} served`);
  return uri;
}

/** Stores followers (actor `<inbox minus /inbox>`) through the follower store, as accepted Follows leave them. */
export async function addFollowers(prefix: string, accountId: string, inboxes: string[]): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const store = followerStore(redis, redisKeys(prefix));
  const since = new Date().toISOString();
  for (let i = 0; i < inboxes.length; i += 500) {
    await Promise.all(
      inboxes.slice(i, i + 500).map((inbox, j) => {
        const actor = inbox.replace(/\/inbox$/, '');
        return store.add(accountId, { actor, inbox, followId: `${actor}#follows/${i + j}`, since });
      }),
    );
  }
  redis.disconnect();
}
