// A throwaway Redis Cluster of real redis-server processes on loopback: masters only, no
// persistence, in a temporary directory removed by stop(). Slots are assigned and the nodes
// introduced through the cluster commands themselves (no redis-cli needed).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface TestCluster {
  ports: number[];
  /** the REDIS_CLUSTER_NODES value for these nodes */
  nodesEnv: string;
  /** one plain client per node (for DBSIZE, CLUSTER KEYSLOT…) */
  clients: Redis[];
  stop(): Promise<void>;
}

const SLOTS = 16384;
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function portFree(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const probe = createServer();
    probe.once('error', () => ok(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => ok(true)));
  });
}

/** `count` ports whose cluster bus ports (+10000) are free too, starting from one derived from the pid. */
async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let p = 21000 + ((process.pid * 7) % 9000); ports.length < count; p++) {
    if (p >= 30000) p = 21000;
    if ((await portFree(p)) && (await portFree(p + 10000))) ports.push(p);
  }
  return ports;
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`redis cluster: timed out waiting for ${what}`);
    await sleep(100);
  }
}

export async function startRedisCluster(size = 3): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'fg-cluster-'));
  const ports = await freePorts(size);
  const children: ChildProcess[] = [];
  const clients: Redis[] = [];
  const stop = async () => {
    for (const c of clients) c.disconnect();
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const force = setTimeout(() => child.kill('SIGKILL'), 3000);
            child.once('exit', () => {
              clearTimeout(force);
              done();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
    process.off('exit', lastResort);
    for (const signal of SIGNALS) process.off(signal, onSignal);
  };
  // Should the process end without stop() (a hook timed out, a bench interrupted), no server
  // outlives it; a signal is then raised again, to end the process as it would have.
  const lastResort = () => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    lastResort();
    for (const s of SIGNALS) process.off(s, onSignal);
    process.kill(process.pid, signal);
  };
  process.once('exit', lastResort);
  for (const signal of SIGNALS) process.once(signal, onSignal);
  try {
    for (const port of ports) {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout', '5000', '--dir', dir, '--save', '', '--appendonly', 'no', '--logfile', join(dir, `redis-${port}.log`)];
      const child = spawn('redis-server', args, { stdio: 'ignore' });
      children.push(child);
      await new Promise<void>((ok, fail) => {
        child.once('spawn', () => ok());
        child.once('error', (err) => fail(new Error(`redis-server could not be started (${err.message}): install it (apt-get install redis-server)`)));
      });
    }
    for (const port of ports) {
      const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => 100, maxRetriesPerRequest: 0 });
      client.on('error', () => undefined);
      clients.push(client);
      await until(`node ${port} to answer`, async () => {
        if (client.status !== 'ready') await client.connect().catch(() => undefined);
        return (await client.ping()) === 'PONG';
      });
    }
    // Each master gets an even share of the slots and its own config epoch (as redis-cli does),
    // then the first node introduces the others.
    const share = Math.ceil(SLOTS / size);
    for (const [i, client] of clients.entries()) {
      const first = i * share;
      const last = Math.min(SLOTS, first + share) - 1;
      await client.call('CLUSTER', 'ADDSLOTS', ...Array.from({ length: last - first + 1 }, (_, s) => String(first + s)));
      await client.call('CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1));
    }
    for (const port of ports.slice(1)) await clients[0]!.call('CLUSTER', 'MEET', '127.0.0.1', String(port));
    // Ready once every node sees all the nodes and all the slots, and says ok.
    for (const client of clients) {
      await until('the cluster to agree', async () => {
        const info = String(await client.call('CLUSTER', 'INFO'));
        const field = (name: string) => new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1];
        return field('cluster_state') === 'ok' && field('cluster_slots_assigned') === String(SLOTS) && field('cluster_known_nodes') === String(size);
      });
    }
    return { ports, nodesEnv: ports.map((p) => `127.0.0.1:${p}`).join(','), clients, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
