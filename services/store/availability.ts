// Request paths must answer quickly when Redis is down: 503 + Retry-After, never a hang.
import type { RedisClient } from './redis';

export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

export const STORE_TIMEOUT_MS = 3000;

export function assertStoreReady(...clients: RedisClient[]): void {
  const down = clients.find((c) => c.status !== 'ready');
  if (down) throw new StoreUnavailableError(`store is ${down.status}`);
}

/** Rejects with StoreUnavailableError after `ms`; the operation itself may still complete. */
export function withStoreTimeout<T>(p: Promise<T>, ms = STORE_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoreUnavailableError(`store did not answer in ${ms} ms`)), ms);
    }),
  ]);
}
