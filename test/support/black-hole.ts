// A black-hole server: accepts TCP connections and never answers (a hung remote inbox). Counts
// the connections open at once; release() drops them all so pending requests end.
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface BlackHole {
  origin: string;
  /** connections accepted so far, and the most open at one time */
  accepted(): number;
  maxOpen(): number;
  release(): void;
  close(): Promise<void>;
}

export async function startBlackHole(): Promise<BlackHole> {
  const open = new Set<Socket>();
  let accepted = 0;
  let maxOpen = 0;
  const server = createServer((socket) => {
    accepted++;
    open.add(socket);
    maxOpen = Math.max(maxOpen, open.size);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => undefined);
    socket.resume(); // read the request, answer nothing
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const release = () => {
    for (const s of open) s.destroy();
  };
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accepted: () => accepted,
    maxOpen: () => maxOpen,
    release,
    close: () => new Promise<void>((r) => {
      release();
      server.close(() => r());
    }),
  };
}
