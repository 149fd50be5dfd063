import { LruMap } from '../signatures/lru';

// Concurrent callers asking for one key share one pending read: a cold cache under a fan-out
// (thousands of deliveries starting at once) would otherwise send one Redis read per caller.
export function sharedReads<K, V>(): (key: K, read: () => Promise<V>) => Promise<V> {
  const pending = new Map<K, Promise<V>>();
  return (key, read) => {
    let p = pending.get(key);
    if (!p) {
      p = read().finally(() => pending.delete(key));
      pending.set(key, p);
    }
    return p;
  };
}

/**
 * Writes asked for within one turn of the event loop go as one: `add` resolves when the write
 * carrying its item is done (an answer is kept within a turn of being known).
 */
export function coalescedWrites<T>(write: (items: T[]) => Promise<void>): (item: T) => Promise<void> {
  let items: T[] = [];
  let flushed: Promise<void> | undefined;
  return (item) => {
    items.push(item);
    if (!flushed) {
      flushed = new Promise<void>((resolve, reject) =>
        setImmediate(() => {
          const batch = items;
          items = [];
          flushed = undefined;
          write(batch).then(resolve, reject);
        }),
      );
    }
    return flushed;
  };
}

/**
 * coalescedWrites per key: what is asked for one key within one turn goes as one write, whoever
 * asks (the jobs of one post's fan-out share a write per turn).
 */
export function coalescedWritesByKey<K, T>(write: (key: K, items: T[]) => Promise<void>): (key: K, item: T) => Promise<void> {
  const open = new Map<K, (item: T) => Promise<void>>();
  return (key, item) => {
    let add = open.get(key);
    if (!add) {
      add = coalescedWrites<T>((items) => {
        open.delete(key);
        return write(key, items);
      });
      open.set(key, add);
    }
    return add(item);
  };
}

/**
 * Reads kept in this process for ttlMs (at most `capacity` keys), concurrent misses sharing one
 * read: for values read on every delivery that may be a little stale (another process's change
 * arrives within ttlMs; this process's own changes set or delete at once).
 */
export function expiringReads<K, V>(ttlMs: number, capacity = 10_000) {
  const kept = new LruMap<K, { value: V; until: number }>(capacity);
  const shared = sharedReads<K, V>();
  const set = (key: K, value: V, now = Date.now()) => kept.set(key, { value, until: now + ttlMs });
  return {
    async get(key: K, read: () => Promise<V>, now = Date.now()): Promise<V> {
      const hit = kept.get(key);
      if (hit && hit.until > now) return hit.value;
      const value = await shared(key, read);
      set(key, value, now);
      return value;
    },
    set,
    delete: (key: K) => kept.delete(key),
  };
}
