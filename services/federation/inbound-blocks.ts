// Whether an inbound activity is aimed at a local account that blocks its actor: such
// activities (follows, likes, reposts) are ignored. Undos, blocks and reports pass. Notes reach
// several accounts at once (thread root, quote, mentions, followers): each role leaves out its
// blockers (federation/inbound-notes.ts classify).
import type { InboundCommand } from '../activitypub/inbound';
import type { Gateway } from '../gateway';

async function targetAccountOf(g: Gateway, cmd: InboundCommand): Promise<string | undefined> {
  switch (cmd.kind) {
    case 'follow':
      return g.accounts.idByUsername(cmd.username);
    case 'like':
    case 'repost':
      return (await g.posts.get(cmd.postId))?.accountId;
    default:
      return undefined;
  }
}

/** The local account that blocks the command's actor, if the command is aimed at one. */
export async function blockingAccount(g: Gateway, cmd: InboundCommand): Promise<string | undefined> {
  const accountId = await targetAccountOf(g, cmd);
  return accountId && (await g.blocks.has(accountId, cmd.actor)) ? accountId : undefined;
}
