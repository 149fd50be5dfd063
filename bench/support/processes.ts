// The gateway as the benchmarks run it: real processes (services/main.ts) on a unique Redis
// prefix, so the load generator never shares their event loop; every process and key is
// removed afterwards, also when a bench fails or is interrupted.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GatewayProcess, freePorts, spawnGateway } from '../../test/support/spawn-gateway';
import { TEST_SECRETS } from '../../test/support/test-config';
import { deletePrefix } from '../../test/support/test-gateway';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const cleanups: Array<() => Promise<unknown> | unknown> = [];

/** Registers teardown, run last-registered first by `cleanup()`. */
export function onCleanup(fn: () => Promise<unknown> | unknown): void {
  cleanups.push(fn);
}

export async function cleanup(): Promise<void> {
  while (cleanups.length) {
    try {
      await cleanups.pop()!();
    } catch (e) {
      console.error('cleanup:', e);
    }
  }
}

/** Runs a bench's main with teardown on success, failure and Ctrl-C. */
export function runBench(main: () => Promise<void>): void {
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      void cleanup().then(() => process.exit(130));
    });
  }
  main()
    .then(cleanup)
    .then(
      () => process.exit(0),
      async (e: unknown) => {
        // Torn down under it: the interrupt's own cleanup exits.
        if (interrupted) return;
        console.error(e);
        await cleanup();
        process.exit(1);
      },
    );
}

export interface GatewaySetup {
  url: string;
  prefix: string;
  redisUrl: string;
  env: Record<string, string>;
  /** Starts a process of this setup ('gateway' and 'all' answer HTTP on `url`). */
  start(mode: 'all' | 'gateway' | 'worker'): Promise<BenchProcess>;
}

export interface BenchProcess {
  proc: GatewayProcess;
  /** worker mode: where its /metrics answer */
  opsUrl?: string;
  stop(): Promise<void>;
}

/** A gateway configuration on a fresh prefix; its keys are deleted at cleanup. */
export async function gatewaySetup(extra: Record<string, string> = {}, redisUrl = REDIS_URL): Promise<GatewaySetup> {
  const [port] = (await freePorts(1)) as [number];
  const url = `http://127.0.0.1:${port}`;
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  // An empty working directory: main.ts reads a .env from it when there is one.
  const cwd = mkdtempSync(join(tmpdir(), 'fedigate-bench-'));
  onCleanup(() => rmSync(cwd, { recursive: true, force: true }));
  onCleanup(() => deletePrefix(redisUrl, prefix));
  const env = {
    ...TEST_SECRETS,
    PLATFORM_CALLBACK_URL: 'http://127.0.0.1:9/unused',
    PORT: String(port),
    PUBLIC_ORIGIN: url,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    ALLOW_PRIVATE_ADDRESSES: 'true',
    // Request logs at info would cost the gateway and flood the pipe the bench reads.
    LOG_LEVEL: 'warn',
    // A few loopback actors send thousands of activities a second: the per-server inbox limit
    // (INBOX_RATE_LIMIT) is off, the bench measures throughput.
    INBOX_RATE_LIMIT: '0',
    // e.g. a profiler preload for the gateway's processes (bench/support/cpu-profile.js)
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
    ...(process.env.BENCH_PROFILE_DIR ? { BENCH_PROFILE_DIR: process.env.BENCH_PROFILE_DIR } : {}),
    ...extra,
  };
  return {
    url,
    prefix,
    redisUrl,
    env,
    async start(mode) {
      const [opsPort] = (await freePorts(1)) as [number];
      const proc = spawnGateway(mode, mode === 'worker' ? { ...env, WORKER_OPS_PORT: String(opsPort) } : env, cwd);
      const stop = async () => void (await proc.stop());
      onCleanup(stop);
      const probe = mode === 'worker' ? `http://127.0.0.1:${opsPort}` : url;
      await until(async () => (await fetch(`${probe}/readyz`).catch(() => undefined))?.status === 200, `${mode} process ready`, 30000, () => proc.output());
      return { proc, ...(mode === 'worker' ? { opsUrl: probe } : {}), stop };
    },
  };
}

/** Progress on stderr with BENCH_VERBOSE=1. */
export const progress = (msg: string) => process.env.BENCH_VERBOSE && process.stderr.write(`[${new Date().toISOString().slice(11, 23)}] ${msg}\n`);

/** Polls until `fn` is true. */
export async function until(fn: () => Promise<boolean> | boolean, what: string, timeoutMs = 30000, detail?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail ? `\n${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Forks a TypeScript (or .mjs, with `execArgv`) child that talks over IPC; killed at cleanup. */
export function forkChild(script: string, env: Record<string, string> = {}, execArgv = ['-r', require.resolve('@swc-node/register')]): ChildProcess {
  const child = fork(script, [], { execArgv, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  onCleanup(() => {
    if (child.exitCode === null) child.kill();
  });
  return child;
}

/** The next IPC message from a child that passes `test`. */
export function nextMessage<T>(child: ChildProcess, test: (m: unknown) => boolean = () => true): Promise<T> {
  return new Promise((ok, fail) => {
    const onMessage = (m: unknown) => {
      if (!test(m)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      ok(m as T);
    };
    const onExit = (code: number | null) => fail(new Error(`child exited (${code}) before answering`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc (Linux). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;
