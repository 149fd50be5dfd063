// Which signature scheme each remote server (origin) accepts, learnt by double-knocking: only a
// server that refused one scheme with a 401 and took the other gets an entry. Entries expire, so
// a server that changes its mind is asked again (one extra request per TTL). Read on every
// delivery and signed fetch, so each process keeps what it read for a minute: another process's
// discovery reaches it within that minute (meanwhile it knocks twice, as before).
import type { RedisClient } from './redis';
import type { RedisKeys } from '../../config/redis-keys';
import { DEFAULT_SCHEME, type SignatureScheme, isSignatureScheme } from '../signatures/schemes';
import { LruMap } from '../signatures/lru';
import { sharedReads } from './shared-reads';

export const SIGNATURE_SCHEME_TTL_SECONDS = 30 * 24 * 3600;
const LOCAL_TTL_MS = 60_000;

// Keyed by the full Redis key (prefix included), so gateways sharing a process never mix.
const local = new LruMap<string, { scheme: SignatureScheme; until: number }>(10_000);

export function signatureSchemeStore(redis: RedisClient, keys: RedisKeys) {
  // A fan-out starts thousands of deliveries to a few servers at once: one read per server.
  const read = sharedReads<string, string | null>();
  return {
    /** The scheme to sign with first for this origin. */
    async firstFor(origin: string): Promise<SignatureScheme> {
      const key = keys.signatureScheme(origin);
      const hit = local.get(key);
      if (hit && hit.until > Date.now()) return hit.scheme;
      const v = await read(key, () => redis.get(key));
      const scheme = isSignatureScheme(v) ? v : DEFAULT_SCHEME;
      local.set(key, { scheme, until: Date.now() + LOCAL_TTL_MS });
      return scheme;
    },
    async remember(origin: string, scheme: SignatureScheme): Promise<void> {
      const key = keys.signatureScheme(origin);
      await redis.set(key, scheme, 'EX', SIGNATURE_SCHEME_TTL_SECONDS);
      local.set(key, { scheme, until: Date.now() + LOCAL_TTL_MS });
    },
  };
}

export type SignatureSchemeStore = ReturnType<typeof signatureSchemeStore>;
