// The smallest Fedify 2.x server doing what the gateway does in bench/fedify.ts: one actor
// whose Create goes to its followers (each inbox a signed POST), and a shared inbox that
// verifies signed Creates and Likes and queues them for listeners that only count.
// Queue: Fedify's InProcessMessageQueue behind its ParallelMessageQueue (100 workers, the
// gateway's delivery concurrency in the bench), shared by inbox, outbox and fan-out.
// (@fedify/redis, Fedify's Redis queue, exists on the registry only as 0.4.0 and 1.8.7, and
// 1.8.7 needs @fedify/fedify 1.8.7 as its peer: not usable with 2.3.) First knock
// draft-cavage, as the gateway signs. Keys: RSA-2048 only, as the gateway's.
//
// Run as an IPC child: node --import ../../test/e2e/peer/polyfill.mjs fedify-server.mjs
// (Node 20 lacks a few ES2024 builtins Fedify uses). Messages (parent → child):
//   {cmd: 'followers', inboxes: [url...]}  replaces the followers; answers {cmd, count}
//   {cmd: 'post', id}                      sendActivity(Create(Note)) to the followers; answers once queued
//   {cmd: 'count'}                         answers {cmd, received: n activities the listeners saw}
// and first sends {ready: true, origin}.
import { createServer } from 'node:http';
import { createFederation, InProcessMessageQueue, MemoryKvStore, ParallelMessageQueue } from '@fedify/fedify';
import { Create, Endpoints, Like, Note, Person, PUBLIC_COLLECTION } from '@fedify/vocab';

const IDENTIFIER = 'bench';
const queue = new ParallelMessageQueue(new InProcessMessageQueue(), 100);
let followers = [];
let received = 0;

const rsa = await crypto.subtle.generateKey(
  { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  true,
  ['sign', 'verify'],
);

const server = createServer((req, res) => {
  serve(req, res).catch((error) => {
    console.error('fedify-server:', error);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const federation = createFederation({
  kv: new MemoryKvStore(),
  queue,
  origin,
  allowPrivateAddress: true,
  firstKnock: 'draft-cavage-http-signatures-12',
});

federation
  .setActorDispatcher('/users/{identifier}', async (ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      inbox: ctx.getInboxUri(identifier),
      followers: ctx.getFollowersUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: keys[0]?.cryptographicKey,
    });
  })
  .setKeyPairsDispatcher((_ctx, identifier) => (identifier === IDENTIFIER ? [rsa] : []));

federation.setFollowersDispatcher('/users/{identifier}/followers', (_ctx, identifier) => (identifier === IDENTIFIER ? { items: followers } : null));

federation
  .setInboxListeners('/users/{identifier}/inbox', '/inbox')
  .on(Create, () => void received++)
  .on(Like, () => void received++);

const ctx = federation.createContext(new URL(origin), undefined);
let posts = 0;

async function post(id) {
  const actor = ctx.getActorUri(IDENTIFIER);
  const note = new Note({
    id: new URL(`${origin}/posts/${id}`),
    attribution: actor,
    to: PUBLIC_COLLECTION,
    cc: ctx.getFollowersUri(IDENTIFIER),
    content: `<p>benchmark post ${id}: a few words of text #bench https://example.com/x</p>`,
  });
  const create = new Create({ id: new URL(`${origin}/posts/${id}/activity`), actor, object: note, to: PUBLIC_COLLECTION, cc: ctx.getFollowersUri(IDENTIFIER) });
  posts++;
  await ctx.sendActivity({ identifier: IDENTIFIER }, 'followers', create);
}

process.on('message', (m) => {
  const answer = (value) => process.send({ cmd: m.cmd, ...value });
  if (m.cmd === 'followers') {
    followers = m.inboxes.map((inbox) => ({ id: new URL(inbox.replace(/\/inbox$/, '')), inboxId: new URL(inbox), endpoints: null }));
    answer({ count: followers.length });
  } else if (m.cmd === 'post') {
    post(m.id).then(() => answer({ posts }), (error) => answer({ error: String(error) }));
  } else if (m.cmd === 'count') {
    answer({ received });
  }
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

// node:http ⇄ the Fetch API Fedify speaks.
async function serve(req, res) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const request = new Request(new URL(req.url, `http://${req.headers.host ?? new URL(origin).host}`), { method: req.method, headers, body: hasBody ? Buffer.concat(chunks) : undefined });
  const response = await federation.fetch(request, { contextData: undefined });
  const body = Buffer.from(await response.arrayBuffer());
  const out = {};
  response.headers.forEach((v, k) => (out[k] = v));
  res.writeHead(response.status, out).end(body);
}

federation.startQueue(undefined).catch((error) => console.error('fedify-server queue:', error));
process.send({ ready: true, origin });
