// Drives bench/peers/inboxes.ts: follower inboxes in a child process that say when n POSTs arrived.
import { forkChild, nextMessage } from './processes';

export interface FollowerInboxes {
  origins: string[];
  /** personal inbox of follower i, spread over the servers */
  inbox(i: number): string;
  /** Counts from zero; `done` resolves at the n-th POST. */
  expect(n: number): Promise<{ done: Promise<void> }>;
}

export async function startFollowerInboxes(servers = 20): Promise<FollowerInboxes> {
  const child = forkChild(require.resolve('../peers/inboxes.ts'), { INBOX_SERVERS: String(servers) });
  const { origins } = await nextMessage<{ origins: string[] }>(child, (m) => typeof m === 'object' && m !== null && 'origins' in m);
  return {
    origins,
    inbox: (i) => `${origins[i % origins.length]}/users/u${i}/inbox`,
    async expect(n) {
      const done = nextMessage(child, (m) => typeof m === 'object' && m !== null && 'done' in m).then(() => undefined);
      const ack = nextMessage(child, (m) => typeof m === 'object' && m !== null && 'expecting' in m);
      child.send({ expect: n });
      await ack;
      return { done };
    },
  };
}
