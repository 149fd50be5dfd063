// A bounded map that evicts about the least recently used entry (oldest first in Map's insertion
// order). A hit moves its entry to the end only once it has aged past half the capacity: moving
// costs a delete and an insert, and the hottest keys (a fan-out's signing key, its servers) are
// read on every delivery. So a key survives at least capacity/2 writes after it is read, not
// always capacity-1 as in a strict LRU.

interface Entry<V> {
  value: V;
  /** the clock when it was last written or moved */
  at: number;
}

export class LruMap<K, V> {
  private readonly map = new Map<K, Entry<V>>();
  private clock = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('capacity must be >= 1');
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    if (this.clock - entry.at >= this.capacity / 2) {
      this.map.delete(key);
      entry.at = ++this.clock;
      this.map.set(key, entry);
    }
    return entry.value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, { value, at: ++this.clock });
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}
