// Redis client factory. Two flavours: request-path clients fail fast (so intake can answer 503),
// worker clients wait out outages (BullMQ needs maxRetriesPerRequest: null). Either talks to one
// Redis (REDIS_URL) or to a Redis Cluster (REDIS_CLUSTER_NODES): every multi-key command, MULTI
// and script of the gateway stays within one hash slot (config/redis-keys.ts), so the code is
// the same for both.
import { Cluster, Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'request' | 'worker';

/** One Redis or a Redis Cluster: stores and queues take either. */
export type RedisClient = Redis | Cluster;

export interface ClusterNodeAddress {
  host: string;
  port: number;
}

/** Where Redis is: a URL, or the seed nodes of a cluster (the client discovers the rest). */
export type RedisTarget = { url: string } | { clusterNodes: readonly ClusterNodeAddress[] };

// Keep reconnecting forever, never faster than every 2 s.
const retryStrategy = (times: number) => Math.min(times * 200, 2000);

export function createRedis(target: RedisTarget, role: RedisRole, extra: RedisOptions = {}): RedisClient {
  const base: RedisOptions =
    role === 'request'
      ? { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, commandTimeout: 5000 }
      : { maxRetriesPerRequest: null, enableReadyCheck: true };
  const redis: RedisClient =
    'url' in target
      ? new Redis(target.url, { ...base, retryStrategy, lazyConnect: false, ...extra })
      : new Cluster(
          target.clusterNodes.map((n) => ({ host: n.host, port: n.port })),
          {
            // Per-node options; BullMQ reads maxRetriesPerRequest from here.
            redisOptions: { ...base, ...extra },
            clusterRetryStrategy: retryStrategy,
            enableOfflineQueue: base.enableOfflineQueue ?? true,
            enableReadyCheck: true,
            lazyConnect: false,
          },
        );
  // ioredis emits 'error' on every failed reconnect; the caller logs state changes instead.
  redis.on('error', () => undefined);
  return redis;
}

export const isCluster = (redis: RedisClient): redis is Cluster => (redis as Cluster).isCluster === true;

/**
 * UNLINKs keys that may lie in different hash slots (records of different entities): one command
 * per key, sent at once (a multi-key command on a cluster must stay in one slot). The same on a
 * single Redis, so the suite, which runs there, exercises what a cluster runs.
 */
export async function unlinkKeys(redis: RedisClient, keys: readonly string[]): Promise<void> {
  await Promise.all(keys.map((k) => redis.unlink(k)));
}

/** GETs of keys that may lie in different hash slots, sent at once (no MGET, as unlinkKeys). */
export function getKeys(redis: RedisClient, keys: readonly string[]): Promise<Array<string | null>> {
  return Promise.all(keys.map((k) => redis.get(k)));
}

/** Resolves once the client is ready, or rejects after `ms`. */
export function waitReady(redis: RedisClient, ms = 5000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${ms} ms (status ${redis.status})`));
    }, ms);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}
