// Follower inboxes for the fan-out benches (a child process, so their HTTP parsing does not
// share the sender's core): INBOX_SERVERS loopback servers answering 202 to every POST.
// Sends {origins} over IPC when listening; after {expect: n} it counts POSTs from zero and
// sends {done: n} at the n-th (it answers {expecting: n} first).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const SERVERS = Number(process.env.INBOX_SERVERS ?? 20);
let expected = Infinity;
let received = 0;

process.on('message', (m: { expect: number }) => {
  expected = m.expect;
  received = 0;
  process.send!({ expecting: expected });
});
process.on('disconnect', () => process.exit(0));

void Promise.all(
  Array.from({ length: SERVERS }, () => new Promise<ReturnType<typeof createServer>>((ok) => {
    const s = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(202).end();
        if (req.method === 'POST' && ++received === expected) process.send!({ done: received });
      });
    });
    s.listen(0, '127.0.0.1', () => ok(s));
  })),
).then((servers) => process.send!({ origins: servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`) }));
