// Common arrangements for integration tests: a remote server, platform sink and gateway together,
// an enabled account, a remote follower.
import { type PlatformSink, startPlatformSink } from './platform-sink';
import { accountData, at, eventId, sendEvents } from './platform-events';
import { type RemoteServer, startRemoteServer } from './remote-server';
import { TEST_SECRETS } from './test-config';
import { type TestGateway, eventually, startTestGateway } from './test-gateway';

export interface Rig {
  remote: RemoteServer;
  sink: PlatformSink;
  gw: TestGateway;
  /** closes the gateway first (its workers may still call the others), then the remote and the sink */
  close(): Promise<void>;
}

/** A loopback remote server, a platform sink, and a gateway with workers whose callbacks go to that sink. */
export async function startRig(env: Record<string, string> | ((remote: RemoteServer) => Record<string, string>) = {}): Promise<Rig> {
  const remote = await startRemoteServer();
  const sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  const extra = typeof env === 'function' ? env(remote) : env;
  const gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url, ...extra } });
  return {
    remote,
    sink,
    gw,
    async close() {
      await gw.close();
      await remote.close();
      await sink.close();
    },
  };
}

/** Enables an account through the real intake and waits until the worker applied it. */
export async function enableAccount(gw: TestGateway, accountId: string, username: string, extra: Record<string, unknown> = {}): Promise<void> {
  await sendEvents(gw.url, { id: eventId('enable'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData(accountId, username, extra) } });
  await eventually(async () => (await gw.g.accounts.get(accountId))?.state === 'enabled', `${username} enabled`);
}

/** Records a remote actor of `remote` as a follower with a shared inbox (no Follow round trip). */
export async function addRemoteFollower(gw: TestGateway, accountId: string, remote: RemoteServer, name = 'bob'): Promise<void> {
  await gw.g.followers.add(accountId, { actor: remote.actorUri(name), inbox: `${remote.origin}/users/${name}/inbox`, sharedInbox: `${remote.origin}/inbox`, followId: `${remote.origin}/f/${name}`, since: at(0) });
}
