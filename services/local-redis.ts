// For newcomers: with REDIS_URL unset and nothing on the default port, `npm start` runs a local
// redis-server child (AOF on, data under .data/redis) instead of failing.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { type Config, localRedisUrl } from '../config/env';
import type { Logger } from './logger';

/** Whether a Redis answers PING at this URL (one try, no retries). */
export async function redisAnswers(url: string, connectTimeoutMs = 1000): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: connectTimeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

export interface RedisHandle {
  /** undefined for a cluster (REDIS_CLUSTER_NODES): the gateway connects to its nodes */
  url: string | undefined;
  stop(): Promise<void>;
}

export async function ensureRedis(config: Config, logger: Logger): Promise<RedisHandle> {
  const none = async () => undefined;
  if (config.redisUrl || config.redisClusterNodes) return { url: config.redisUrl, stop: none };
  const url = localRedisUrl(config.localRedisPort);
  if (await redisAnswers(url)) return { url, stop: none };

  const dir = resolve('.data/redis');
  mkdirSync(dir, { recursive: true });
  const args = ['--port', String(config.localRedisPort), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''];
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const spawned = await new Promise<boolean>((ok) => {
    child.once('spawn', () => ok(true));
    child.once('error', () => ok(false));
  });
  if (!spawned) {
    throw new Error(
      `No Redis answers at ${url} and redis-server is not installed.\n` +
        '  Install one (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis),\n' +
        '  or set REDIS_URL to a Redis you run elsewhere.',
    );
  }
  for (let i = 0; i < 50 && !(await redisAnswers(url)); i++) await new Promise((r) => setTimeout(r, 100));
  logger.warn({ dir, url }, 'REDIS_URL unset and no Redis answered: started a local redis-server (AOF on)');
  return {
    url,
    async stop() {
      const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
      admin.on('error', () => undefined);
      // SHUTDOWN flushes the AOF; the child exits on its own.
      await admin.connect().then(() => admin.call('shutdown')).catch(() => undefined);
      admin.disconnect();
    },
  };
}
