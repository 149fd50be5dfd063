// Local accounts: profile, opt-in state, username index and key pair (keys never leave Redis
// except into the signing process; jobs name the account instead).
import type { RedisClient } from './redis';
import type { RedisKeys } from '../../config/redis-keys';
import type { Account } from '../platform/event-schemas';
import { generateRsaKeyPair } from '../signatures/keys';

// KEYS[1] account hash. ARGV: profileJson, versionMs, accountId, username, enable.
// The profile follows occurredAt order (an older update never overwrites a newer one, and a
// repeat of the same version is a replay); enabling is a state of its own, so an update that
// overtook its account.enabled does not stop the account from being enabled. State changes
// (enable, disable, delete) follow their own occurredAt (stateAt): an enable older than an
// opt-out does not undo it, and a deleted account never comes back. Returns the outcome and
// '1' when the stored profile is this version (written now or before): its username is then
// claimed (CLAIM_USERNAME, another slot), so a retry after a crash in between claims it again.
const SAVE = `
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'deleted' then return {'deleted', '0'} end
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '-1')
local stateAt = tonumber(redis.call('HGET', KEYS[1], 'stateAt') or '-1')
local at = tonumber(ARGV[2])
local refused = false
if ARGV[5] == '1' and state ~= 'enabled' then
  if at > stateAt then
    redis.call('HSET', KEYS[1], 'state', 'enabled', 'stateAt', ARGV[2])
    state = 'enabled'
  else
    refused = true
  end
end
if at > version then
  redis.call('HSET', KEYS[1], 'profile', ARGV[1], 'version', ARGV[2], 'username', ARGV[4])
elseif at < version and ARGV[5] ~= '1' then
  return {'stale', '0'}
end
local current = at >= version and '1' or '0'
if refused then return {'disabled', current} end
if not state then
  redis.call('HSET', KEYS[1], 'state', 'pending')
  return {'pending', current}
end
if state ~= 'enabled' then return {'pending', current} end
return {'saved', current}
`;

// KEYS[1] username index. ARGV: accountId, versionMs. The newest profile naming it holds the
// name, whichever account's event is applied last (a late replay of an older rename does not
// take a name back from the account that claimed it since).
const CLAIM_USERNAME = `
if tonumber(ARGV[2]) >= tonumber(redis.call('HGET', KEYS[1], 'at') or '-1') then
  redis.call('HSET', KEYS[1], 'id', ARGV[1], 'at', ARGV[2])
end
`;

// KEYS[1] account hash. ARGV: eventId, occurredAtMs, 'disabled'|'deleted', deleteActivityId.
// announce: the actor was published, its Delete must go out; quiet: it never was (or already
// left); stale: a disable older than the last state change; none: already deleted. The decision
// stays under pending:<eventId> until its work is done, so a retried job redoes the same work.
const LEAVE = `
local pending = redis.call('HGET', KEYS[1], 'pending:' .. ARGV[1])
if pending then return pending end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'deleted' then return 'none' end
local stateAt = tonumber(redis.call('HGET', KEYS[1], 'stateAt') or '-1')
local at = tonumber(ARGV[2])
if ARGV[3] == 'disabled' and at <= stateAt then return 'stale' end
local action = 'quiet'
if state == 'enabled' then
  action = 'announce'
  redis.call('HSET', KEYS[1], 'leaveActivity', ARGV[4])
end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'stateAt', tostring(math.max(at, stateAt)), 'pending:' .. ARGV[1], action)
return action
`;

// KEYS[1] keys hash. ARGV: publicKeyPem, privateKeyPem. Both halves are written together or not
// at all, so racing processes never keep one's public key with the other's private key.
const KEEP_FIRST_PAIR = `
if redis.call('HEXISTS', KEYS[1], 'privateKeyPem') == 0 then
  redis.call('HSET', KEYS[1], 'publicKeyPem', ARGV[1], 'privateKeyPem', ARGV[2])
end
return redis.call('HMGET', KEYS[1], 'publicKeyPem', 'privateKeyPem')
`;

/**
 * saved: the profile is current and the account enabled; pending: known but not enabled;
 * disabled: an enable older than the account's opt-out (refused); deleted: nothing is written.
 */
export type SaveOutcome = 'saved' | 'stale' | 'pending' | 'disabled' | 'deleted';

export type AccountState = 'enabled' | 'pending' | 'disabled' | 'deleted';

export interface StoredAccount {
  account: Account;
  state: AccountState;
}

export type LeaveAction = 'announce' | 'quiet' | 'stale' | 'none';

/** What a signer needs, readable even once the profile is erased (the Delete still goes out). */
export interface AccountSigner {
  username?: string;
  state?: AccountState;
  leaveActivity?: string;
}

export interface KeyPairPem {
  publicKeyPem: string;
  privateKeyPem: string;
}

export function accountStore(redis: RedisClient, keys: RedisKeys) {
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
      const [outcome, current] = (await redis.eval(SAVE, 1, keys.account(account.id),
        JSON.stringify(account), version.getTime(), account.id, account.username.toLowerCase(), enable ? '1' : '0')) as [SaveOutcome, '0' | '1'];
      if (current === '1') await redis.eval(CLAIM_USERNAME, 1, keys.username(account.username), account.id, version.getTime());
      if (enable && outcome === 'saved') await redis.sadd(keys.enabledAccounts(), account.id);
      return outcome;
    },
    /** Records an opt-out or deletion in occurredAt order; says what is left to do (see LEAVE). */
    async leave(accountId: string, eventId: string, occurredAt: Date, kind: 'disabled' | 'deleted', deleteActivityId: string): Promise<LeaveAction> {
      const action = (await redis.eval(LEAVE, 1, keys.account(accountId), eventId, occurredAt.getTime(), kind, deleteActivityId)) as LeaveAction;
      if (action === 'announce' || action === 'quiet') await redis.srem(keys.enabledAccounts(), accountId);
      return action;
    },
    /** The leave decided for this event is carried out. */
    settleLeave: (accountId: string, eventId: string) => redis.hdel(keys.account(accountId), `pending:${eventId}`).then(() => undefined),
    /** Erases the profile; keeps state, username and leaveActivity (a tombstone to answer 410). */
    async eraseProfile(accountId: string): Promise<void> {
      const profile = await redis.hget(keys.account(accountId), 'profile');
      // The username field is lower-cased; the actor URI (and key id) keep the profile's case.
      const m = redis.multi();
      if (profile) m.hset(keys.account(accountId), 'username', (JSON.parse(profile) as Account).username);
      await m.hdel(keys.account(accountId), 'profile', 'version').exec();
    },
    /** Keys outlive an erased account only as long as its Delete may still be retried. */
    expireKeys: (accountId: string, seconds: number) => redis.expire(keys.accountKeys(accountId), seconds).then(() => undefined),
    async stateOf(accountId: string): Promise<AccountState | undefined> {
      return ((await redis.hget(keys.account(accountId), 'state')) ?? undefined) as AccountState | undefined;
    },
    async signer(accountId: string): Promise<AccountSigner> {
      const [username, state, leaveActivity] = await redis.hmget(keys.account(accountId), 'username', 'state', 'leaveActivity');
      return { ...(username ? { username } : {}), ...(state ? { state: state as AccountState } : {}), ...(leaveActivity ? { leaveActivity } : {}) };
    },
    /** The account a username names, profile or not (a deleted account keeps its name: 410, not 404). */
    async stateByUsername(username: string): Promise<{ accountId: string; username: string; state: AccountState; stateAt?: number } | undefined> {
      const id = await redis.hget(keys.username(username), 'id');
      if (!id) return undefined;
      const [name, state, stateAt] = await redis.hmget(keys.account(id), 'username', 'state', 'stateAt');
      if (!name || name.toLowerCase() !== username.toLowerCase()) return undefined;
      return { accountId: id, username: name, state: (state ?? 'pending') as AccountState, ...(stateAt ? { stateAt: Number(stateAt) } : {}) };
    },
    async get(accountId: string): Promise<StoredAccount | undefined> {
      const [profile, state] = await redis.hmget(keys.account(accountId), 'profile', 'state');
      if (!profile) return undefined;
      return { account: JSON.parse(profile) as Account, state: (state ?? 'pending') as StoredAccount['state'] };
    },
    async idByUsername(username: string): Promise<string | undefined> {
      return (await redis.hget(keys.username(username), 'id')) ?? undefined;
    },
    async getByUsername(username: string): Promise<StoredAccount | undefined> {
      const id = await redis.hget(keys.username(username), 'id');
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
