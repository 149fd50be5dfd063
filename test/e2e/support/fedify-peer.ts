/**
 * Starts and drives the Fedify peer (test/e2e/peer/fedify-peer.mjs): a real, independent
 * ActivityPub server running in a child process, so jest never loads Fedify's ESM.
 *
 *   const peer = await startFedifyPeer({ extraCaCerts: ca.caCertPath });
 *   const { followId } = await peer.follow('@alice@localhost:8443');
 *   await peer.waitFor((a) => a.type === 'Accept' && a.objectId === followId);
 *   await peer.stop();
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
  to: string | null;
  inbox: string | null;
  raw: Record<string, unknown> | null;
  sentAt: string;
}

export interface PeerInfo {
  ready: true;
  origin: string;
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
  /** Actor URIs following the peer. */
  followers: string[];
  following: Array<{ target: string; followId: string; inbox: string; state: 'pending' | 'accepted' | 'rejected' }>;
  /** Ids of notes the peer created. */
  notes: string[];
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

export interface ReplyOptions {
  /** URI of the note replied to (put in `inReplyTo`; need not exist). */
  inReplyTo: string;
  /** Actor URI or handle to address and deliver to (also mentioned). */
  to: string;
  /** HTML content, e.g. "<p>hi</p>". */
  content: string;
}

export interface PostOptions {
  content: string;
  /** One or more actor URIs/handles to address and deliver to. */
  to: string | string[];
  inReplyTo?: string;
}

export interface NoteResult {
  noteId: string;
  /** Id of the Create activity. */
  activityId: string;
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
  /** "@peer@127.0.0.1:41234" (WebFinger is served over plain http). */
  readonly handle: string;
  readonly inboxUri: string;
  readonly sharedInboxUri: string;
  readonly pid: number;

  /** Resolves `target` (handle via WebFinger over https, or actor URL) and sends Follow. */
  follow(target: string): Promise<FollowResult>;
  /** Sends Undo(Follow) for the last Follow sent to `target` (or `followId`). */
  unfollow(target: string, followId?: string): Promise<UnfollowResult>;
  /** Sends Create(Note) replying to `inReplyTo`, addressed to `to` and Public. */
  reply(opts: ReplyOptions): Promise<NoteResult>;
  /** Sends Create(Note) to one or more actors (optionally a reply). */
  post(opts: PostOptions): Promise<NoteResult>;
  like(opts: LikeOptions): Promise<{ activityId: string }>;
  unlike(opts: UnlikeOptions): Promise<{ activityId: string; undoId: string }>;

  /** Activities received (verified), oldest first. */
  received(): Promise<ReceivedActivity[]>;
  /** Activities rejected for failed signature verification. */
  unverified(): Promise<UnverifiedActivity[]>;
  /** Activities the peer sent. */
  sent(): Promise<SentActivity[]>;
  info(): Promise<PeerInfo>;
  state(): Promise<PeerState>;
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
  /** Extra env: PEER_PORT, PEER_HOST, PEER_FIRST_KNOCK, PEER_FOLLOW_POLICY, PEER_LOG_LEVEL, ... */
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

  let ready: { origin: string; actor: string };
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
  const control = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    if (exited) throw new PeerControlError(`fedify peer has exited; stderr:\n${tail(stderrBuf)}`, 0, null);
    const res = await fetch(`${origin}/control/${path}`, {
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
  const unverified = () => control<UnverifiedActivity[]>('GET', 'unverified');
  const host = new URL(origin).host;

  const peer: FedifyPeer = {
    origin,
    actorUri: ready.actor,
    handle: `@peer@${host}`,
    inboxUri: `${ready.actor}/inbox`,
    sharedInboxUri: `${origin}/inbox`,
    pid: child.pid!,

    follow: (target) => control<FollowResult>('POST', 'follow', { target }),
    unfollow: (target, followId) =>
      control<UnfollowResult>('POST', 'unfollow', followId == null ? { target } : { target, followId }),
    reply: (o) => control<NoteResult>('POST', 'reply', { inReplyTo: o.inReplyTo, to: o.to, content: o.content }),
    post: (o) => control<NoteResult>('POST', 'post', o),
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
    setFollowPolicy: async (policy) => {
      await control('POST', 'follow-policy', { policy });
    },
    reset: async (o) => {
      await control('POST', 'reset', o?.cache ? { cache: true } : {});
    },

    async waitFor(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      let delay = 25;
      let last: ReceivedActivity[] = [];
      for (;;) {
        last = await received();
        const hit = last.find((a) => predicate(a, last));
        if (hit) return hit;
        if (Date.now() >= deadline) break;
        await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(1, deadline - Date.now()))));
        delay = Math.min(delay * 2, 200);
      }
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
      throw new Error(
        `waitFor timed out after ${timeoutMs} ms on peer ${origin}.\nReceived:\n  ${summary}` +
          (rejectedSummary ? `\nRejected (signature not verified):\n  ${rejectedSummary}` : '') +
          `\nPeer stderr (tail):\n${tail(stderrBuf)}`,
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
): Promise<{ origin: string; actor: string }> {
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
        const msg = JSON.parse(line) as { ready?: boolean; origin?: string; actor?: string };
        if (msg.ready === true && typeof msg.origin === 'string' && typeof msg.actor === 'string') {
          resolve({ origin: msg.origin, actor: msg.actor });
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
