// The last step of every signature check: verify with the cached key, and when that fails refetch
// the key once (the actor may have rotated it since we cached it).
import type { KeyObject } from 'node:crypto';
import type { KeyLookup, VerifyResult } from './cavage-verify';

/** `check` answers the algorithm that verified, or null. */
export async function verifyWithKeyRefresh(keyId: string, lookupKey: KeyLookup, check: (key: KeyObject) => string | null): Promise<VerifyResult> {
  let key: KeyObject | null;
  try {
    key = await lookupKey(keyId, { refresh: false });
  } catch (e) {
    return { ok: false, reason: 'key_lookup_failed', detail: (e as Error)?.message ?? String(e) };
  }
  // null means the lookup already tried to fetch and the key does not exist: no second fetch.
  if (key === null) return { ok: false, reason: 'unknown_key', detail: keyId };
  const algorithm = check(key);
  if (algorithm) return { ok: true, keyId, algorithm };
  let fresh: KeyObject | null;
  try {
    fresh = await lookupKey(keyId, { refresh: true });
  } catch (e) {
    return { ok: false, reason: 'key_lookup_failed', detail: (e as Error)?.message ?? String(e) };
  }
  if (fresh === null) return { ok: false, reason: 'unknown_key', detail: `${keyId} (gone on refresh)` };
  const freshAlgorithm = fresh.equals(key) ? null : check(fresh);
  return freshAlgorithm ? { ok: true, keyId, algorithm: freshAlgorithm } : { ok: false, reason: 'bad_signature' };
}
