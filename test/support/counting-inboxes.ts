// Loopback inbox servers that count what each inbox path receives: the receiving side of the
// durability runs (test/integration/worker-crash.test.ts, bench/durability-fanout.ts).
import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingInboxes {
  origins: string[];
  /** POSTs received per inbox URL (origin + path), answered or not */
  receipts: Map<string, number>;
  /** POSTs answered 2xx while the sender was still connected, per inbox URL */
  acknowledged: Map<string, number>;
  /** all POSTs received */
  total(): number;
  /** inboxes whose POSTs are held unanswered until release() (a sender that dies meanwhile never hears back) */
  hold: Set<string>;
  /** POSTs held right now */
  held(): number;
  release(): void;
  close(): Promise<void>;
}

export async function startCountingInboxes(servers: number): Promise<CountingInboxes> {
  const receipts = new Map<string, number>();
  const acknowledged = new Map<string, number>();
  const hold = new Set<string>();
  let pending: Array<{ inbox: string; res: ServerResponse }> = [];
  let total = 0;
  const answer = (inbox: string, res: ServerResponse) => {
    if (res.destroyed) return;
    res.once('finish', () => acknowledged.set(inbox, (acknowledged.get(inbox) ?? 0) + 1));
    res.writeHead(202).end();
  };
  const started: Server[] = await Promise.all(
    Array.from({ length: servers }, () => new Promise<Server>((ok) => {
      const s = createServer((req, res) => {
        const inbox = `http://${req.headers.host}${req.url}`;
        req.resume();
        req.on('end', () => {
          total++;
          receipts.set(inbox, (receipts.get(inbox) ?? 0) + 1);
          if (hold.has(inbox)) pending.push({ inbox, res });
          else answer(inbox, res);
        });
      });
      s.keepAliveTimeout = 30_000;
      s.listen(0, '127.0.0.1', () => ok(s));
    })),
  );
  return {
    origins: started.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`),
    receipts,
    acknowledged,
    total: () => total,
    hold,
    held: () => pending.filter((p) => !p.res.destroyed).length,
    release() {
      hold.clear();
      const now = pending;
      pending = [];
      for (const p of now) answer(p.inbox, p.res);
    },
    async close() {
      await Promise.all(started.map((s) => new Promise<void>((r) => {
        s.close(() => r());
        s.closeAllConnections();
      })));
    },
  };
}
