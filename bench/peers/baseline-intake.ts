// Baseline for the intake and latency benches (a child process, like the gateway): the least
// any durable intake of the contract must do. POST /platform/events: check the X-Signature
// HMAC, JSON.parse, one Redis XADD per event (pipelined: one round trip), answer 202. No schema,
// no idempotency, no express, no BullMQ: what those cost is the gap to the gateway.
// With BASELINE_RELAY_INBOX set, each post.created is then signed (draft-cavage, cached key)
// and POSTed straight to that inbox: delivery with no queue between accept and send.
// Tells its parent {port} over IPC. Env: BASELINE_STREAM (Redis key), REDIS_URL.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Agent, request } from 'undici';
import { verifyPayloadSignature } from '../../services/platform/hmac';
import { signCavageRequest } from '../../services/signatures/cavage-sign';
import { TEST_SECRETS } from '../../test/support/test-config';

const stream = process.env.BASELINE_STREAM ?? 'bench-baseline:events';
const relayInbox = process.env.BASELINE_RELAY_INBOX;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const agent = new Agent({ connections: 50 });

interface Event {
  id: string;
  type: string;
  data: { post?: { id: string; text: string } };
}

async function relay(origin: string, e: Event) {
  const post = e.data.post!;
  const body = JSON.stringify({
    '@context': 'https://www.w3.org/ns/activitystreams',
    id: `${origin}/posts/${post.id}/activity`,
    type: 'Create',
    actor: `${origin}/users/bench`,
    to: ['https://www.w3.org/ns/activitystreams#Public'],
    object: { id: `${origin}/posts/${post.id}`, type: 'Note', attributedTo: `${origin}/users/bench`, content: `<p>${post.text}</p>` },
  });
  const headers = signCavageRequest({ method: 'POST', url: relayInbox!, headers: { 'content-type': 'application/activity+json' }, body }, { keyId: `${origin}/users/bench#main-key`, privateKey });
  const res = await request(relayInbox!, { method: 'POST', headers, body, dispatcher: agent });
  await res.body.dump();
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const header = req.headers['x-signature'];
    if (!verifyPayloadSignature(TEST_SECRETS.PLATFORM_WEBHOOK_SECRET, typeof header === 'string' ? header : undefined, body).ok) {
      res.writeHead(401).end();
      return;
    }
    let parsed: { events?: Event[] } & Event;
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      res.writeHead(400).end();
      return;
    }
    const events = parsed.events ?? [parsed];
    const pipeline = redis.pipeline();
    for (const e of events) pipeline.xadd(stream, '*', 'id', e.id, 'event', JSON.stringify(e));
    pipeline.exec().then(
      () => {
        const answer = JSON.stringify({ accepted: events.map((e) => e.id), duplicates: [] });
        res.writeHead(202, { 'content-type': 'application/json' }).end(answer);
        if (relayInbox) {
          const origin = `http://${req.headers.host}`;
          for (const e of events) if (e.type === 'post.created') void relay(origin, e).catch((err: unknown) => console.error('relay:', err));
        }
      },
      () => res.writeHead(503).end(),
    );
  });
});
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
process.on('disconnect', () => process.exit(0));
