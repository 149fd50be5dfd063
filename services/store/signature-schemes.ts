// Which signature scheme each remote server (origin) accepts, learnt by double-knocking: only a
// server that refused one scheme with a 401 and took the other gets an entry. Entries expire, so
// a server that changes its mind is asked again (one extra request per TTL).
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../config/redis-keys';
import { DEFAULT_SCHEME, type SignatureScheme, isSignatureScheme } from '../signatures/schemes';

export const SIGNATURE_SCHEME_TTL_SECONDS = 30 * 24 * 3600;

export function signatureSchemeStore(redis: Redis, keys: RedisKeys) {
  return {
    /** The scheme to sign with first for this origin. */
    async firstFor(origin: string): Promise<SignatureScheme> {
      const v = await redis.get(keys.signatureScheme(origin));
      return isSignatureScheme(v) ? v : DEFAULT_SCHEME;
    },
    async remember(origin: string, scheme: SignatureScheme): Promise<void> {
      await redis.set(keys.signatureScheme(origin), scheme, 'EX', SIGNATURE_SCHEME_TTL_SECONDS);
    },
  };
}

export type SignatureSchemeStore = ReturnType<typeof signatureSchemeStore>;
