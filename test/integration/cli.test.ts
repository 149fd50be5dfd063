// `fedigate <command>` as operators run it: bin/fedigate.ts in its own node process against a
// real test gateway, its output read and its exit codes checked for every subcommand. The same
// entry still starts the service for `fedigate [all|gateway|worker]`.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { addRemoteFollower, enableAccount } from '../support/fixtures-setup';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { freePorts } from '../support/spawn-gateway';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

const ROOT = resolve(__dirname, '../..');
// Every CLI run is a node process compiling TypeScript on the way: about a second each on a busy machine.
jest.setTimeout(90_000);
let sink: PlatformSink;
let remote: RemoteServer;
let gw: TestGateway;
let cwd: string;

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs the CLI in a directory without .env; the gateway and token come from `env` unless given as flags. */
function fedigate(args: string[], env: Record<string, string> = { FEDIGATE_URL: gw.url, ADMIN_TOKEN: TEST_SECRETS.ADMIN_TOKEN }): Promise<Run> {
  return new Promise((ok) => {
    execFile(
      process.execPath,
      ['-r', require.resolve('@swc-node/register'), resolve(ROOT, 'bin/fedigate.ts'), ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SWC_NODE_PROJECT: resolve(ROOT, 'tsconfig.json'), ...env } },
      (err, stdout, stderr) => ok({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
  });
}

const lines = (s: string) => s.trimEnd().split('\n');
const columns = (line: string) => line.trim().split(/\s{2,}/);

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'fedigate-cli-'));
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  remote = await startRemoteServer();
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
  await enableAccount(gw, 'a-cli', 'cleo');
  await addRemoteFollower(gw, 'a-cli', remote);
});

afterAll(async () => {
  await gw.close();
  await remote.close();
  await sink.close();
  await rm(cwd, { recursive: true, force: true });
});

describe('usage', () => {
  test('--help lists every command and the exit codes; a command has its own help', async () => {
    const help = await fedigate(['--help'], {});
    expect(help.code).toBe(0);
    for (const c of ['queues', 'failed <queue>', 'retry <queue>', 'domain health', 'domain block', 'domain unblock', 'domain blocks', 'exit codes']) expect(help.stdout).toContain(c);
    const one = await fedigate(['retry', '--help'], {});
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('usage: fedigate retry <queue> (<jobId>... | --all)');
  });

  test('mistakes exit 2 with the reason, before any request', async () => {
    const cases: Array<[string[], string]> = [
      [['frob'], 'unknown command: frob'],
      [['queues', '--all'], 'unknown option --all'],
      [['queues', 'extra'], 'unexpected argument: extra'],
      [['failed'], 'missing argument'],
      [['retry', 'delivery'], 'give the failed job ids to retry, or --all'],
      [['retry', 'delivery', 'x', '--all'], 'not both'],
      [['domain', 'health'], 'missing argument'],
      [['queues', '--url', 'ftp://x'], '--url: not an http(s) URL'],
      [['retry', 'delivery', '-Xy'], 'an argument starting with - goes after --'],
    ];
    const runs = await Promise.all(cases.map(([args]) => fedigate(args)));
    runs.forEach((run, i) => {
      const [args, message] = cases[i]!;
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(run.stderr).toContain(message);
    });
    const noToken = await fedigate(['queues'], { FEDIGATE_URL: gw.url });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('no admin token: set ADMIN_TOKEN or pass --token');
  });

  test('a gateway that does not answer exits 3', async () => {
    const [port] = await freePorts(1);
    const run = await fedigate(['queues', '--url', `http://127.0.0.1:${port}`, '--token', 'x'.repeat(16)], {});
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
  });

  test('a refusal exits 1 with the problem detail; --json prints the problem+json document', async () => {
    const wrong = await fedigate(['queues', '--token', 'not-the-admin-token']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe('fedigate: 401 Unauthorized: wrong token\n');
    const bad = await fedigate(['failed', 'nope', '--json']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('400 Bad Request: queue: one of events, fanout, delivery, inbox, callbacks, moderation');
    expect(JSON.parse(bad.stdout)).toMatchObject({ status: 400, errors: [{ parameter: 'queue' }] });
    const limit = await fedigate(['failed', 'delivery', '--limit', '0']);
    expect(limit.code).toBe(1);
    expect(limit.stderr).toContain('limit: an integer from 1 to 500');
  });

  test('the token and the URL are read from ./.env when the environment has none', async () => {
    await writeFile(join(cwd, '.env'), `FEDIGATE_URL=${gw.url}\nADMIN_TOKEN=${TEST_SECRETS.ADMIN_TOKEN}\n`);
    try {
      expect((await fedigate(['queues'], {})).code).toBe(0);
    } finally {
      await rm(join(cwd, '.env'));
    }
  });
});

test('queues: a table of every queue by state; --json the API document', async () => {
  const run = await fedigate(['queues']);
  expect(run.code).toBe(0);
  const [header, ...rows] = lines(run.stdout);
  expect(columns(header!)).toEqual(['QUEUE', 'WAITING', 'ACTIVE', 'DELAYED', 'FAILED', 'COMPLETED']);
  expect(rows.map((r) => columns(r)[0])).toEqual(['events', 'fanout', 'delivery', 'inbox', 'callbacks', 'moderation']);
  expect(rows.every((r) => columns(r).slice(1).every((n) => /^\d+$/.test(n)))).toBe(true);
  const json = await fedigate(['queues', '--json']);
  expect(JSON.parse(json.stdout)).toEqual({ queues: expect.arrayContaining([expect.objectContaining({ queue: 'delivery', failed: expect.any(Number) })]) });
});

test('failed and retry: a delivery the inbox refused is listed, retried by id and delivered; --all retries the rest', async () => {
  expect(lines((await fedigate(['failed', 'delivery'])).stdout)).toEqual(['no failed jobs in delivery']);
  // Two posts while the inbox answers 400; from then on it answers 202.
  remote.inboxReplies.push(400, 400);
  for (const n of [1, 2]) await sendEvents(gw.url, { id: eventId('c'), type: 'post.created', occurredAt: at(n), data: { post: postData(`p-cli${n}`, 'a-cli') } });
  await eventually(async () => (await gw.g.queues.delivery.getFailedCount()) === 2, 'two failed deliveries');

  const listed = await fedigate(['failed', 'delivery']);
  expect(listed.code).toBe(0);
  const [header, ...rest] = lines(listed.stdout);
  expect(columns(header!)).toEqual(['ID', 'NAME', 'ATTEMPTS', 'FINISHED', 'REASON']);
  expect(rest.pop()).toBe('2 of 2 failed jobs in delivery, newest first');
  const rows = rest.map(columns);
  expect(rows.map((r) => r.slice(1, 3).concat(r[4]!))).toEqual([['deliver', '1/16', 'http_400'], ['deliver', '1/16', 'http_400']]);
  expect(rows.every((r) => !Number.isNaN(Date.parse(r[3]!)))).toBe(true);
  const one = JSON.parse((await fedigate(['failed', 'delivery', '--limit', '1', '--json'])).stdout) as { failed: number; items: Array<{ id: string }> };
  expect(one.failed).toBe(2);
  expect(one.items.map((j) => j.id)).toEqual([rows[0]![0]]);

  const [first, second] = rows.map((r) => r[0]!) as [string, string];
  const retried = await fedigate(['retry', 'delivery', first]);
  expect(retried).toEqual({ code: 0, stdout: 'retried 1 job in delivery\n', stderr: '' });
  await eventually(async () => (await gw.g.queues.delivery.getJob(first))?.isCompleted(), 'the retried delivery');
  // Asked again for a job no longer failed, and one that never existed: exit 1, each named.
  const again = await fedigate(['retry', 'delivery', first, 'no-such-job']);
  expect(again.code).toBe(1);
  expect(lines(again.stdout)).toEqual(['retried 0 jobs in delivery', `not retried: ${first}: not failed (completed)`, 'not retried: no-such-job: no such job']);
  // Job ids are base64url: one starting with '-' is given after --.
  expect(lines((await fedigate(['retry', 'delivery', '--', '-Xy'])).stdout)).toEqual(['retried 0 jobs in delivery', 'not retried: -Xy: no such job']);

  const all = await fedigate(['retry', 'delivery', '--all', '--json']);
  expect(all.code).toBe(0);
  expect(JSON.parse(all.stdout)).toEqual({ queue: 'delivery', retried: 1, notRetried: [] });
  await eventually(async () => (await gw.g.queues.delivery.getJob(second))?.isCompleted(), 'the second delivery');
  expect(lines((await fedigate(['failed', 'delivery'])).stdout)).toEqual(['no failed jobs in delivery']);
  expect(remote.received.filter((r) => r.path === '/inbox' && r.json.type === 'Create')).toHaveLength(4);
});

test('domain blocks, block, unblock and health', async () => {
  expect(await fedigate(['domain', 'blocks'])).toEqual({ code: 0, stdout: 'no blocked domains\n', stderr: '' });
  expect(await fedigate(['domain', 'block', 'Spam.Example', '--comment', 'spam waves'])).toEqual({ code: 0, stdout: 'blocked spam.example; its followers are being removed\n', stderr: '' });
  const updated = await fedigate(['domain', 'block', 'spam.example', '--comment', 'still spam', '--json']);
  expect(updated.code).toBe(0);
  expect(JSON.parse(updated.stdout)).toMatchObject({ domain: 'spam.example', comment: 'still spam' });
  const listed = await fedigate(['domain', 'blocks']);
  const [header, row] = lines(listed.stdout);
  expect(columns(header!)).toEqual(['DOMAIN', 'SINCE', 'COMMENT']);
  expect(columns(row!)).toEqual(['spam.example', expect.stringMatching(/^\d{4}-\d\d-\d\dT/), 'still spam']);
  expect(await gw.g.domainBlocks.blockOfUrl('https://a.spam.example/x')).toBe('spam.example');

  const badBlock = await fedigate(['domain', 'block', 'https://spam.example/x']);
  expect(badBlock.code).toBe(1);
  expect(badBlock.stderr).toContain('400 Bad Request: domain:');

  expect(await fedigate(['domain', 'unblock', 'spam.example'])).toEqual({ code: 0, stdout: 'lifted the block of spam.example\n', stderr: '' });
  const notBlocked = await fedigate(['domain', 'unblock', 'spam.example']);
  expect(notBlocked).toEqual({ code: 1, stdout: '', stderr: 'fedigate: 404 Not Found: spam.example is not blocked\n' });

  const host = new URL(remote.origin).host;
  await gw.g.domainHealth.recordFailure(host, { kind: 'retry', reason: 'http_503' });
  const health = await fedigate(['domain', 'health', host]);
  expect(health.code).toBe(0);
  const fields = Object.fromEntries(lines(health.stdout).map(columns));
  expect(fields).toEqual({ domain: host, available: 'yes', 'failure days': new Date().toISOString().slice(0, 10), breaker: 'closed', 'network failures in a row': '0' });
  expect(JSON.parse((await fedigate(['domain', 'health', host, '--json'])).stdout)).toMatchObject({ domain: host, available: true, breaker: { open: false } });
  expect((await fedigate(['domain', 'health', 'not a host'])).code).toBe(1);
});

test('fedigate with no command, or a mode, still starts the service (here: stops at the missing configuration)', async () => {
  for (const args of [[], ['gateway']]) {
    const run = await fedigate(args, {});
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('PLATFORM_WEBHOOK_SECRET');
  }
});
