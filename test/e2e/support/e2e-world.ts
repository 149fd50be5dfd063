/**
 * One end-to-end world: a test CA, the platform sink, a gateway over https (with workers) and
 * Fedify peers over https, all trusting the CA, so handles resolve by WebFinger over https both
 * ways. Each e2e file builds its own world in beforeAll and closes it in afterAll.
 */
import { readFileSync } from 'node:fs';
import { Agent, fetch } from 'undici';
import { accountData, at, eventId, sendEvents } from '../../support/platform-events';
import { type PlatformSink, type SinkCallback, startPlatformSink } from '../../support/platform-sink';
import { TEST_SECRETS } from '../../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../../support/test-gateway';
import { type FedifyPeer, startFedifyPeer } from './fedify-peer';
import { type TestCa, makeTestCa } from './tls';

export interface E2eWorld {
  ca: TestCa;
  sink: PlatformSink;
  gw: TestGateway;
  peers: FedifyPeer[];
  /** POSTs one signed platform event (envelope built here) and expects 202. */
  send(type: string, data: Record<string, unknown>, seconds?: number): Promise<string>;
  /** Enables a local account and waits until it is published. */
  enable(accountId: string, username: string): Promise<void>;
  /** The local actor URI and `@user@host` handle of a username. */
  actor(username: string): string;
  handle(username: string): string;
  /** Waits for a callback of `type` matching `match`. */
  callback(type: string, match?: (c: SinkCallback) => boolean, timeoutMs?: number): Promise<SinkCallback>;
  /** Resolves once every event, fan-out, delivery, inbox and callback job has run: what was not
   *  delivered or called back by then never will be. */
  idle(): Promise<void>;
  /** Unsigned GET of a gateway URL as AS2 (trusting the test CA); resolves with the status. */
  getStatus(url: string): Promise<number>;
  close(): Promise<void>;
}

let clock = 0;
const BUSY = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

export async function startE2eWorld(opts: { peers?: number } = {}): Promise<E2eWorld> {
  const ca = await makeTestCa();
  const trusting = new Agent({ connect: { ca: readFileSync(ca.caCertPath, 'utf8') } });
  const sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  const gw = await startTestGateway({ workers: true, tls: ca, host: 'localhost', extraCaPem: ca.caCertPem, env: { PLATFORM_CALLBACK_URL: sink.url } });
  const peers = await Promise.all(Array.from({ length: opts.peers ?? 1 }, () => startFedifyPeer({ tls: ca, extraCaCerts: ca.caCertPath })));
  const host = new URL(gw.url).host;

  const send = async (type: string, data: Record<string, unknown>, seconds?: number) => {
    const id = eventId(type);
    // occurredAt moves forward so events about one object apply in the order they are sent
    const res = await sendEvents(gw.url, { id, type, occurredAt: at(seconds ?? ++clock), data }, { dispatcher: trusting });
    if (res.status !== 202) throw new Error(`${type} answered ${res.status}: ${await res.text()}`);
    return id;
  };

  return {
    ca,
    sink,
    gw,
    peers,
    send,
    async enable(accountId, username) {
      await send('account.enabled', { account: accountData(accountId, username) });
      await eventually(async () => (await gw.g.accounts.get(accountId))?.state === 'enabled', `${username} enabled`);
    },
    actor: (username) => `${gw.url}/users/${username}`,
    handle: (username) => `@${username}@${host}`,
    callback: (type, match = () => true, timeoutMs = 15000) =>
      eventually(() => sink.callbacks.find((c) => c.type === type && match(c)), type, timeoutMs),
    async idle() {
      await eventually(async () => {
        const q = gw.g.queues;
        const counts = await Promise.all([q.events, q.fanout, q.delivery, q.inbox, q.callbacks].map((queue) => queue.getJobCounts(...BUSY)));
        return counts.every((c) => Object.values(c).every((n) => n === 0));
      }, 'queues to drain', 20000);
    },
    async getStatus(url) {
      const res = await fetch(url, { headers: { accept: 'application/activity+json' }, dispatcher: trusting });
      await res.body?.cancel();
      return res.status;
    },
    async close() {
      await Promise.all(peers.map((p) => p.stop()));
      await gw.close();
      try {
        await sink.close(); // rejects when a callback broke the schemas
      } finally {
        await trusting.close();
        await ca.cleanup();
      }
    },
  };
}
