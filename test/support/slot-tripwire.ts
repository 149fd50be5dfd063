// Watches a single-Redis client for what a Redis Cluster refuses: a command, MULTI or pipeline
// whose keys lie in more than one hash slot (CROSSSLOT). Every test gateway on the shared Redis
// carries it (test-gateway.ts), so the whole suite guards the cluster mode, not only the
// cluster test. It records, it does not interfere: the gateway's close() fails on a record.
import type { Redis } from 'ioredis';
import { keySlot } from './key-slot';

interface SentCommand {
  name: string;
  getKeys(): Array<string | Buffer>;
}

export function watchSlots(redis: Redis, violations: string[]): void {
  // A pipeline (MULTI included) hands each of its commands to sendCommand with its own stream
  // object, one after another: a group is the commands sharing that object.
  const groups = new WeakMap<object, { slot: number; first: string }>();
  const original = redis.sendCommand.bind(redis) as (...args: unknown[]) => unknown;
  const describe = (c: SentCommand, keys: Array<string | Buffer>) => `${c.name.toUpperCase()} ${keys.map(String).join(' ')}`;
  (redis as unknown as { sendCommand: (...args: unknown[]) => unknown }).sendCommand = (command: unknown, stream?: unknown, ...rest: unknown[]) => {
    const c = command as SentCommand;
    const keys = c.getKeys();
    if (keys.length) {
      const slot = keySlot(keys[0]!);
      if (keys.some((k) => keySlot(k) !== slot)) violations.push(describe(c, keys));
      if (stream && typeof stream === 'object') {
        const group = groups.get(stream);
        if (!group) groups.set(stream, { slot, first: describe(c, keys) });
        else if (group.slot !== slot) violations.push(`${group.first} ... ${describe(c, keys)} (one pipeline)`);
      }
    }
    return original(command, stream, ...rest);
  };
}
