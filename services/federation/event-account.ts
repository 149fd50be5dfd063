// The local account a platform event acts for: enabled, not yet known (retry), or opted out.
import type { Gateway } from '../gateway';

/** The account an event names is not known yet (its account.enabled may still be queued). */
export class AccountNotReadyError extends Error {}

export type EventAccount = { ok: true; accountId: string; username: string; actor: string } | { ok: false; outcome: 'account_disabled' };

export async function accountForEvent(g: Gateway, accountId: string): Promise<EventAccount> {
  const stored = await g.accounts.get(accountId);
  // Pending: an account.updated overtook its account.enabled; wait for it rather than drop.
  if (!stored || stored.state === 'pending') throw new AccountNotReadyError(`account ${accountId} is not enabled yet`);
  if (stored.state !== 'enabled') return { ok: false, outcome: 'account_disabled' };
  const username = stored.account.username;
  return { ok: true, accountId, username, actor: g.uris.actor(username) };
}
