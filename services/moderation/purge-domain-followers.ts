// A new domain block drops the domain's followers and follow requests from every local account,
// telling the platform of each (`fediverse.follower.removed` with `reason: 'domain_blocked'`).
// Runs as a job: accounts and their followers are scanned page by page (memory stays flat).
import { callbackEnvelope } from '../activitypub/callbacks';
import { enqueueCallback } from '../federation/enqueue';
import { remoteActorOrBare } from '../federation/remote-actors';
import type { Gateway } from '../gateway';
import type { FollowerRecord } from '../store/followers';
import { hashValuePages } from '../store/hash-page';
import { coveringBlock, hostOf } from './domains';

export async function purgeDomainFollowers(g: Gateway, domain: string): Promise<{ removed: number }> {
  const block = new Set([domain]);
  const covered = (r: FollowerRecord) => [r.actor, r.inbox].some((url) => {
    const host = hostOf(url);
    return host !== undefined && coveringBlock(host, block) !== undefined;
  });
  let removed = 0;
  let cursor = '0';
  do {
    const [next, accountIds] = await g.redis.sscan(g.keys.enabledAccounts(), cursor, 'COUNT', 500);
    cursor = next;
    for (const accountId of accountIds) {
      for (const hash of [g.keys.followers(accountId), g.keys.followRequests(accountId)]) {
        for await (const page of hashValuePages<FollowerRecord>(g.redis, hash)) {
          for (const record of page.filter(covered)) {
            // Callback first, removal second: a retried job finds the follower again and the
            // callback's stable id keeps the platform from hearing of it twice.
            const follower = await remoteActorOrBare(g, record.actor);
            await enqueueCallback(g, callbackEnvelope('fediverse.follower.removed', `${record.followId}#domain-block`, { accountId, follower, reason: 'domain_blocked' }));
            await g.followers.remove(accountId, record.actor);
            removed += 1;
          }
        }
      }
    }
  } while (cursor !== '0');
  g.logger.info({ domain, removed }, 'domain block: followers dropped');
  return { removed };
}
