// Redis client factory. Two flavours: request-path clients fail fast (so intake can answer 503),
// worker clients wait out outages (BullMQ needs maxRetriesPerRequest: null).
import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'request' | 'worker';

export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const base: RedisOptions =
    role === 'request'
      ? { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, commandTimeout: 5000 }
      : { maxRetriesPerRequest: null, enableReadyCheck: true };
  const redis = new Redis(url, {
    ...base,
    // Keep reconnecting forever, never faster than every 2 s.
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
    ...extra,
  });
  // ioredis emits 'error' on every failed reconnect; the caller logs state changes instead.
  redis.on('error', () => undefined);
  return redis;
}

/** Resolves once the client is ready, or rejects after `ms`. */
export function waitReady(redis: Redis, ms = 5000): Promise<void> {
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
