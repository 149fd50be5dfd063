// A real, independent ActivityPub server (Fedify 2.3) used as the remote peer in the gateway's
// end-to-end tests.  Run it as a child process:
//
//   node --import ./polyfill.mjs ./fedify-peer.mjs
//
// Environment:
//   PEER_PORT          port to listen on; 0 (default) picks a free one
//   PEER_HOST          interface/host name to listen on and to mint URIs with (default 127.0.0.1)
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
//   {"ready":true,"origin":"http://127.0.0.1:PORT","actor":"http://127.0.0.1:PORT/users/peer"}
// Everything else goes to stderr.
//
// Control API (JSON in/out, loopback clients only) under /control/ — see handleControl() below.

import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  createExponentialBackoffPolicy,
  createFederation,
  generateCryptoKeyPair,
  InProcessMessageQueue,
  MemoryKvStore,
  SendActivityError,
} from '@fedify/fedify';
import {
  Accept,
  Activity,
  Announce,
  Create,
  Delete,
  Endpoints,
  Follow,
  isActor,
  Like,
  Mention,
  Note,
  Person,
  PUBLIC_COLLECTION,
  Reject,
  Undo,
  Update,
} from '@fedify/vocab';
import { configure, getTextFormatter } from '@logtape/logtape';
import { Temporal } from '@js-temporal/polyfill';

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

const FOLLOW_POLICIES = new Set(['accept', 'reject', 'ignore']);
let followPolicy = process.env.PEER_FOLLOW_POLICY || 'accept';
if (!FOLLOW_POLICIES.has(followPolicy)) fail(`invalid PEER_FOLLOW_POLICY: ${followPolicy}`);

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

/** Activities received in the inbox, after Fedify verified them. */
let received = [];
/** Activities that reached the inbox but whose signatures Fedify could not verify (401). */
let unverified = [];
/** Raw inbox POST bodies + signature info, by activity id, while Fedify processes them. */
const inflight = new Map();
/** Activities this peer sent (control calls and auto-accepts). */
let sent = [];
/** Notes created by this peer, by local id. */
const notes = new Map();
/** Outgoing activities by `${kind}/${id}`, so they are dereferenceable. */
const activities = new Map();
/** Actors following this peer: actor URI -> Actor (a Fedify Recipient). */
const followers = new Map();
/** Actors this peer follows: actor URI -> { followId, inbox, state: 'pending'|'accepted'|'rejected' }. */
const following = new Map();

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
// HTTP server (started first so that PEER_PORT=0 yields a real port for the canonical origin)

let federation = null;
let origin = null;

const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    log('unhandled request error:', error);
    if (!res.headersSent) {
      sendJson(res, 500, { error: String(error?.message ?? error) });
    } else {
      res.destroy();
    }
  });
});
server.keepAliveTimeout = 1000;

await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, host, () => {
    server.off('error', reject);
    resolve();
  });
});
const boundPort = server.address().port;
const hostForUrl = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
origin = `http://${hostForUrl}:${boundPort}`;

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
    return { items: [...followers.values()] };
  })
  .setCounter((_ctx, identifier) => (identifier === IDENTIFIER ? followers.size : null));

federation
  .setFollowingDispatcher('/users/{identifier}/following', (_ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    return {
      items: [...following.entries()].filter(([, f]) => f.state === 'accepted').map(([uri]) => new URL(uri)),
    };
  })
  .setCounter((_ctx, identifier) =>
    identifier === IDENTIFIER ? [...following.values()].filter((f) => f.state === 'accepted').length : null,
  );

federation
  .setOutboxDispatcher('/users/{identifier}/outbox', (_ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    return { items: [] };
  })
  .setCounter((_ctx, identifier) => (identifier === IDENTIFIER ? 0 : null));

// Objects and the activities this peer creates are dereferenceable at their ids.
federation.setObjectDispatcher(Note, '/notes/{id}', (_ctx, values) => notes.get(values.id) ?? null);
const ACTIVITY_ROUTES = [
  [Follow, 'follows'],
  [Accept, 'accepts'],
  [Reject, 'rejects'],
  [Create, 'creates'],
  [Like, 'likes'],
  [Undo, 'undos'],
];
for (const [cls, segment] of ACTIVITY_ROUTES) {
  federation.setObjectDispatcher(cls, `/${segment}/{id}`, (_ctx, values) => activities.get(`${segment}/${values.id}`) ?? null);
}

// Inbox: record every verified activity; auto-accept follows.
const inbox = federation.setInboxListeners('/users/{identifier}/inbox', '/inbox');
for (const cls of [Accept, Reject, Create, Update, Delete, Announce, Like]) {
  inbox.on(cls, async (ctx, activity) => {
    const entry = await record(ctx, activity, cls.name);
    if (cls === Accept || cls === Reject) noteFollowResponse(entry, cls === Accept ? 'accepted' : 'rejected');
  });
}
inbox.on(Undo, async (ctx, undo) => {
  const entry = await record(ctx, undo, 'Undo');
  // Undo(Follow) from one of our followers: drop it.  Look at the embedded object only (no fetch).
  const inner = entry.raw?.object;
  const innerType = inner && typeof inner === 'object' ? inner.type : undefined;
  const innerObject = inner && typeof inner === 'object' ? idOf(inner.object) : undefined;
  if (innerType === 'Follow' && entry.actor && (innerObject == null || innerObject === ctx.getActorUri(IDENTIFIER).href)) {
    followers.delete(entry.actor);
  }
});
inbox.on(Follow, async (ctx, follow) => {
  const entry = await record(ctx, follow, 'Follow');
  const me = ctx.getActorUri(IDENTIFIER);
  if (follow.id == null || follow.actorId == null || follow.objectId?.href !== me.href) return;
  if (followPolicy === 'ignore') return;
  const follower = await follow.getActor(ctx);
  if (follower == null || follower.id == null || follower.inboxId == null) {
    log(`could not resolve follower ${follow.actorId.href}; not answering ${follow.id.href}`);
    return;
  }
  const followCopy = new Follow({ id: follow.id, actor: follow.actorId, object: follow.objectId });
  let response;
  if (followPolicy === 'accept') {
    followers.set(follower.id.href, follower);
    response = new Accept({ id: newActivityId(ctx, Accept), actor: me, object: followCopy, to: follower.id });
  } else {
    response = new Reject({ id: newActivityId(ctx, Reject), actor: me, object: followCopy, to: follower.id });
  }
  storeActivity(response);
  // Queued (outbox queue with quick retries): the Accept is delivered after this inbox request
  // has been answered, like a production server would do it.
  await ctx.sendActivity({ identifier: IDENTIFIER }, follower, response);
  await recordSent(response, follower);
  entry.answeredWith = response.id.href;
});
inbox.on(Activity, async (ctx, activity) => {
  // Catch-all for types without a dedicated listener (Move, Add, Remove, Block, Flag, ...).
  await record(ctx, activity, 'Activity');
});
inbox.onError((_ctx, error) => {
  log('inbox listener error:', error);
});
inbox.onUnverifiedActivity(async (ctx, activity, reason) => {
  let raw = null;
  try {
    raw = await activity.toJsonLd({ contextLoader: ctx.contextLoader });
  } catch {
    // ignore
  }
  const headers = {};
  for (const name of ['signature', 'signature-input', 'digest', 'content-digest', 'date', 'host']) {
    const v = ctx.request.headers.get(name);
    if (v != null) headers[name] = v;
  }
  const entry = {
    type: typeof raw?.type === 'string' ? raw.type : 'Activity',
    id: activity.id?.href ?? null,
    actor: activity.actorId?.href ?? null,
    reason: { type: reason.type, keyId: reason.keyId?.href ?? null, ...(reason.result ? { result: safeReason(reason.result) } : {}) },
    url: ctx.request.url,
    headers,
    raw,
    receivedAt: new Date().toISOString(),
  };
  unverified.push(entry);
  log(`unverified ${entry.type} ${entry.id} from ${entry.actor}: ${reason.type}`);
});

function safeReason(result) {
  try {
    return JSON.parse(JSON.stringify(result, (_k, v) => (v instanceof URL ? v.href : v instanceof Error ? String(v) : v)));
  } catch {
    return String(result);
  }
}

function idOf(value) {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof value.id === 'string') return value.id;
  return undefined;
}

async function record(ctx, activity, listenerType) {
  let raw = null;
  try {
    raw = await activity.toJsonLd({ contextLoader: ctx.contextLoader });
  } catch (error) {
    log('toJsonLd failed:', error);
  }
  const obj = raw?.object;
  const entry = {
    type: typeof raw?.type === 'string' ? raw.type : listenerType,
    id: activity.id?.href ?? null,
    actor: activity.actorId?.href ?? null,
    objectId: activity.objectId?.href ?? undefined,
    objectType: obj && typeof obj === 'object' && !Array.isArray(obj) && typeof obj.type === 'string' ? obj.type : undefined,
    recipient: ctx.recipient ?? null, // "peer" for the personal inbox, null for the shared inbox
    raw,
    ...(activity.id != null && inflight.has(activity.id.href) ? inflight.get(activity.id.href) : {}),
    receivedAt: new Date().toISOString(),
  };
  received.push(entry);
  log(`received ${entry.type} ${entry.id} from ${entry.actor}${entry.objectId ? ` (object ${entry.objectId})` : ''}`);
  return entry;
}

function noteFollowResponse(entry, state) {
  const inner = entry.raw?.object;
  const followId = idOf(inner);
  for (const f of following.values()) {
    if (followId != null ? f.followId === followId : f.target === entry.actor) {
      f.state = state;
    }
  }
}

async function recordSent(activity, recipient) {
  let raw = null;
  try {
    raw = await activity.toJsonLd();
  } catch {
    // ignore
  }
  sent.push({
    type: typeof raw?.type === 'string' ? raw.type : activity.constructor.name,
    id: activity.id?.href ?? null,
    to: recipient?.id?.href ?? null,
    inbox: recipient?.inboxId?.href ?? null,
    raw,
    sentAt: new Date().toISOString(),
  });
}


function newActivityId(ctx, cls) {
  return ctx.getObjectUri(cls, { id: randomUUID() });
}

function storeActivity(activity) {
  const url = activity.id;
  const [, segment, id] = url.pathname.split('/');
  activities.set(`${segment}/${id}`, activity);
}

// ----------------------------------------------------------------------------------------------
// Control API

class HttpError extends Error {
  constructor(status, message, extra = {}) {
    super(message);
    this.status = status;
    this.extra = extra;
  }
}

function requireString(body, field) {
  const v = body?.[field];
  if (typeof v !== 'string' || v.length === 0) throw new HttpError(400, `"${field}" must be a non-empty string`);
  return v;
}

function requireUrl(body, field) {
  const v = requireString(body, field);
  try {
    return new URL(v);
  } catch {
    throw new HttpError(400, `"${field}" must be an absolute URL`);
  }
}

async function resolveActor(ctx, target) {
  let actor;
  try {
    actor = await ctx.lookupObject(target);
  } catch (error) {
    throw new HttpError(502, `lookup of ${target} failed: ${error?.message ?? error}`);
  }
  if (actor == null) throw new HttpError(404, `could not resolve ${target} (WebFinger/dereference returned nothing)`);
  if (!isActor(actor)) throw new HttpError(422, `${target} is not an actor`);
  if (actor.id == null || actor.inboxId == null) throw new HttpError(422, `${target} has no id or inbox`);
  return actor;
}

function describeError(error) {
  if (error instanceof SendActivityError) {
    return { error: error.message, inbox: error.inbox?.href, statusCode: error.statusCode, responseBody: error.responseBody };
  }
  return { error: String(error?.message ?? error) };
}

async function deliver(ctx, recipient, activity) {
  storeActivity(activity);
  try {
    await ctx.sendActivity({ identifier: IDENTIFIER }, recipient, activity, { immediate: true });
  } catch (error) {
    const info = describeError(error);
    throw new HttpError(502, `delivery of ${activity.id?.href} to ${recipient.inboxId?.href} failed: ${info.error}`, info);
  }
  await recordSent(activity, recipient);
}

async function createNote(ctx, { content, inReplyTo, to }) {
  const me = ctx.getActorUri(IDENTIFIER);
  const recipients = [];
  for (const t of to) recipients.push(await resolveActor(ctx, t));
  const noteLocalId = randomUUID();
  const noteId = ctx.getObjectUri(Note, { id: noteLocalId });
  const published = Temporal.Now.instant();
  const mentions = recipients.map(
    (a) =>
      new Mention({
        href: a.id,
        name: a.preferredUsername ? `@${a.preferredUsername}@${a.id.host}` : a.id.href,
      }),
  );
  const note = new Note({
    id: noteId,
    attribution: me,
    content,
    replyTarget: inReplyTo ?? null,
    published,
    url: noteId,
    tos: [PUBLIC_COLLECTION, ...recipients.map((a) => a.id)],
    ccs: [ctx.getFollowersUri(IDENTIFIER)],
    tags: mentions,
  });
  notes.set(noteLocalId, note);
  const create = new Create({
    id: newActivityId(ctx, Create),
    actor: me,
    object: note,
    published,
    tos: note.toIds,
    ccs: note.ccIds,
  });
  for (const r of recipients) await deliver(ctx, r, create);
  return { noteId: noteId.href, activityId: create.id.href };
}

async function handleControl(req, res, path) {
  const ctx = federation.createContext(new URL(origin), undefined);
  const me = ctx.getActorUri(IDENTIFIER);
  const method = req.method ?? 'GET';
  const body = method === 'POST' ? await readJson(req) : undefined;

  switch (`${method} ${path}`) {
    case 'GET /control/info':
    case 'GET /control/health':
      return {
        ready: true,
        origin,
        actor: me.href,
        handle: `@${IDENTIFIER}@${new URL(origin).host}`,
        inbox: ctx.getInboxUri(IDENTIFIER).href,
        sharedInbox: ctx.getInboxUri().href,
        followers: ctx.getFollowersUri(IDENTIFIER).href,
        keyIds: (await ctx.getActorKeyPairs(IDENTIFIER)).map((k) => k.keyId.href),
        firstKnock: firstKnock ?? 'rfc9421 (Fedify default)',
        followPolicy,
        fedifyVersion: FEDIFY_VERSION,
        node: process.versions.node,
      };

    case 'POST /control/follow': {
      const target = requireString(body, 'target');
      const actor = await resolveActor(ctx, target);
      const follow = new Follow({ id: newActivityId(ctx, Follow), actor: me, object: actor.id, to: actor.id });
      following.set(actor.id.href, { target: actor.id.href, followId: follow.id.href, inbox: actor.inboxId.href, state: 'pending', follow });
      await deliver(ctx, actor, follow);
      return { followId: follow.id.href, target: actor.id.href, inbox: actor.inboxId.href };
    }

    case 'POST /control/unfollow': {
      const target = requireString(body, 'target');
      const actor = await resolveActor(ctx, target);
      const known = following.get(actor.id.href);
      const followId = typeof body.followId === 'string' ? new URL(body.followId) : known ? new URL(known.followId) : null;
      if (followId == null) throw new HttpError(409, `not following ${actor.id.href} (and no followId given)`);
      const undo = new Undo({
        id: newActivityId(ctx, Undo),
        actor: me,
        object: new Follow({ id: followId, actor: me, object: actor.id }),
        to: actor.id,
      });
      await deliver(ctx, actor, undo);
      following.delete(actor.id.href);
      return { undoId: undo.id.href, activityId: undo.id.href, followId: followId.href, target: actor.id.href };
    }

    case 'POST /control/reply': {
      const inReplyTo = requireUrl(body, 'inReplyTo');
      const to = requireString(body, 'to');
      const content = requireString(body, 'content');
      return await createNote(ctx, { content, inReplyTo, to: [to] });
    }

    case 'POST /control/post': {
      // Extra: a Note to explicit actors (to: string | string[]), optionally a reply.
      const content = requireString(body, 'content');
      const to = Array.isArray(body.to) ? body.to : [requireString(body, 'to')];
      const inReplyTo = typeof body.inReplyTo === 'string' ? requireUrl(body, 'inReplyTo') : undefined;
      return await createNote(ctx, { content, inReplyTo, to });
    }

    case 'POST /control/like': {
      const object = requireUrl(body, 'object');
      const actor = await resolveActor(ctx, requireString(body, 'to'));
      const like = new Like({ id: newActivityId(ctx, Like), actor: me, object, to: actor.id });
      await deliver(ctx, actor, like);
      return { activityId: like.id.href };
    }

    case 'POST /control/unlike': {
      const likeId = requireUrl(body, 'activityId');
      const object = requireUrl(body, 'object');
      const actor = await resolveActor(ctx, requireString(body, 'to'));
      const undo = new Undo({
        id: newActivityId(ctx, Undo),
        actor: me,
        object: new Like({ id: likeId, actor: me, object }),
        to: actor.id,
      });
      await deliver(ctx, actor, undo);
      return { activityId: undo.id.href, undoId: undo.id.href };
    }

    case 'GET /control/received':
      return received;

    case 'GET /control/unverified':
      return unverified;

    case 'GET /control/sent':
      return sent;

    case 'GET /control/state':
      return {
        followers: [...followers.keys()],
        following: [...following.values()].map(({ target, followId, inbox, state }) => ({ target, followId, inbox, state })),
        notes: [...notes.values()].map((n) => n.id.href),
        followPolicy,
      };

    case 'POST /control/follow-policy': {
      const policy = requireString(body, 'policy');
      if (!FOLLOW_POLICIES.has(policy)) throw new HttpError(400, `policy must be one of ${[...FOLLOW_POLICIES].join(', ')}`);
      followPolicy = policy;
      return { followPolicy };
    }

    case 'POST /control/reset': {
      received = [];
      unverified = [];
      sent = [];
      if (body?.cache === true) {
        // Forget cached remote documents/keys, remembered signature specs and idempotence keys.
        kvInner = new MemoryKvStore();
      }
      return { ok: true };
    }

    default:
      throw new HttpError(404, `unknown control endpoint ${method} ${path}`);
  }
}

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

function sendJson(res, status, value) {
  const payload = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': payload.length });
  res.end(payload);
}

function isLoopback(address) {
  if (address == null) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

// ----------------------------------------------------------------------------------------------
// node:http <-> Fetch API bridge

async function handle(req, res) {
  const path = (req.url ?? '/').split('?')[0];
  if (path.startsWith('/control/')) {
    if (!isLoopback(req.socket.remoteAddress)) return sendJson(res, 403, { error: 'control API is loopback-only' });
    if (federation == null) return sendJson(res, 503, { error: 'starting' });
    try {
      const result = await handleControl(req, res, path);
      return sendJson(res, 200, result);
    } catch (error) {
      if (error instanceof HttpError) return sendJson(res, error.status, { error: error.message, ...error.extra });
      log('control error:', error);
      return sendJson(res, 500, { error: String(error?.message ?? error) });
    }
  }
  if (federation == null) return sendJson(res, 503, { error: 'starting' });

  const method = req.method ?? 'GET';
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
        inflight.set(wireId, { wire, httpSignature: describeHttpSignature(request.headers) });
      }
    } catch {
      // not JSON: Fedify will answer it
    }
  }
  try {
    const response = await federation.fetch(request, { contextData: undefined });
    await writeResponse(res, response, method === 'HEAD');
  } finally {
    if (wireId != null) inflight.delete(wireId);
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
  const url = new URL(req.url ?? '/', `http://${hostHeader}`);
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
process.stdout.write(`${JSON.stringify({ ready: true, origin, actor: actorUri })}\n`);
log(`listening on ${origin} as ${actorUri} (Fedify ${FEDIFY_VERSION}, firstKnock=${firstKnock ?? 'default(rfc9421)'}, followPolicy=${followPolicy})`);
