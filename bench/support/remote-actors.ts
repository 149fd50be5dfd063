// A pool of remote actors, each with its own RSA-2048 key, served on one loopback server (only
// key fetches reach it: the benches warm the receivers' key caches before measuring), and inbox
// POSTs signed by them the way Mastodon signs (draft-cavage, rsa-sha256), built ahead of time.
import { type KeyObject, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signCavageRequest } from '../../services/signatures/cavage-sign';
import type { PreparedRequest } from './load';
import { onCleanup } from './processes';

export interface RemoteActor {
  uri: string;
  keyId: string;
  privateKey: KeyObject;
}

export interface RemoteActors {
  origin: string;
  actors: RemoteActor[];
  /** actor documents served so far (a warm key cache fetches none) */
  fetches(): number;
}

const CONTEXT = ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'];

export async function startRemoteActors(count: number): Promise<RemoteActors> {
  const pems = new Map<string, string>();
  const actors: RemoteActor[] = [];
  let origin = '';
  let fetches = 0;
  const server = createServer((req, res) => {
    fetches++;
    const name = /^\/users\/([^/#?]+)$/.exec(req.url ?? '')?.[1];
    const pem = name && pems.get(name);
    if (!pem) return void res.writeHead(404).end();
    const id = `${origin}/users/${name}`;
    res.writeHead(200, { 'content-type': 'application/activity+json' });
    res.end(JSON.stringify({
      '@context': CONTEXT,
      id,
      type: 'Person',
      preferredUsername: name,
      inbox: `${id}/inbox`,
      followers: `${id}/followers`,
      endpoints: { sharedInbox: `${origin}/inbox` },
      publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: pem },
    }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onCleanup(() => new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  }));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (let i = 0; i < count; i++) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const name = `r${i}`;
    pems.set(name, pair.publicKey);
    actors.push({ uri: `${origin}/users/${name}`, keyId: `${origin}/users/${name}#main-key`, privateKey: createPrivateKey(pair.privateKey) });
  }
  return { origin, actors, fetches: () => fetches };
}

let seq = 0;

/** A Create(Note) in reply to `inReplyTo` (~700 bytes), or a Like of it, by `actor`; fresh ids. */
export function activity(actor: RemoteActor, kind: 'Create' | 'Like', inReplyTo: string): Record<string, unknown> {
  const n = ++seq;
  const base = `${actor.uri}/statuses/${process.pid}-${n}`;
  if (kind === 'Like') return { '@context': CONTEXT[0], id: `${base}#like`, type: 'Like', actor: actor.uri, object: inReplyTo };
  return {
    '@context': CONTEXT,
    id: `${base}/activity`,
    type: 'Create',
    actor: actor.uri,
    published: new Date().toISOString(),
    to: ['https://www.w3.org/ns/activitystreams#Public'],
    cc: [`${actor.uri}/followers`],
    object: {
      id: base,
      type: 'Note',
      attributedTo: actor.uri,
      inReplyTo,
      published: new Date().toISOString(),
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      cc: [`${actor.uri}/followers`],
      content: `<p>reply number ${n}: ${'some words of a reply '.repeat(12)}</p>`,
    },
  };
}

/** The signed POST of `body` to `inboxUrl`. */
export function signedInboxPost(inboxUrl: string, actor: RemoteActor, body: Record<string, unknown>): PreparedRequest {
  const raw = JSON.stringify(body);
  const headers = signCavageRequest({ method: 'POST', url: inboxUrl, headers: { 'content-type': 'application/activity+json' }, body: raw }, { keyId: actor.keyId, privateKey: actor.privateKey });
  return { path: new URL(inboxUrl).pathname, headers, body: raw };
}

/** `count` signed posts to `inboxUrl`, Creates and Likes alternating, actors in turn. */
export function inboxLoad(remote: RemoteActors, inboxUrl: string, inReplyTo: string, count: number): PreparedRequest[] {
  return Array.from({ length: count }, (_, i) => {
    const actor = remote.actors[i % remote.actors.length]!;
    return signedInboxPost(inboxUrl, actor, activity(actor, i % 2 === 0 ? 'Create' : 'Like', inReplyTo));
  });
}
