/**
 * Starts and drives the Fedify peer (test/e2e/peer/fedify-peer.mjs): a real, independent
 * ActivityPub server running in a child process, so jest never loads Fedify's ESM.
 *
 *   const peer = await startFedifyPeer({ extraCaCerts: ca.caCertPath });
 *   const { followId } = await peer.follow('@alice@localhost:8443');
 *   await peer.waitFor((a) => a.type === 'Accept' && a.objectId === followId);
 *   const { noteId } = await peer.post({ content: '<p>hi</p>', mentions: ['@alice@localhost:8443'] });
 *   await peer.stop();
 *
 * With `tls: ca` the peer serves https://localhost:PORT (handle @peer@localhost:PORT, WebFinger
 * over https); its control API then answers on a plain-http loopback port (`controlUrl`).
 * Every sending call is delivered before it returns (Fedify `immediate` sends): a recipient's
 * inbox answered by then, so "did not arrive" can be asserted right after the call.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const PEER_DIR = join(__dirname, '..', 'peer');
export const PEER_SCRIPT = join(PEER_DIR, 'fedify-peer.mjs');
export const PEER_POLYFILL = join(PEER_DIR, 'polyfill.mjs');

/** An activity the peer received in an inbox, after Fedify verified its signature. */
export interface ReceivedActivity {
  /** Activity type as sent, e.g. "Accept", "Create", "Undo". */
  type: string;
  id: string | null;
  actor: string | null;
  objectId?: string;
  /** Type of the embedded object (e.g. "Note", "Follow"), when the object was embedded. */
  objectType?: string;
  /** "peer" when delivered to the personal inbox, null for the shared inbox (/inbox). */
  recipient: string | null;
  /** Compact JSON-LD of the activity (Fedify's `toJsonLd()`). */
  raw: Record<string, unknown>;
  /** ISO timestamp. */
  receivedAt: string;
  /** For Follows the peer answered: id of the Accept/Reject it sent back. */
  answeredWith?: string;
  /** The JSON body exactly as POSTed to the inbox (absent if it could not be matched by id). */
  wire?: Record<string, unknown>;
  /** How the inbox POST was HTTP-signed (absent together with `wire`). */
  httpSignature?: HttpSignatureInfo;
}

export interface HttpSignatureInfo {
  /** null: no HTTP signature (Fedify then accepted an LD signature / integrity proof). */
  spec: 'draft-cavage' | 'rfc9421' | null;
  keyId: string | null;
  /** draft-cavage `algorithm` (e.g. "rsa-sha256", "hs2019") or RFC 9421 `alg`. */
  algorithm: string | null;
  /** Signed headers / covered components. */
  headers: string[] | null;
}

/** An activity that reached the inbox but failed signature verification (Fedify answered 401). */
export interface UnverifiedActivity {
  type: string;
  id: string | null;
  actor: string | null;
  reason: { type: 'keyFetchError' | 'invalidSignature' | 'noSignature'; keyId: string | null; result?: unknown };
  url: string;
  /** signature, signature-input, digest, content-digest, date, host (those present). */
  headers: Record<string, string>;
  raw: Record<string, unknown> | null;
  receivedAt: string;
}

/** An activity the peer sent (control calls and automatic Accept/Reject). */
export interface SentActivity {
  type: string;
  id: string | null;
  /** Recipient actor URI (for `deleteSelf` inboxes: the inbox URL). */
  to: string | null;
  inbox: string | null;
  /** "followers" when delivered through the followers collection. */
  via?: 'followers';
  raw: Record<string, unknown> | null;
  sentAt: string;
}

export interface PeerInfo {
  ready: true;
  origin: string;
  /** Where the control API answers (the origin, or a plain-http loopback port with TLS). */
  control: string;
  tls: boolean;
  actor: string;
  handle: string;
  inbox: string;
  sharedInbox: string;
  followers: string;
  keyIds: string[];
  firstKnock: string;
  followPolicy: FollowPolicy;
  fedifyVersion: string;
  node: string;
}

export interface PeerState {
  /** Actor URIs following the peer (Follows it accepted, minus Undo/Block/Delete(actor)). */
  followers: string[];
  following: Array<{ target: string; followId: string; inbox: string; state: 'pending' | 'accepted' | 'rejected' }>;
  /** Ids of the (not deleted) notes the peer created. */
  notes: string[];
  /** Every note the peer created. `updated`: ISO instant of the last edit. */
  ownNotes: Array<{ id: string; visibility: Visibility; deleted: boolean; updated: string | null }>;
  /** Announces the peer sent. */
  announces: Array<{ id: string; object: string; undone: boolean }>;
  /** Actors the peer blocks. */
  blocks: Array<{ target: string; blockId: string }>;
  /** Actors that sent the peer a Block (dropped again on their Undo(Block)). */
  blockedBy: Array<{ actor: string; blockId: string; receivedAt: string }>;
  /** Actors whose Delete(actor) the peer received. `verified: false`: the signature could not
   *  be checked because the actor's key answered 410 Gone (accepted like Mastodon does). */
  deletedActors: Array<{ actor: string; activityId: string; verified: boolean; receivedAt: string }>;
  /** Set after `deleteSelf()`. */
  selfDeleted: { activityId: string; deletedAt: string } | null;
  followPolicy: FollowPolicy;
}

export type FollowPolicy = 'accept' | 'reject' | 'ignore';

export interface FollowResult {
  followId: string;
  /** Resolved actor URI. */
  target: string;
  /** The inbox the Follow was delivered to. */
  inbox: string;
}

export interface UnfollowResult {
  undoId: string;
  activityId: string;
  followId: string;
  target: string;
}

/**
 * Addressing of a post, as Mastodon does it (F = the peer's followers collection):
 *   public     to [Public, ...to]   cc [F, ...mentions, quoted author]
 *   unlisted   to [F, ...to]        cc [Public, ...mentions, quoted author]
 *   followers  to [F, ...to]        cc [...mentions, quoted author]
 *   direct     to [...to, ...mentions]   cc [quoted author]
 * All but `direct` are delivered to the followers (Fedify's followers dispatcher); every named
 * actor is delivered to as well, each inbox once.
 */
export type Visibility = 'public' | 'unlisted' | 'followers' | 'direct';

export interface ReplyOptions {
  /** URI of the note replied to (put in `inReplyTo`; need not exist). */
  inReplyTo: string;
  /** Actor URI or handle to address and deliver to (also mentioned). */
  to: string;
  /** HTML content, e.g. "<p>hi</p>". */
  content: string;
  /** Default "public". */
  visibility?: Visibility;
}

export interface PostOptions {
  /** HTML content, used as is. */
  content: string;
  /** Actor URIs/handles addressed in `to`, Mention-tagged and delivered to. */
  to?: string | string[];
  /** Actor URIs/handles Mention-tagged (`name` "@user@host"), addressed (cc; to when direct)
   *  and delivered to. */
  mentions?: string | string[];
  /** Default "public". */
  visibility?: Visibility;
  inReplyTo?: string;
  /** URI of a post to quote: sets FEP-044f `quote`, `quoteUrl`, `_misskey_quote`, `quoteUri`
   *  and an FEP-e232 Link tag (mediaType AS2, name "RE: <uri>"); content is not changed.
   *  The quoted post's author (from its `attributedTo`, fetched with a signed GET, or
   *  `quoteAuthor`) is cc'd and delivered to. */
  quote?: string;
  /** Actor URI/handle of the quoted post's author, if the post cannot be fetched. */
  quoteAuthor?: string;
}

export interface NoteResult {
  noteId: string;
  /** Id of the Create activity. */
  activityId: string;
  visibility: Visibility;
  /** Addressing of the note and its Create (full URIs, Public as ...#Public). */
  to: string[];
  cc: string[];
  /** Inbox URLs the Create was delivered to. */
  deliveredTo: string[];
}

export interface UpdateResult {
  noteId: string;
  /** Id of the Update activity. */
  activityId: string;
  /** ISO instant put in the note's `updated`. */
  updated: string;
  deliveredTo: string[];
}

export interface DeleteResult {
  noteId: string;
  /** Id of the Delete activity (its object is a Tombstone with the note id). */
  activityId: string;
  deliveredTo: string[];
}

export interface AnnounceOptions {
  /** URI of the object to announce (any post, the peer's own or another server's). */
  object: string;
  /** Actor URI/handle of the object's author; default: fetched from its `attributedTo`. */
  author?: string;
  /** More actors to cc and deliver to. */
  to?: string | string[];
}

export interface AnnounceResult {
  /** Id of the Announce (to Public, cc followers + author). */
  activityId: string;
  object: string;
  /** Resolved author actor URI. */
  author: string;
  deliveredTo: string[];
}

export interface UndoResult {
  /** Id of the Undo (same as undoId). */
  activityId: string;
  undoId: string;
}

export interface BlockResult {
  /** Id of the Block. */
  activityId: string;
  /** Resolved actor URI. */
  target: string;
  inbox: string;
}

export interface DeleteSelfOptions {
  /** Actor URIs/handles to deliver to besides the followers. */
  to?: string | string[];
  /** Inbox URLs to deliver to besides the followers. */
  inboxes?: string | string[];
  /** Answer 410 before sending, so receivers cannot fetch the key any more (default false:
   *  the actor goes away once every delivery was answered). */
  goneFirst?: boolean;
}

export interface DeleteSelfResult {
  /** Id of the Delete (actor = object = the peer, to Public, cc followers). */
  activityId: string;
  actor: string;
  deliveredTo: string[];
}

/** A post by someone else, as the peer last saw it (from the received log). */
export interface SeenNote {
  id: string;
  /** Sender of the last Create/Update (or Delete). */
  actor: string | null;
  type: string | null;
  attributedTo: string | null;
  content: string | null;
  summary: string | null;
  sensitive: boolean | null;
  inReplyTo: string | null;
  /** Full URIs; "as:Public" is expanded to https://www.w3.org/ns/activitystreams#Public. */
  to: string[];
  cc: string[];
  /** `tag` as sent, always an array (Mention, Hashtag, Link...). */
  tag: Array<Record<string, unknown>>;
  /** FEP-044f `quote` and the compat properties, each as sent (null when absent). */
  quote: string | null;
  quoteUrl: string | null;
  misskeyQuote: string | null;
  quoteUri: string | null;
  published: string | null;
  updated: string | null;
  url: unknown;
  /** The object JSON exactly as POSTed (Fedify's compact form if the body could not be matched). */
  object: Record<string, unknown> | null;
  /** Id of the Create that brought it (null if only an Update or Delete arrived). */
  createdBy: string | null;
  /** Ids of the Updates received for it, oldest first. */
  updatedBy: string[];
  deleted: boolean;
  deletedBy: string | null;
}

export interface SeenAnnounce {
  id: string;
  actor: string | null;
  object: string | null;
  to: string[];
  cc: string[];
  published: string | null;
  /** An Undo of it was received. */
  undone: boolean;
}

export interface SeenView {
  notes: SeenNote[];
  announces: SeenAnnounce[];
}

export interface LikeOptions {
  /** URI of the liked object. */
  object: string;
  /** Actor URI or handle whose inbox receives the Like. */
  to: string;
}

export interface UnlikeOptions extends LikeOptions {
  /** Id of the Like to undo (from `like()`). */
  activityId: string;
}

export type ReceivedPredicate = (activity: ReceivedActivity, all: ReceivedActivity[]) => boolean;

export interface FedifyPeer {
  /** e.g. "http://127.0.0.1:41234". */
  readonly origin: string;
  /** e.g. "http://127.0.0.1:41234/users/peer". */
  readonly actorUri: string;
  /** "@peer@127.0.0.1:41234"; with `tls`, "@peer@localhost:41234" (WebFinger over https). */
  readonly handle: string;
  /** Base URL of the control API (plain http on loopback, also with TLS). */
  readonly controlUrl: string;
  readonly inboxUri: string;
  readonly sharedInboxUri: string;
  readonly pid: number;

  /** Resolves `target` (handle via WebFinger over https, or actor URL) and sends Follow. */
  follow(target: string): Promise<FollowResult>;
  /** Sends Undo(Follow) for the last Follow sent to `target` (or `followId`). */
  unfollow(target: string, followId?: string): Promise<UnfollowResult>;
  /** Sends Create(Note) replying to `inReplyTo`, addressed to `to` (mentioned) and Public. */
  reply(opts: ReplyOptions): Promise<NoteResult>;
  /** Sends Create(Note) by visibility to followers and named actors (see Visibility). The note
   *  is then served at its id (AS2 JSON; followers-only/direct ones only to signed GETs by
   *  followers/addressees, others get 401). */
  post(opts: PostOptions): Promise<NoteResult>;
  /** Edits a note the peer posted: Update(Note) with new content and `updated`, same audience. */
  update(opts: { noteId: string; content: string }): Promise<UpdateResult>;
  /** Deletes a note the peer posted: Delete(Tombstone) to its audience; GET noteId then 410. */
  delete(opts: { noteId: string }): Promise<DeleteResult>;
  /** Announce (boost) of any object, to followers + the object's author. */
  announce(opts: AnnounceOptions): Promise<AnnounceResult>;
  /** Undo(Announce) of an Announce from `announce()`, to the same recipients. */
  unannounce(opts: { activityId: string }): Promise<UndoResult & { announceId: string; deliveredTo: string[] }>;
  /** Block of an actor (delivered to it only); drops it from followers/following locally.
   *  Later Follows from a blocked actor get a Reject. */
  block(target: string): Promise<BlockResult>;
  /** Undo(Block) of the last Block sent to `target` (or `blockId`). */
  unblock(target: string, blockId?: string): Promise<UndoResult & { blockId: string; target: string }>;
  /** Delete(actor) to the followers and the given actors/inboxes; afterwards the peer's actor
   *  and WebFinger answer 410 Gone and further sending operations answer 409. */
  deleteSelf(opts?: DeleteSelfOptions): Promise<DeleteSelfResult>;
  like(opts: LikeOptions): Promise<{ activityId: string }>;
  unlike(opts: UnlikeOptions): Promise<{ activityId: string; undoId: string }>;

  /** Activities received (verified), oldest first. */
  received(): Promise<ReceivedActivity[]>;
  /** Activities rejected for failed signature verification. */
  unverified(): Promise<UnverifiedActivity[]>;
  /** Activities the peer sent. */
  sent(): Promise<SentActivity[]>;
  info(): Promise<PeerInfo>;
  /** Followers, following (with states), own notes/announces, blocks both ways, deleted actors. */
  state(): Promise<PeerState>;
  /** Others' posts and announces the peer received (folded from `received()`, so `reset()`
   *  clears them too). */
  seen(): Promise<SeenView>;
  /** Polls `seen()` until a note matches; resolves with it. Default timeout 5000 ms. */
  waitForNote(predicate: (note: SeenNote) => boolean, timeoutMs?: number): Promise<SeenNote>;
  /** How the peer answers incoming Follows (default "accept"). */
  setFollowPolicy(policy: FollowPolicy): Promise<void>;
  /** Clears received/unverified/sent; with `{ cache: true }` also forgets cached remote
   *  documents and keys, remembered signature specs and idempotence keys. */
  reset(opts?: { cache?: boolean }): Promise<void>;
  /** Polls `received()` until an activity matches; resolves with it. Default timeout 5000 ms. */
  waitFor(predicate: ReceivedPredicate, timeoutMs?: number): Promise<ReceivedActivity>;
  /** SIGTERM, waits for exit (SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
  /** Everything the peer wrote to stderr so far (logs, Fedify warnings). */
  stderr(): string;
}

export interface StartFedifyPeerOptions {
  /** PEM file of extra CAs the peer should trust (NODE_EXTRA_CA_CERTS), e.g. makeTestCa().caCertPath. */
  extraCaCerts?: string;
  /** Serve https (origin https://localhost:PORT) with this certificate, e.g. makeTestCa()'s. */
  tls?: { certPath: string; keyPath: string };
  /** Extra env: PEER_PORT, PEER_HOST, PEER_PUBLIC_HOST, PEER_FIRST_KNOCK, PEER_FOLLOW_POLICY, PEER_LOG_LEVEL, ... */
  env?: Record<string, string>;
  /** How long to wait for the ready line (default 20000 ms). */
  startTimeoutMs?: number;
  /** Mirror the peer's stderr to this process's stderr as it arrives (default: only with PEER_DEBUG=1). */
  echoStderr?: boolean;
}

export class PeerControlError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'PeerControlError';
  }
}

const STDERR_LIMIT = 1024 * 1024;

export async function startFedifyPeer(opts: StartFedifyPeerOptions = {}): Promise<FedifyPeer> {
  const env: NodeJS.ProcessEnv = { ...process.env, PEER_PORT: '0', PEER_EXIT_ON_STDIN_CLOSE: '1' };
  // Don't leak the test runner's own preloads/loaders into the peer.
  delete env.NODE_OPTIONS;
  if (opts.extraCaCerts != null) env.NODE_EXTRA_CA_CERTS = opts.extraCaCerts;
  if (opts.tls != null) {
    env.PEER_TLS_CERT = opts.tls.certPath;
    env.PEER_TLS_KEY = opts.tls.keyPath;
  }
  Object.assign(env, opts.env);
  const echo = opts.echoStderr ?? process.env.PEER_DEBUG === '1';

  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(PEER_POLYFILL).href, PEER_SCRIPT],
    { env, stdio: ['pipe', 'pipe', 'pipe'] },
  );

  let stderrBuf = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderrBuf += chunk;
    if (stderrBuf.length > STDERR_LIMIT) stderrBuf = stderrBuf.slice(-STDERR_LIMIT);
    if (echo) process.stderr.write(chunk);
  });

  let exited = child.exitCode != null;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      child.stdin?.destroy();
      resolve();
    });
  });

  let ready: { origin: string; actor: string; control: string };
  try {
    ready = await waitForReady(child, opts.startTimeoutMs ?? 20000, () => stderrBuf);
  } catch (error) {
    if (!exited) {
      child.kill('SIGKILL');
      await exitPromise;
    }
    throw error;
  }
  // stdout carries nothing after the ready line; keep draining it anyway.
  child.stdout!.resume();

  const origin = ready.origin;
  const controlUrl = ready.control;
  const control = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    if (exited) throw new PeerControlError(`fedify peer has exited; stderr:\n${tail(stderrBuf)}`, 0, null);
    const res = await fetch(`${controlUrl}/control/${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      // keep text
    }
    if (!res.ok) {
      const msg = (parsed as { error?: string } | null)?.error ?? text;
      throw new PeerControlError(`peer ${method} /control/${path} -> ${res.status}: ${msg}`, res.status, parsed);
    }
    return parsed as T;
  };

  const received = () => control<ReceivedActivity[]>('GET', 'received');
  const seen = () => control<SeenView>('GET', 'seen');
  /** Calls `probe` with backoff until it returns something; on timeout throws with `describe()`. */
  const poll = async <T>(probe: () => Promise<T | undefined>, timeoutMs: number, describe: () => Promise<string>): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    let delay = 25;
    for (;;) {
      const hit = await probe();
      if (hit !== undefined) return hit;
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(1, deadline - Date.now()))));
      delay = Math.min(delay * 2, 200);
    }
    throw new Error(`waitFor timed out after ${timeoutMs} ms on peer ${origin}.\n${await describe()}\nPeer stderr (tail):\n${tail(stderrBuf)}`);
  };
  const unverified = () => control<UnverifiedActivity[]>('GET', 'unverified');
  const host = new URL(origin).host;

  const peer: FedifyPeer = {
    origin,
    actorUri: ready.actor,
    handle: `@peer@${host}`,
    controlUrl,
    inboxUri: `${ready.actor}/inbox`,
    sharedInboxUri: `${origin}/inbox`,
    pid: child.pid!,

    follow: (target) => control<FollowResult>('POST', 'follow', { target }),
    unfollow: (target, followId) =>
      control<UnfollowResult>('POST', 'unfollow', followId == null ? { target } : { target, followId }),
    reply: (o) => control<NoteResult>('POST', 'reply', o),
    post: (o) => control<NoteResult>('POST', 'post', o),
    update: (o) => control<UpdateResult>('POST', 'update', o),
    delete: (o) => control<DeleteResult>('POST', 'delete', o),
    announce: (o) => control<AnnounceResult>('POST', 'announce', o),
    unannounce: (o) => control('POST', 'unannounce', o),
    block: (target) => control<BlockResult>('POST', 'block', { target }),
    unblock: (target, blockId) => control('POST', 'unblock', blockId == null ? { target } : { target, blockId }),
    deleteSelf: (o = {}) => control<DeleteSelfResult>('POST', 'delete-self', o),
    like: (o) => control<{ activityId: string }>('POST', 'like', { object: o.object, to: o.to }),
    unlike: (o) =>
      control<{ activityId: string; undoId: string }>('POST', 'unlike', {
        activityId: o.activityId,
        object: o.object,
        to: o.to,
      }),

    received,
    unverified,
    sent: () => control<SentActivity[]>('GET', 'sent'),
    info: () => control<PeerInfo>('GET', 'info'),
    state: () => control<PeerState>('GET', 'state'),
    seen,
    waitForNote: (predicate, timeoutMs = 5000) =>
      poll(
        async () => (await seen()).notes.find((n) => predicate(n)),
        timeoutMs,
        async () => `Seen notes:\n  ${(await seen()).notes.map((n) => `${n.id}${n.deleted ? ' (deleted)' : ''}`).join('\n  ') || '(none)'}`,
      ),
    setFollowPolicy: async (policy) => {
      await control('POST', 'follow-policy', { policy });
    },
    reset: async (o) => {
      await control('POST', 'reset', o?.cache ? { cache: true } : {});
    },

    async waitFor(predicate, timeoutMs = 5000) {
      let last: ReceivedActivity[] = [];
      return poll(
        async () => {
          last = await received();
          return last.find((a) => predicate(a, last));
        },
        timeoutMs,
        async () => {
          let rejected: UnverifiedActivity[] = [];
          try {
            rejected = await unverified();
          } catch {
            // ignore
          }
          const summary = last.map((a) => `${a.type} ${a.id ?? '?'} from ${a.actor ?? '?'}`).join('\n  ') || '(none)';
          const rejectedSummary = rejected
            .map((a) => `${a.type} ${a.id ?? '?'} from ${a.actor ?? '?'}: ${a.reason.type}`)
            .join('\n  ');
          return `Received:\n  ${summary}` + (rejectedSummary ? `\nRejected (signature not verified):\n  ${rejectedSummary}` : '');
        },
      );
    },

    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, 5000);
      await exitPromise;
      clearTimeout(timer);
    },

    stderr: () => stderrBuf,
  };
  return peer;
}

function tail(s: string, lines = 40): string {
  return s.split('\n').slice(-lines).join('\n');
}

function waitForReady(
  child: ChildProcess,
  timeoutMs: number,
  stderr: () => string,
): Promise<{ origin: string; actor: string; control: string }> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl).trim();
      cleanup();
      try {
        const msg = JSON.parse(line) as { ready?: boolean; origin?: string; actor?: string; control?: string };
        if (msg.ready === true && typeof msg.origin === 'string' && typeof msg.actor === 'string') {
          resolve({ origin: msg.origin, actor: msg.actor, control: msg.control ?? msg.origin });
          return;
        }
      } catch {
        // fall through
      }
      reject(new Error(`fedify peer printed an unexpected first line: ${line}\nstderr:\n${tail(stderr())}`));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      reject(new Error(`fedify peer exited before ready (code ${code}, signal ${signal}); stderr:\n${tail(stderr())}`));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new Error(`could not start fedify peer: ${error.message}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`fedify peer not ready after ${timeoutMs} ms; stderr:\n${tail(stderr())}`));
    }, timeoutMs);
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}
