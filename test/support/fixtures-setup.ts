// Common arrangements for integration tests: an enabled account, a remote follower.
import type { RemoteServer } from './remote-server';
import { accountData, at, eventId, sendEvents } from './platform-events';
import { type TestGateway, eventually } from './test-gateway';

/** Enables an account through the real intake and waits until the worker applied it. */
export async function enableAccount(gw: TestGateway, accountId: string, username: string, extra: Record<string, unknown> = {}): Promise<void> {
  await sendEvents(gw.url, { id: eventId('enable'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData(accountId, username, extra) } });
  await eventually(async () => (await gw.g.accounts.get(accountId))?.state === 'enabled', `${username} enabled`);
}

/** Records a remote actor of `remote` as a follower with a shared inbox (no Follow round trip). */
export async function addRemoteFollower(gw: TestGateway, accountId: string, remote: RemoteServer, name = 'bob'): Promise<void> {
  await gw.g.followers.add(accountId, { actor: remote.actorUri(name), inbox: `${remote.origin}/users/${name}/inbox`, sharedInbox: `${remote.origin}/inbox`, followId: `${remote.origin}/f/${name}`, since: at(0) });
}
