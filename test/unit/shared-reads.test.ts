import { coalescedWrites, coalescedWritesByKey, expiringReads, sharedReads } from '../../services/store/shared-reads';

test('concurrent reads of one key share one pending read; a later read reads again', async () => {
  let reads = 0;
  const read = sharedReads<string, number>();
  const slow = () => new Promise<number>((r) => setTimeout(() => r(++reads), 10));
  expect(await Promise.all([read('a', slow), read('a', slow), read('a', slow), read('b', slow)])).toEqual([1, 1, 1, 2]);
  expect(await read('a', slow)).toBe(3);
});

test('writes asked for in one turn go as one; each caller resolves when its write is done', async () => {
  const writes: number[][] = [];
  const add = coalescedWrites<number>(async (items) => void writes.push(items));
  await Promise.all([add(1), add(2), add(3)]);
  await add(4);
  expect(writes).toEqual([[1, 2, 3], [4]]);
  const failing = coalescedWrites<number>(async () => {
    throw new Error('store down');
  });
  await expect(failing(1)).rejects.toThrow('store down');
});

test('per key: one write per key and turn, whoever asks; the next turn writes again', async () => {
  const writes: Array<[string, number[]]> = [];
  const add = coalescedWritesByKey<string, number>(async (key, items) => void writes.push([key, items]));
  await Promise.all([add('post-1', 1), add('post-2', 2), add('post-1', 3)]);
  await add('post-1', 4);
  expect(writes).toEqual([['post-1', [1, 3]], ['post-2', [2]], ['post-1', [4]]]);
});

test('expiring reads: kept for their time, concurrent misses share a read, own changes apply at once', async () => {
  let reads = 0;
  const cache = expiringReads<string, number>(1000);
  const read = () => new Promise<number>((r) => setTimeout(() => r(++reads), 5));
  const t = Date.now();
  expect(await Promise.all([cache.get('a', read, t), cache.get('a', read, t)])).toEqual([1, 1]);
  expect(await cache.get('a', read, t + 999)).toBe(1);
  expect(await cache.get('a', read, t + 5000)).toBe(2); // expired: read again
  cache.set('a', 7);
  expect(await cache.get('a', read)).toBe(7);
  cache.delete('a');
  expect(await cache.get('a', read)).toBe(3);
});
