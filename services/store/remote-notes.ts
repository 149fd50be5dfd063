// Remote notes passed to the platform: as what (roles, with the local accounts told), by whom,
// in which local thread, at which version, and whether deleted. A Delete naming only an id is
// mapped through this; an Update or Delete processed before its Create does not resurrect it.
import type { RedisClient } from './redis';
import type { RedisKeys } from '../../config/redis-keys';
import { NOTE_ROLES, type NoteRole, type NoteRoles } from '../activitypub/note-callbacks';

export interface RemoteNoteRecord {
  author?: string;
  /** the local post at the top of the thread the note is in */
  root?: string;
  roles: NoteRoles;
  /** ms of the note's `updated` (or `published`) last passed on */
  version: number;
  /** the actor whose Delete removed it */
  deletedBy?: string;
  /**
   * The Create/Update last applied, and the roles the note had before it: a retry of that
   * activity decides created/updated again from those (only names: the ids are in `roles`).
   */
  lastActivityId?: string;
  priorRoles?: NoteRole[];
}

export interface RemoteNoteSave {
  author: string;
  root?: string;
  roles: NoteRoles;
  version: number;
  activityId: string;
  priorRoles: NoteRole[];
}

// About a year: replies deep in old threads and late Deletes still map.
const REMOTE_NOTE_TTL_SECONDS = 400 * 24 * 3600;
// Servers send Deletes of all their notes to every server they know: a Delete of a note never
// passed on only needs to outlive the inbox retries of a Create racing it, not a year.
const UNKNOWN_DELETED_TTL_SECONDS = 24 * 3600;

// KEYS[1] note hash. ARGV: author, version, root ('' for none), ttl, activityId, priorRoles (JSON names),
// then role, accountIdsJson pairs. Refuses a note its author deleted and a version older than the
// one passed on.
const SAVE = `
if redis.call('HGET', KEYS[1], 'deletedBy') == ARGV[1] then return 'deleted' end
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '-1')
if tonumber(ARGV[2]) < version then return 'stale' end
redis.call('HSET', KEYS[1], 'author', ARGV[1], 'version', ARGV[2], 'lastActivityId', ARGV[5], 'priorRoles', ARGV[6])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'root', ARGV[3]) end
for i = 7, #ARGV, 2 do redis.call('HSET', KEYS[1], 'role:' .. ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 'ok'
`;

export function remoteNoteStore(redis: RedisClient, keys: RedisKeys) {
  return {
    async get(uri: string): Promise<RemoteNoteRecord | undefined> {
      const h = await redis.hgetall(keys.remoteNote(uri));
      if (!Object.keys(h).length) return undefined;
      const roles: NoteRoles = {};
      for (const role of NOTE_ROLES) {
        const ids = h[`role:${role}`];
        if (ids) roles[role] = JSON.parse(ids) as string[];
      }
      return {
        ...(h.author ? { author: h.author } : {}),
        ...(h.root ? { root: h.root } : {}),
        roles,
        version: Number(h.version ?? -1),
        ...(h.deletedBy ? { deletedBy: h.deletedBy } : {}),
        ...(h.lastActivityId ? { lastActivityId: h.lastActivityId, priorRoles: JSON.parse(h.priorRoles ?? '[]') as NoteRole[] } : {}),
      };
    },
    /**
     * Records what the note was passed on as, by which activity, from which prior roles; 'stale'
     * and 'deleted' say it must not be.
     */
    async save(uri: string, r: RemoteNoteSave): Promise<'ok' | 'stale' | 'deleted'> {
      const pairs = Object.entries(r.roles).flatMap(([role, ids]) => [role, JSON.stringify(ids)]);
      return (await redis.eval(SAVE, 1, keys.remoteNote(uri), r.author, r.version, r.root ?? '', REMOTE_NOTE_TTL_SECONDS, r.activityId, JSON.stringify(r.priorRoles), ...pairs)) as 'ok' | 'stale' | 'deleted';
    },
    /**
     * Marks the note deleted by this actor; a Create or Update of it by the same author is refused
     * after. `known`: it was passed on (kept a year, like the record), or not (kept a day).
     */
    async markDeleted(uri: string, actor: string, known: boolean): Promise<void> {
      const ttl = known ? REMOTE_NOTE_TTL_SECONDS : UNKNOWN_DELETED_TTL_SECONDS;
      await redis.multi().hset(keys.remoteNote(uri), 'deletedBy', actor).expire(keys.remoteNote(uri), ttl).exec();
    },
  };
}

export type RemoteNoteStore = ReturnType<typeof remoteNoteStore>;
