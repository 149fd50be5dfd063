// Process entry: `all` (HTTP + workers, the default), `gateway` (HTTP only) or `worker`.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { ConfigError, loadConfig } from '../config/env';
import { startWorkers } from '../workers/start-workers';
import { createGateway } from './gateway';
import { SERVER_OPTIONS, createApp } from './http/app';
import { createWorkerOpsApp } from './http/worker-ops-app';
import { ensureRedis } from './local-redis';
import { createLogger } from './logger';
import { waitReady } from './store/redis';

type Mode = 'all' | 'gateway' | 'worker';

/** Longest wait for active jobs on SIGTERM; deploy/ sets terminationGracePeriodSeconds above it. */
const SHUTDOWN_DEADLINE_MS = 30_000;

async function main(): Promise<void> {
  const mode = (process.argv[2] ?? 'all') as Mode;
  if (!['all', 'gateway', 'worker'].includes(mode)) throw new Error(`unknown mode ${mode}: use all, gateway or worker`);
  // A local .env (see .env.example) is read for convenience; real deployments set the environment.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const redis = await ensureRedis(config, logger);
  const g = createGateway({ ...config, redisUrl: redis.url }, logger);
  await Promise.all([waitReady(g.queueRedis, 15000), waitReady(g.redis, 15000)]);

  // Workers listen only when WORKER_OPS_PORT asks, for probes and their own metrics.
  const listener =
    mode !== 'worker' ? { app: createApp(g), port: config.port }
    : config.workerOpsPort !== undefined ? { app: createWorkerOpsApp(g), port: config.workerOpsPort }
    : undefined;
  const server = listener && createServer(SERVER_OPTIONS, listener.app);
  if (listener && server) {
    server.on('error', (err) => {
      logger.fatal({ err: err.message }, 'HTTP server failed');
      process.exit(1);
    });
    server.listen(listener.port, () => logger.info({ port: listener.port, origin: config.publicOrigin, mode }, 'fedigate listening'));
  }
  const workers = mode === 'gateway' ? undefined : startWorkers(g);
  if (workers) logger.info({ mode }, 'workers started');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing active jobs');
    // Jobs still running after the deadline are handed back by BullMQ's stalled-job check.
    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed; exiting with work handed back to the queue');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await workers?.close();
    await g.close();
    await redis.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  // A bad configuration names each variable; anything else is printed whole.
  process.stderr.write(`fedigate: ${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
