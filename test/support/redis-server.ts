// A dedicated redis-server child on a spare loopback port, for crash tests: kill() is kill -9
// (no SHUTDOWN, no final AOF flush), start() again on the same directory replays the AOF.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './spawn-gateway';
import { redisAnswers } from '../../services/local-redis';

/** The durable settings the README asks for: every write fsynced before it is acknowledged. */
export const DURABLE_REDIS_ARGS = ['--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction', '--save', ''];

export interface RedisChild {
  url: string;
  port: number;
  dir: string;
  /** starts (or starts again) and resolves once it answers PING */
  start(): Promise<void>;
  /** SIGKILL: a crash, not a shutdown */
  kill(): Promise<void>;
  /** kills it and deletes its directory */
  remove(): Promise<void>;
}

const answers = (url: string) => redisAnswers(url, 500);

export async function createRedisChild(args: string[] = DURABLE_REDIS_ARGS): Promise<RedisChild> {
  const [port] = (await freePorts(1)) as [number];
  const dir = mkdtempSync(join(tmpdir(), 'fedigate-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  return {
    url,
    port,
    dir,
    async start() {
      if (child) throw new Error('redis-server already running');
      const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...args], { stdio: 'ignore' });
      await new Promise<void>((ok, fail) => {
        c.once('spawn', ok);
        c.once('error', (e) => fail(new Error(`redis-server could not start (is it installed?): ${e.message}`)));
      });
      child = c;
      // Answers once the AOF is replayed (LOADING errors until then).
      for (let i = 0; !(await answers(url)); i++) {
        if (i > 200 || c.exitCode !== null) throw new Error(`redis-server on port ${port} did not come up`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    kill,
    async remove() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
