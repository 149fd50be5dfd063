// The remote note store (remote-notes.ts), indexing per account the notes whose role lists
// name it, so erasing the account drops it from them without scanning every note.
import type { RedisClient } from './redis';
import type { RedisKeys } from '../../config/redis-keys';
import { indexForErasure, indexedMembers } from './erasure-index';
import { type RemoteNoteStore, remoteNoteStore } from './remote-notes';

// As long as remote-notes.ts keeps a note record (a year and a bit); each save refreshes it.
const INDEX_TTL_SECONDS = 400 * 24 * 3600;

// KEYS[1] note hash. ARGV: account id, '1' when the thread's root is the account's post. Drops
// the account from every role list; a list it emptied goes (the role was passed on to no one
// else). One step, so a concurrent save() is not undone.
const DROP_ACCOUNT = `
if ARGV[2] == '1' then redis.call('HDEL', KEYS[1], 'root') end
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(field, 1, 5) == 'role:' then
    local ids = cjson.decode(redis.call('HGET', KEYS[1], field))
    local kept, found = {}, false
    for _, id in ipairs(ids) do
      if id == ARGV[1] then found = true else kept[#kept + 1] = id end
    end
    if found and #kept == 0 then redis.call('HDEL', KEYS[1], field)
    elseif found then redis.call('HSET', KEYS[1], field, cjson.encode(kept)) end
  end
end
`;

/** The remote note store, indexing per account the notes it records the account in. */
export function accountIndexedRemoteNoteStore(redis: RedisClient, keys: RedisKeys) {
  const store = remoteNoteStore(redis, keys);
  return {
    ...store,
    async save(...args: Parameters<RemoteNoteStore['save']>): ReturnType<RemoteNoteStore['save']> {
      const [uri, r] = args;
      const named = new Set(Object.values(r.roles).flatMap((ids) => ids ?? []));
      // Indexed first: a crash in between leaves an index entry naming nothing, never the reverse.
      for (const accountId of named) await indexForErasure(redis, keys.accountRemoteNotes(accountId), uri, INDEX_TTL_SECONDS);
      return store.save(...args);
    },
    /** Drops an erased account from the role lists of every note recorded with it. */
    async dropAccount(accountId: string): Promise<void> {
      for await (const uris of indexedMembers(redis, keys.accountRemoteNotes(accountId))) {
        const roots = await Promise.all(uris.map((uri) => redis.hget(keys.remoteNote(uri), 'root')));
        // An erased account's post stays a tombstone that names the account; the thread it led is no longer its.
        const rootOwners = await Promise.all(roots.map((root) => (root ? redis.hget(keys.post(root), 'accountId') : null)));
        // One script per note, sent at once (notes lie in different slots: no pipeline on a cluster).
        await Promise.all(uris.map((uri, i) => redis.eval(DROP_ACCOUNT, 1, keys.remoteNote(uri), accountId, rootOwners[i] === accountId ? '1' : '0')));
      }
      await redis.unlink(keys.accountRemoteNotes(accountId));
    },
  };
}

export type AccountIndexedRemoteNoteStore = ReturnType<typeof accountIndexedRemoteNoteStore>;
