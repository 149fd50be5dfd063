// Worker processes (`services/main.ts worker`) beside an in-process test gateway: same Redis,
// prefix and origin, so they take its queues' jobs. Killed with SIGKILL to simulate crashes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GatewayProcess, spawnGateway } from './spawn-gateway';
import { TEST_SECRETS } from './test-config';
import type { TestGateway } from './test-gateway';

/** The environment of a worker serving `gw`'s queues. */
export function workerEnv(gw: TestGateway, extra: Record<string, string> = {}): Record<string, string> {
  const c = gw.g.config;
  return {
    ...TEST_SECRETS,
    PLATFORM_CALLBACK_URL: c.callbackUrl,
    REDIS_URL: c.redisUrl!,
    REDIS_PREFIX: c.redisPrefix,
    PUBLIC_ORIGIN: c.publicOrigin,
    ALLOW_PRIVATE_ADDRESSES: String(c.allowPrivateAddresses),
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** A working directory without a .env, so the child reads only the environment it is given. */
export const emptyDir = () => mkdtempSync(join(tmpdir(), 'fedigate-worker-'));

/** Starts a worker process and resolves once its workers run. */
export async function startWorker(env: Record<string, string>, cwd: string): Promise<GatewayProcess> {
  const p = spawnGateway('worker', env, cwd);
  await p.waitForOutput('workers started', 60_000);
  return p;
}
