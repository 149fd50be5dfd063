// A real, independent ActivityPub server (Fedify 2.3) used as the remote peer in the gateway's
// end-to-end tests.  Run it as a child process:
//
//   node --import ./polyfill.mjs ./fedify-peer.mjs
//
// Environment:
//   PEER_PORT          port to listen on; 0 (default) picks a free one
//   PEER_HOST          interface to listen on (default 127.0.0.1)
//   PEER_PUBLIC_HOST   host name in the origin and every URI (default: PEER_HOST; "localhost"
//                      with TLS, to match the test certificate and `@peer@localhost:PORT`)
//   PEER_TLS_CERT, PEER_TLS_KEY  PEM files: listen on https with an https origin (both or none)
//   PEER_FIRST_KNOCK   HTTP signature spec of the first delivery attempt to an unknown origin:
//                      "rfc9421" or "draft-cavage-http-signatures-12" (aliases: "cavage", "draft-cavage").
//                      Unset = Fedify's own default, which is "rfc9421" (then it falls back to
//                      draft-cavage on any 4xx/5xx answer and remembers the working spec per origin).
//   PEER_FOLLOW_POLICY what to do with incoming Follows: "accept" (default), "reject", "ignore"
//   PEER_LOG_LEVEL     LogTape level for Fedify's own logs on stderr (default "warning")
//   PEER_EXIT_ON_STDIN_CLOSE=1  exit when stdin closes (the parent died)
//   NODE_EXTRA_CA_CERTS  trust the gateway's test CA (WebFinger and fetches go over https)
//
// stdout carries exactly one line, printed once listening:
//   {"ready":true,"origin":"http://127.0.0.1:PORT","actor":"http://127.0.0.1:PORT/users/peer","control":"http://127.0.0.1:PORT"}
// `control` is where the control API answers: the origin itself over plain http; with TLS a
// second, plain-http loopback listener (so the test runner needs no CA to drive the peer).
// Everything else goes to stderr.
//
// Control API (JSON in/out, loopback clients only) under /control/: see control.mjs.

import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  createExponentialBackoffPolicy,
  createFederation,
  generateCryptoKeyPair,
  InProcessMessageQueue,
  MemoryKvStore,
} from '@fedify/fedify';
import {
  Accept,
  Announce,
  Block,
  Create,
  Delete,
  Endpoints,
  Follow,
  Like,
  Note,
  Person,
  Reject,
  Tombstone,
  Undo,
  Update,
} from '@fedify/vocab';
import { configure, getTextFormatter } from '@logtape/logtape';
import { Temporal } from '@js-temporal/polyfill';
import { FOLLOW_POLICIES, createControl } from './control.mjs';
import { HttpError } from './control-input.mjs';
import { registerInbox } from './inbox.mjs';
import { createPublisher, describeError } from './publish.mjs';

const require = createRequire(import.meta.url);
// '@fedify/fedify/package.json' is not in the package's exports map; read it next to dist/.
const FEDIFY_VERSION = JSON.parse(
  readFileSync(join(dirname(require.resolve('@fedify/fedify')), '..', 'package.json'), 'utf8'),
).version;

const IDENTIFIER = 'peer';
const DISPLAY_NAME = 'Fedify Peer';

// ----------------------------------------------------------------------------------------------
// Configuration

const host = process.env.PEER_HOST || '127.0.0.1';
const port = Number(process.env.PEER_PORT ?? '0');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  fail(`invalid PEER_PORT: ${process.env.PEER_PORT}`);
}

let tls = null;
if (process.env.PEER_TLS_CERT || process.env.PEER_TLS_KEY) {
  if (!process.env.PEER_TLS_CERT || !process.env.PEER_TLS_KEY) fail('PEER_TLS_CERT and PEER_TLS_KEY go together');
  try {
    tls = { cert: readFileSync(process.env.PEER_TLS_CERT), key: readFileSync(process.env.PEER_TLS_KEY) };
  } catch (error) {
    fail(`cannot read PEER_TLS_CERT/PEER_TLS_KEY: ${error.message}`);
  }
}
const publicHost = process.env.PEER_PUBLIC_HOST || (tls != null && !process.env.PEER_HOST ? 'localhost' : host);

const FIRST_KNOCK_ALIASES = {
  rfc9421: 'rfc9421',
  'draft-cavage-http-signatures-12': 'draft-cavage-http-signatures-12',
  'draft-cavage': 'draft-cavage-http-signatures-12',
  cavage: 'draft-cavage-http-signatures-12',
};
let firstKnock; // undefined => Fedify's default ("rfc9421")
if (process.env.PEER_FIRST_KNOCK) {
  firstKnock = FIRST_KNOCK_ALIASES[process.env.PEER_FIRST_KNOCK];
  if (firstKnock == null) fail(`invalid PEER_FIRST_KNOCK: ${process.env.PEER_FIRST_KNOCK}`);
}

const settings = { followPolicy: process.env.PEER_FOLLOW_POLICY || 'accept' };
if (!FOLLOW_POLICIES.includes(settings.followPolicy)) fail(`invalid PEER_FOLLOW_POLICY: ${settings.followPolicy}`);

const logLevel = process.env.PEER_LOG_LEVEL || 'warning';

function log(...parts) {
  const msg = parts.map((p) => (typeof p === 'string' ? p : p instanceof Error ? (p.stack ?? String(p)) : safeJson(p))).join(' ');
  process.stderr.write(`[fedify-peer] ${msg}\n`);
}

function fail(message) {
  process.stderr.write(`[fedify-peer] fatal: ${message}\n`);
  process.exit(2);
}

function safeJson(v) {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

// Fedify logs through LogTape; send them to stderr (never stdout: stdout is the ready protocol).
const textFormatter = getTextFormatter();
await configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: { stderr: (record) => process.stderr.write(textFormatter(record)) },
  loggers: [
    { category: ['fedify'], lowestLevel: logLevel, sinks: ['stderr'] },
    { category: ['logtape', 'meta'], lowestLevel: 'warning', sinks: ['stderr'] },
  ],
});

// ----------------------------------------------------------------------------------------------
// State

const state = {
  /** Activities received in the inbox, after Fedify verified them. */
  received: [],
  /** Activities that reached the inbox but whose signatures Fedify could not verify. */
  unverified: [],
  /** Activities this peer sent (control calls and auto-accepts), one entry per recipient. */
  sent: [],
  /** Raw inbox POST bodies + signature info, by activity id, while Fedify processes them. */
  inflight: new Map(),
  /** Notes this peer posted: local id -> { note, visibility, recipients, deleted }. */
  notes: new Map(),
  /** Outgoing activities by `${segment}/${id}`, so they are dereferenceable. */
  activities: new Map(),
  /** Actors following this peer: actor URI -> Actor (a Fedify Recipient). */
  followers: new Map(),
  /** Actors this peer follows: actor URI -> { target, followId, inbox, state: 'pending'|'accepted'|'rejected' }. */
  following: new Map(),
  /** Announces this peer sent: id -> { announce, recipients, undone }. */
  announces: new Map(),
  /** Actors this peer blocks: actor URI -> { blockId, actor }. */
  blocks: new Map(),
  /** Actors that block this peer: actor URI -> { actor, blockId, receivedAt }. */
  blockedBy: new Map(),
  /** Actors whose Delete(actor) the peer received: actor URI -> { actor, activityId, verified, receivedAt }. */
  deletedActors: new Map(),
  /** Set once the peer deleted its own actor: { activityId, deletedAt }. */
  selfDeleted: null,
};

// Key store whose backing store can be swapped out (POST /control/reset {"cache": true}).
let kvInner = new MemoryKvStore();
const kv = {
  get: (key) => kvInner.get(key),
  set: (key, value, options) => kvInner.set(key, value, options),
  delete: (key) => kvInner.delete(key),
  cas: (key, expected, value, options) => kvInner.cas(key, expected, value, options),
  list: (prefix) => kvInner.list(prefix),
};

// Keys are generated at start: RSA-2048 (HTTP signatures, LD signatures) and Ed25519 (FEP-8b32).
// (Fedify's generateCryptoKeyPair('RSASSA-PKCS1-v1_5') makes 4096-bit keys; 2048 is what
// Mastodon uses and is faster to generate, so generate it directly.)
const rsaKeyPair = await crypto.subtle.generateKey(
  { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  true,
  ['sign', 'verify'],
);
let ed25519KeyPair = null;
try {
  ed25519KeyPair = await generateCryptoKeyPair('Ed25519');
} catch (error) {
  log('Ed25519 key generation unavailable, continuing with RSA only:', String(error));
}
const keyPairs = ed25519KeyPair == null ? [rsaKeyPair] : [rsaKeyPair, ed25519KeyPair];

// ----------------------------------------------------------------------------------------------
// HTTP(S) server (started first so that PEER_PORT=0 yields a real port for the canonical origin)

let federation = null;
let handleControl = null;
let origin = null;

function requestHandler(controlOnly) {
  return (req, res) => {
    handle(req, res, controlOnly).catch((error) => {
      log('unhandled request error:', error);
      if (!res.headersSent) {
        sendJson(res, 500, { error: String(error?.message ?? error) });
      } else {
        res.destroy();
      }
    });
  };
}

async function listen(server, listenPort, listenHost) {
  server.keepAliveTimeout = 1000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, listenHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address().port;
}

const server = tls == null ? createHttpServer(requestHandler(false)) : createHttpsServer(tls, requestHandler(false));
const boundPort = await listen(server, port, host);
const hostForUrl = (h) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);
origin = `${tls == null ? 'http' : 'https'}://${hostForUrl(publicHost)}:${boundPort}`;
// With TLS the control API also answers on plain http (loopback), so drivers need no CA.
const controlServer = tls == null ? null : createHttpServer(requestHandler(true));
const controlOrigin = controlServer == null ? origin : `http://127.0.0.1:${await listen(controlServer, 0, '127.0.0.1')}`;

// ----------------------------------------------------------------------------------------------
// Federation

// Enqueueing wakes the worker at once, so the poll interval does not affect latency.  (Fedify
// 2.3.6's InProcessMessageQueue adds an abort listener per idle poll and never removes it, so
// we start the queue without an AbortSignal and keep the default 5 s poll.)
const queue = new InProcessMessageQueue();

federation = createFederation({
  kv,
  // Only outgoing deliveries are queued (auto-Accepts, with fast retries).  Incoming activities
  // are processed inline, so when the gateway's POST to our inbox returns 202 the activity is
  // already recorded.  Control calls send with `immediate: true`, so delivery errors surface
  // in the control response.
  queue: { outbox: queue },
  manuallyStartQueue: true,
  origin,
  allowPrivateAddress: true,
  firstKnock,
  circuitBreaker: false,
  outboxRetryPolicy: createExponentialBackoffPolicy({
    initialDelay: { milliseconds: 200 },
    maxDelay: { seconds: 3 },
    maxAttempts: 8,
  }),
  onOutboxError: (error, activity) => {
    log(`outbox delivery error for ${activity?.id?.href ?? '(no id)'}:`, describeError(error));
  },
});

federation
  .setActorDispatcher('/users/{identifier}', async (ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    // After deleteSelf the actor (and WebFinger) answer 410 Gone.
    if (state.selfDeleted != null) {
      return new Tombstone({ id: ctx.getActorUri(identifier), deleted: Temporal.Instant.from(state.selfDeleted.deletedAt) });
    }
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: DISPLAY_NAME,
      summary: 'An independent Fedify server used as the remote peer in end-to-end tests.',
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      outbox: ctx.getOutboxUri(identifier),
      followers: ctx.getFollowersUri(identifier),
      following: ctx.getFollowingUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      manuallyApprovesFollowers: false,
      discoverable: true,
      // One RSA publicKey (Mastodon-style single object); all keys as FEP-521a Multikeys.
      publicKey: keys[0]?.cryptographicKey,
      assertionMethods: keys.map((k) => k.multikey),
    });
  })
  .setKeyPairsDispatcher((_ctx, identifier) => (identifier === IDENTIFIER ? keyPairs : []))
  .mapHandle((_ctx, username) => (username === IDENTIFIER ? IDENTIFIER : null));

federation
  .setFollowersDispatcher('/users/{identifier}/followers', (_ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    return { items: [...state.followers.values()] };
  })
  .setCounter((_ctx, identifier) => (identifier === IDENTIFIER ? state.followers.size : null));

const acceptedFollowing = () => [...state.following.values()].filter((f) => f.state === 'accepted');
federation
  .setFollowingDispatcher('/users/{identifier}/following', (_ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    return { items: acceptedFollowing().map((f) => new URL(f.target)) };
  })
  .setCounter((_ctx, identifier) => (identifier === IDENTIFIER ? acceptedFollowing().length : null));

federation
  .setOutboxDispatcher('/users/{identifier}/outbox', (_ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    return { items: [] };
  })
  .setCounter((_ctx, identifier) => (identifier === IDENTIFIER ? 0 : null));

// The peer's notes are dereferenceable at their ids.  Public and unlisted ones for anyone;
// followers-only and direct ones only for a signed GET by a follower (followers-only) or an
// addressee.  Deleted notes answer 410 (see handle()).
federation
  .setObjectDispatcher(Note, '/notes/{id}', (_ctx, values) => {
    const entry = state.notes.get(values.id);
    return entry == null || entry.deleted ? null : entry.note;
  })
  .authorize(async (ctx, values) => {
    const entry = state.notes.get(values.id);
    if (entry == null || entry.visibility === 'public' || entry.visibility === 'unlisted') return true;
    const owner = await ctx.getSignedKeyOwner();
    if (owner?.id == null) return false;
    const addressed = entry.recipients.some((r) => r.id?.href === owner.id.href);
    return addressed || (entry.visibility === 'followers' && state.followers.has(owner.id.href));
  });
// So are the activities it sends.
const ACTIVITY_ROUTES = [
  [Follow, 'follows'],
  [Accept, 'accepts'],
  [Reject, 'rejects'],
  [Create, 'creates'],
  [Update, 'updates'],
  [Delete, 'deletes'],
  [Announce, 'announces'],
  [Like, 'likes'],
  [Block, 'blocks'],
  [Undo, 'undos'],
];
for (const [cls, segment] of ACTIVITY_ROUTES) {
  federation.setObjectDispatcher(cls, `/${segment}/{id}`, (_ctx, values) => state.activities.get(`${segment}/${values.id}`) ?? null);
}

const publisher = createPublisher({ identifier: IDENTIFIER, state });
registerInbox({ federation, identifier: IDENTIFIER, state, publisher, followPolicy: () => settings.followPolicy, log });
handleControl = createControl({
  federation,
  identifier: IDENTIFIER,
  state,
  publisher,
  settings,
  info: () => ({
    origin,
    control: controlOrigin,
    handle: `@${IDENTIFIER}@${new URL(origin).host}`,
    tls: tls != null,
    firstKnock: firstKnock ?? 'rfc9421 (Fedify default)',
    fedifyVersion: FEDIFY_VERSION,
    node: process.versions.node,
  }),
  replaceKv: (store) => {
    kvInner = store;
  },
});

// ----------------------------------------------------------------------------------------------
// Control API plumbing

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function readJson(req) {
  const buf = await readBody(req);
  if (buf.length === 0) return {};
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

function sendJson(res, status, value, contentType = 'application/json; charset=utf-8') {
  const payload = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': contentType, 'content-length': payload.length });
  res.end(payload);
}

function isLoopback(address) {
  if (address == null) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

// ----------------------------------------------------------------------------------------------
// node:http <-> Fetch API bridge

async function handle(req, res, controlOnly) {
  const path = (req.url ?? '/').split('?')[0];
  const method = req.method ?? 'GET';
  if (path.startsWith('/control/')) {
    if (!isLoopback(req.socket.remoteAddress)) return sendJson(res, 403, { error: 'control API is loopback-only' });
    if (handleControl == null) return sendJson(res, 503, { error: 'starting' });
    try {
      const body = method === 'POST' ? await readJson(req) : undefined;
      return sendJson(res, 200, await handleControl(method, path, body, origin));
    } catch (error) {
      if (error instanceof HttpError) return sendJson(res, error.status, { error: error.message, ...error.extra });
      log('control error:', error);
      return sendJson(res, 500, { error: String(error?.message ?? error) });
    }
  }
  if (controlOnly) return sendJson(res, 404, { error: `this listener serves only /control/ (federation is at ${origin})` });
  if (federation == null) return sendJson(res, 503, { error: 'starting' });

  // A deleted note answers 410 Gone with its Tombstone (Fedify's object handler has no 410).
  const noteMatch = /^\/notes\/([^/]+)$/.exec(path);
  const deletedNote = noteMatch && state.notes.get(decodeURIComponent(noteMatch[1]));
  if (method === 'GET' && deletedNote?.deleted) {
    return sendJson(res, 410, { '@context': 'https://www.w3.org/ns/activitystreams', id: deletedNote.note.id.href, type: 'Tombstone' }, 'application/activity+json');
  }

  const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
  const request = toRequest(req, body);
  // Inbox deliveries: remember the exact JSON body and how it was signed, so that the recorded
  // entry can carry them (incoming activities are processed inline, not queued).
  let wireId;
  if (method === 'POST' && body != null && /^\/(?:inbox|users\/[^/]+\/inbox)$/.test(path)) {
    try {
      const wire = JSON.parse(body.toString('utf8'));
      if (wire && typeof wire.id === 'string') {
        wireId = wire.id;
        state.inflight.set(wireId, { wire, httpSignature: describeHttpSignature(request.headers) });
      }
    } catch {
      // not JSON: Fedify will answer it
    }
  }
  try {
    const response = await federation.fetch(request, { contextData: undefined });
    await writeResponse(res, response, method === 'HEAD');
  } finally {
    if (wireId != null) state.inflight.delete(wireId);
  }
}

/** Which HTTP signature scheme an incoming request used (for assertions in gateway tests). */
function describeHttpSignature(headers) {
  const input = headers.get('signature-input');
  const signature = headers.get('signature');
  if (input != null) {
    const keyId = /keyid="([^"]*)"/i.exec(input)?.[1] ?? null;
    const alg = /alg="([^"]*)"/i.exec(input)?.[1] ?? null;
    const components = /=\(([^)]*)\)/.exec(input)?.[1]?.split(/\s+/).map((c) => c.replace(/^"|"$/g, '')) ?? null;
    return { spec: 'rfc9421', keyId, algorithm: alg, headers: components };
  }
  if (signature != null) {
    const param = (name) => new RegExp(`${name}="([^"]*)"`, 'i').exec(signature)?.[1] ?? null;
    return {
      spec: 'draft-cavage',
      keyId: param('keyId'),
      algorithm: param('algorithm'),
      headers: param('headers')?.split(/\s+/) ?? null,
    };
  }
  return { spec: null, keyId: null, algorithm: null, headers: null };
}

function toRequest(req, body) {
  // The URL follows the Host header (as a reverse proxy would pass it), so RFC 9421 @authority
  // and draft-cavage `host` both verify against what the sender actually used.
  const hostHeader = req.headers.host ?? new URL(origin).host;
  const url = new URL(req.url ?? '/', `${new URL(origin).protocol}//${hostHeader}`);
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  return new Request(url, { method: req.method ?? 'GET', headers, body });
}

async function writeResponse(res, response, head) {
  const headers = {};
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie') return;
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie?.() ?? [];
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  const body = head || response.body == null ? null : Buffer.from(await response.arrayBuffer());
  if (body != null && headers['content-length'] == null && headers['transfer-encoding'] == null) {
    headers['content-length'] = String(body.length);
  }
  res.writeHead(response.status, response.statusText || undefined, headers);
  res.end(body ?? undefined);
}

// ----------------------------------------------------------------------------------------------
// Start

let stopping = false;
federation.startQueue(undefined).catch((error) => {
  if (!stopping) log('queue stopped with error:', error);
});

function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  log(`received ${signal}, shutting down`);
  controlServer?.close();
  controlServer?.closeAllConnections?.();
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
if (process.env.PEER_EXIT_ON_STDIN_CLOSE === '1') {
  process.stdin.on('end', () => shutdown('stdin end'));
  process.stdin.on('close', () => shutdown('stdin close'));
  process.stdin.resume();
}

const actorUri = federation.createContext(new URL(origin), undefined).getActorUri(IDENTIFIER).href;
process.stdout.write(`${JSON.stringify({ ready: true, origin, actor: actorUri, control: controlOrigin })}\n`);
log(`listening on ${origin} as ${actorUri} (Fedify ${FEDIFY_VERSION}, firstKnock=${firstKnock ?? 'default(rfc9421)'}, followPolicy=${settings.followPolicy}${controlServer ? `, control on ${controlOrigin}` : ''})`);
