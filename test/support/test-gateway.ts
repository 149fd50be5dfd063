// Starts a real gateway (HTTP on a loopback port, optional workers) against the real Redis,
// under a unique key prefix that is deleted afterwards.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { type Gateway, createGateway } from '../../services/gateway';
import { SERVER_OPTIONS, createApp } from '../../services/http/app';
import { type Logger, createLogger } from '../../services/logger';
import { isCluster, waitReady } from '../../services/store/redis';
import { type RunningWorkers, startWorkers } from '../../workers/start-workers';
import { watchSlots } from './slot-tripwire';
import { testConfig } from './test-config';

export interface TestGateway {
  g: Gateway;
  url: string;
  workers?: RunningWorkers;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  workers?: boolean;
  env?: Record<string, string>;
  tls?: { certPem: string; keyPem: string };
  /** host name in PUBLIC_ORIGIN (default 127.0.0.1) */
  host?: string;
  /** a test CA the gateway trusts for outbound https (remote servers started with tls) */
  extraCaPem?: string;
  /** watch for cross-slot commands (default on); benchmarks turn it off, production has none */
  slotTripwire?: boolean;
  /** instead of a logger at TEST_LOG_LEVEL (silent by default) */
  logger?: Logger;
}

export async function startTestGateway(o: TestGatewayOptions = {}): Promise<TestGateway> {
  const server: Server = o.tls ? createHttpsServer({ ...SERVER_OPTIONS, cert: o.tls.certPem, key: o.tls.keyPem }) : createHttpServer(SERVER_OPTIONS);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const url = `${o.tls ? 'https' : 'http'}://${o.host ?? '127.0.0.1'}:${port}`;
  const config = testConfig({ PUBLIC_ORIGIN: url, ...o.env });
  const g = createGateway(config, o.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), o.extraCaPem ? { extraCaPem: o.extraCaPem } : {});
  await waitReady(g.queueRedis);
  await waitReady(g.redis);
  // On the shared single Redis every multi-key operation must still be one a cluster accepts.
  const crossSlot: string[] = [];
  if (o.slotTripwire !== false) for (const client of [g.redis, g.queueRedis]) if (!isCluster(client)) watchSlots(client, crossSlot);
  server.on('request', createApp(g));
  const workers = o.workers ? startWorkers(g) : undefined;
  return {
    g,
    url,
    ...(workers ? { workers } : {}),
    async close() {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await workers?.close();
      await g.close();
      // A cluster (REDIS_CLUSTER_NODES) is the test's own and goes whole.
      if (config.redisUrl) await deletePrefix(config.redisUrl, config.redisPrefix);
      if (crossSlot.length) throw new Error(`operations across Redis Cluster hash slots (CROSSSLOT on a cluster):\n  ${[...new Set(crossSlot)].join('\n  ')}`);
    },
  };
}

export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

/** Polls until `fn` returns a truthy value (real queues take real time), or fails with `what`. */
export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
