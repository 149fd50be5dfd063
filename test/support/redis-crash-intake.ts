// Platform events posted continuously while Redis is killed -9 and started again on its AOF:
// every event answered 202 must be applied; during the outage the answer is 503 problem+json.
// Shared by the CI test (test/integration/redis-crash.test.ts) and bench/durability-redis.ts.
import { addRemoteFollower } from './fixtures-setup';
import { accountData, at, postData, sendEvents } from './platform-events';
import { createRedisChild } from './redis-server';
import { startRemoteServer } from './remote-server';
import { eventually, startTestGateway } from './test-gateway';

export interface RedisCrashOptions {
  crashes: number;
  /** concurrent posters, each posting one post.created at a time */
  posters?: number;
  /** 202s to collect before each crash, and after the last restart */
  acceptedPerPhase?: number;
  /** 503s to see while Redis is down before starting it again */
  refusedPerOutage?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface RedisCrashResult {
  crashes: number;
  sent: number;
  accepted: number;
  /** answered 503 problem+json with Retry-After */
  unavailable: number;
  /** answered anything else (must be none) */
  other: Array<{ status: number; body: string }>;
  /** accepted events whose post the store holds as federated */
  applied: number;
  /** accepted events whose Create reached the remote follower */
  delivered: number;
  /** events answered 503 that were applied anyway (an add the crash interrupted, completed on reconnect) */
  unavailableButApplied: number;
}

export async function runRedisCrashIntake(o: RedisCrashOptions): Promise<RedisCrashResult> {
  const log = o.log ?? (() => undefined);
  const timeoutMs = o.timeoutMs ?? 120_000;
  const redis = await createRedisChild();
  await redis.start();
  const remote = await startRemoteServer();
  const gw = await startTestGateway({ workers: true, env: { REDIS_URL: redis.url } });
  const accepted: string[] = [];
  const unavailable: string[] = [];
  const other: RedisCrashResult['other'] = [];
  let sent = 0;
  let stop = false;
  let down = false;
  let refusedWhileDown = 0;
  const poster = async (n: number) => {
    for (let i = 0; !stop; i++) {
      const postId = `p-${n}-${i}`;
      sent++;
      const res = await sendEvents(gw.url, { id: `ev-${postId}`, type: 'post.created', occurredAt: at(1), data: { post: postData(postId, 'a-rc') } });
      const body = await res.text();
      if (res.status === 202) accepted.push(postId);
      else if (res.status === 503 && res.headers.get('content-type')?.startsWith('application/problem+json') && res.headers.get('retry-after')) {
        unavailable.push(postId);
        if (down) refusedWhileDown++;
      } else other.push({ status: res.status, body });
    }
  };
  try {
    await sendEvents(gw.url, { id: 'ev-enable', type: 'account.enabled', occurredAt: at(0), data: { account: accountData('a-rc', 'crashy') } });
    await eventually(async () => (await gw.g.accounts.get('a-rc'))?.state === 'enabled', 'the account enabled', timeoutMs);
    await addRemoteFollower(gw, 'a-rc', remote);
    const posting = Promise.all(Array.from({ length: o.posters ?? 4 }, (_, n) => poster(n)));
    const perPhase = o.acceptedPerPhase ?? 50;
    for (let crash = 1; crash <= o.crashes; crash++) {
      const before = accepted.length;
      await eventually(() => accepted.length >= before + perPhase, `${perPhase} events accepted before crash ${crash}`, timeoutMs);
      await redis.kill();
      down = true;
      refusedWhileDown = 0;
      const atCrash = accepted.length;
      // The answers come while Redis is still down: requests do not hang until it is back.
      await eventually(() => refusedWhileDown >= (o.refusedPerOutage ?? 8), `503s while Redis is down (crash ${crash})`, timeoutMs);
      await redis.start();
      down = false;
      log(`crash ${crash}: kill -9 after ${atCrash} accepted; ${refusedWhileDown} answered 503 while down; restarted on the AOF`);
    }
    const before = accepted.length;
    await eventually(() => accepted.length >= before + perPhase, `${perPhase} events accepted after the last restart`, timeoutMs);
    stop = true;
    await posting;

    // Checked in rounds; an event once seen applied and delivered is not looked at again.
    const appliedIds = async (ids: string[]) => {
      const posts = await Promise.all(ids.map((id) => gw.g.posts.get(id)));
      return ids.filter((_, i) => posts[i]?.federated);
    };
    const deliveredIds = () => new Set(remote.received.filter((r) => r.json.type === 'Create').map((r) => String((r.json.object as { id?: string } | undefined)?.id ?? '').split('/posts/')[1]));
    let unconfirmed = accepted;
    const deadline = Date.now() + timeoutMs;
    while (unconfirmed.length && Date.now() < deadline) {
      const applied = new Set(await appliedIds(unconfirmed));
      const delivered = deliveredIds();
      unconfirmed = unconfirmed.filter((id) => !applied.has(id) || !delivered.has(id));
      if (unconfirmed.length) await new Promise((r) => setTimeout(r, 500));
    }
    const applied = await appliedIds(accepted);
    const delivered = deliveredIds();
    return {
      crashes: o.crashes,
      sent,
      accepted: accepted.length,
      unavailable: unavailable.length,
      other,
      applied: applied.length,
      delivered: accepted.filter((id) => delivered.has(id)).length,
      unavailableButApplied: (await appliedIds(unavailable)).length,
    };
  } finally {
    stop = true;
    await gw.close();
    await remote.close();
    await redis.remove();
  }
}
