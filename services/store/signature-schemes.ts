// Which signature scheme each remote server (origin) accepts, learnt by double-knocking: only a
// server that refused one scheme with a 401 and took the other gets an entry. Entries expire, so
// a server that changes its mind is asked again (one extra request per TTL). Read on every
// delivery and signed fetch, so each process keeps what it read for a minute: another process's
// discovery reaches it within that minute (meanwhile it knocks twice, as before).
import type { RedisClient } from './redis';
import type { RedisKeys } from '../../config/redis-keys';
import { DEFAULT_SCHEME, type SignatureScheme, isSignatureScheme } from '../signatures/schemes';
import { expiringReads } from './shared-reads';

export const SIGNATURE_SCHEME_TTL_SECONDS = 30 * 24 * 3600;
const LOCAL_TTL_MS = 60_000;

// Keyed by the full Redis key (prefix included), so gateways sharing a process never mix. A
// fan-out starts thousands of deliveries to a few servers at once: one read per server.
const local = expiringReads<string, SignatureScheme>(LOCAL_TTL_MS);

export function signatureSchemeStore(redis: RedisClient, keys: RedisKeys) {
  return {
    /** The scheme to sign with first for this origin. */
    async firstFor(origin: string): Promise<SignatureScheme> {
      const key = keys.signatureScheme(origin);
      return local.get(key, async () => {
        const v = await redis.get(key);
        return isSignatureScheme(v) ? v : DEFAULT_SCHEME;
      });
    },
    async remember(origin: string, scheme: SignatureScheme): Promise<void> {
      const key = keys.signatureScheme(origin);
      await redis.set(key, scheme, 'EX', SIGNATURE_SCHEME_TTL_SECONDS);
      local.set(key, scheme);
    },
  };
}

export type SignatureSchemeStore = ReturnType<typeof signatureSchemeStore>;
