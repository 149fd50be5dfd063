// Local accounts: profile, opt-in state, username index and key pair (keys never leave Redis
// except into the signing process; jobs name the account instead).
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../config/redis-keys';
import type { Account } from '../platform/event-schemas';
import { generateRsaKeyPair } from '../signatures/keys';

// KEYS[1] account hash, KEYS[2] username index. ARGV: profileJson, versionMs, accountId, username, enable.
// The profile follows occurredAt order (an older update never overwrites a newer one, and a
// repeat of the same version is a replay); enabling is a state of its own, so an update that
// overtook its account.enabled does not stop the account from being enabled.
const SAVE = `
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '-1')
local state = redis.call('HGET', KEYS[1], 'state')
local at = tonumber(ARGV[2])
if ARGV[5] == '1' and state ~= 'enabled' then
  redis.call('HSET', KEYS[1], 'state', 'enabled')
  state = 'enabled'
end
if at > version then
  redis.call('HSET', KEYS[1], 'profile', ARGV[1], 'version', ARGV[2], 'username', ARGV[4])
  redis.call('SET', KEYS[2], ARGV[3])
elseif at < version and ARGV[5] ~= '1' then
  return 'stale'
end
if not state then
  redis.call('HSET', KEYS[1], 'state', 'pending')
  return 'pending'
end
if state ~= 'enabled' then return 'pending' end
return 'saved'
`;

// KEYS[1] keys hash. ARGV: publicKeyPem, privateKeyPem. Both halves are written together or not
// at all, so racing processes never keep one's public key with the other's private key.
const KEEP_FIRST_PAIR = `
if redis.call('HEXISTS', KEYS[1], 'privateKeyPem') == 0 then
  redis.call('HSET', KEYS[1], 'publicKeyPem', ARGV[1], 'privateKeyPem', ARGV[2])
end
return redis.call('HMGET', KEYS[1], 'publicKeyPem', 'privateKeyPem')
`;

/** saved: the profile is current and the account enabled; pending: known but not enabled. */
export type SaveOutcome = 'saved' | 'stale' | 'pending';

export interface StoredAccount {
  account: Account;
  state: 'enabled' | 'pending' | 'disabled';
}

export interface KeyPairPem {
  publicKeyPem: string;
  privateKeyPem: string;
}

export function accountStore(redis: Redis, keys: RedisKeys) {
  async function ensureKeyPair(hashKey: string): Promise<KeyPairPem> {
    const existing = await redis.hmget(hashKey, 'publicKeyPem', 'privateKeyPem');
    if (existing[0] && existing[1]) return { publicKeyPem: existing[0], privateKeyPem: existing[1] };
    const pair = await generateRsaKeyPair();
    const [pub, priv] = (await redis.eval(KEEP_FIRST_PAIR, 1, hashKey, pair.publicKeyPem, pair.privateKeyPem)) as [string, string];
    return { publicKeyPem: pub, privateKeyPem: priv };
  }

  return {
    /** Saves a profile if not older than the stored one; `enable` opts the account in. */
    async save(account: Account, version: Date, enable: boolean): Promise<SaveOutcome> {
      const outcome = (await redis.eval(SAVE, 2, keys.account(account.id), keys.username(account.username),
        JSON.stringify(account), version.getTime(), account.id, account.username.toLowerCase(), enable ? '1' : '0')) as SaveOutcome;
      if (enable) await redis.sadd(keys.enabledAccounts(), account.id);
      return outcome;
    },
    async get(accountId: string): Promise<StoredAccount | undefined> {
      const [profile, state] = await redis.hmget(keys.account(accountId), 'profile', 'state');
      if (!profile) return undefined;
      return { account: JSON.parse(profile) as Account, state: (state ?? 'pending') as StoredAccount['state'] };
    },
    async idByUsername(username: string): Promise<string | undefined> {
      return (await redis.get(keys.username(username))) ?? undefined;
    },
    async getByUsername(username: string): Promise<StoredAccount | undefined> {
      const id = await redis.get(keys.username(username));
      if (!id) return undefined;
      const stored = await this.get(id);
      // A renamed account's old name no longer points at it.
      return stored && stored.account.username.toLowerCase() === username.toLowerCase() ? stored : undefined;
    },
    ensureKeys: (accountId: string) => ensureKeyPair(keys.accountKeys(accountId)),
    async keys(accountId: string): Promise<KeyPairPem | undefined> {
      const [pub, priv] = await redis.hmget(keys.accountKeys(accountId), 'publicKeyPem', 'privateKeyPem');
      return pub && priv ? { publicKeyPem: pub, privateKeyPem: priv } : undefined;
    },
    instanceKeys: () => ensureKeyPair(keys.instanceKeys()),
    countEnabled: () => redis.scard(keys.enabledAccounts()),
  };
}

export type AccountStore = ReturnType<typeof accountStore>;
