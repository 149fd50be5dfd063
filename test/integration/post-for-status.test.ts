// The delivery POST reads only the status and Retry-After: bodies are dropped as they come, a
// body too large to drain costs the connection but not the answer.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { postForStatus } from '../../services/remote/post-for-status';
import { eventually } from '../support/test-gateway';

const agent = new Agent();
/** The /endless answer: 1 MiB chunks (with backpressure) up to 64 MiB, and whether it was cut off. */
const endless = { chunks: 0, cutOff: false };
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/huge') return res.writeHead(202).end(Buffer.alloc(4 * 1024 * 1024, 'x'));
    if (req.url === '/endless') {
      res.writeHead(202);
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      res.on('close', () => (endless.cutOff = !res.writableFinished));
      const more = () => {
        while (endless.chunks < 64 && !res.destroyed) {
          endless.chunks++;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        if (!res.destroyed) res.end();
      };
      return more();
    }
    if (req.url === '/slow-down') return res.writeHead(429, { 'retry-after': '600' }).end('{"error":"rate"}');
    if (req.url === '/unavailable') return res.writeHead(503, { 'X-Retry-After-Hint': 'no', 'Retry-After': 'Wed, 21 Oct 2026 07:28:00 GMT' }).end();
    res.writeHead(202).end();
  });
});
let origin = '';

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await agent.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const post = (path: string) => postForStatus(agent, new URL(`${origin}${path}`), { 'content-type': 'application/activity+json' }, '{}');

test('status of an empty answer, and Retry-After when given', async () => {
  expect(await post('/inbox')).toEqual({ status: 202 });
  expect(await post('/slow-down')).toEqual({ status: 429, retryAfter: '600' });
  // Header names in any case; a longer name that merely contains it is not it.
  expect(await post('/unavailable')).toEqual({ status: 503, retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT' });
});

test('a 4 MiB body is cut off past 64 KiB; the status stands and the next POST works', async () => {
  expect(await post('/huge')).toEqual({ status: 202 });
  expect(await post('/inbox')).toEqual({ status: 202 });
});

test('a body that would not end is not read to its end: the connection is cut, not drained', async () => {
  expect(await post('/endless')).toEqual({ status: 202 });
  await eventually(() => endless.cutOff, 'the server to see its answer cut off', 3000);
  // Drained, all 64 MiB would have gone; cut off past 64 KiB, only what the socket buffers held.
  expect(endless.chunks).toBeLessThan(64);
});

test('no server: the error comes back', async () => {
  await expect(postForStatus(agent, new URL('http://127.0.0.1:9/inbox'), {}, '{}')).rejects.toThrow();
});
