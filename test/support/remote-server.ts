// A small real ActivityPub server on loopback: serves actors with keys, records what its
// inboxes receive, and signs activities it posts to the gateway.
import { generateKeyPairSync, type KeyObject, createPrivateKey } from 'node:crypto';
import { type IncomingMessage, type RequestListener, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { signCavageRequest } from '../../services/signatures/cavage-sign';

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  method: string;
  httpVersion: string;
  url: string;
  body: string;
  json: Record<string, unknown>;
}

export interface RemoteServer {
  origin: string;
  actorUri(name: string): string;
  received: ReceivedRequest[];
  /** status the inbox answers with next (queue; 202 when empty) */
  inboxReplies: number[];
  /** extra documents served at a path (e.g. a forged actor under /media/) */
  documents: Map<string, object>;
  /** actor names whose document now answers 410 */
  goneActors: Set<string>;
  keyPem: { publicKeyPem: string; privateKeyPem: string };
  /** decides the inbox's answer when inboxReplies is empty (e.g. a server that verifies signatures its own way) */
  inboxGate?: (req: ReceivedRequest) => number | Promise<number>;
  /** Signs and posts `activity` as JSON, or `raw` text as it is; `body` is sent instead of what was signed. */
  post(url: string, activity: object, opts?: { as?: string; keyId?: string; body?: string; raw?: string; date?: Date; privateKey?: KeyObject }): Promise<Response>;
  close(): Promise<void>;
}

export interface RemoteServerOptions {
  /** serve https with this certificate (test/e2e/support/tls.ts), so handles resolve by WebFinger */
  tls?: { certPem: string; keyPem: string };
  /** host name in the origin (default 127.0.0.1; use localhost with tls) */
  host?: string;
}

export async function startRemoteServer(o: RemoteServerOptions = {}): Promise<RemoteServer> {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  const privateKey = createPrivateKey(pair.privateKey);
  const received: ReceivedRequest[] = [];
  const inboxReplies: number[] = [];
  const documents = new Map<string, object>();
  const goneActors = new Set<string>();
  let origin = '';
  const actorDoc = (name: string) => ({
    '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
    id: `${origin}/users/${name}`,
    type: 'Person',
    preferredUsername: name,
    name: name.toUpperCase(),
    summary: '<p>remote <script>alert(1)</script>person</p>',
    inbox: `${origin}/users/${name}/inbox`,
    endpoints: { sharedInbox: `${origin}/inbox` },
    icon: { type: 'Image', url: `${origin}/avatars/${name}.png` },
    url: `${origin}/@${name}`,
    publicKey: { id: `${origin}/users/${name}#main-key`, owner: `${origin}/users/${name}`, publicKeyPem: pair.publicKey },
  });

  const handler: RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      if (req.method === 'GET' && path.startsWith('/.well-known/webfinger?')) {
        const resource = new URL(path, origin).searchParams.get('resource') ?? '';
        const name = /^acct:([^@]+)@/.exec(resource)?.[1];
        if (!name || goneActors.has(name)) {
          res.writeHead(404);
          return res.end();
        }
        res.writeHead(200, { 'content-type': 'application/jrd+json' });
        return res.end(JSON.stringify({ subject: resource, links: [{ rel: 'self', type: 'application/activity+json', href: `${origin}/users/${name}` }] }));
      }
      const userMatch = /^\/users\/([^/#?]+)$/.exec(path);
      if (req.method === 'GET' && documents.has(path)) {
        res.writeHead(200, { 'content-type': 'application/activity+json' });
        return res.end(JSON.stringify(documents.get(path)));
      }
      if (req.method === 'GET' && userMatch && goneActors.has(userMatch[1]!)) {
        res.writeHead(410);
        return res.end();
      }
      if (req.method === 'GET' && userMatch) {
        res.writeHead(200, { 'content-type': 'application/activity+json' });
        return res.end(JSON.stringify(actorDoc(userMatch[1]!)));
      }
      if (req.method === 'POST' && (path === '/inbox' || /^\/users\/[^/]+\/inbox$/.test(path))) {
        const body = Buffer.concat(chunks).toString('utf8');
        const rec: ReceivedRequest = { path, headers: req.headers, method: req.method, httpVersion: req.httpVersion, url: path, body, json: JSON.parse(body) as Record<string, unknown> };
        received.push(rec);
        const queued = inboxReplies.shift();
        void Promise.resolve(queued ?? (api.inboxGate ? api.inboxGate(rec) : 202)).then((status) => {
          res.writeHead(status);
          res.end();
        });
        return;
      }
      res.writeHead(404);
      res.end();
    });
  };
  const server = o.tls ? createHttpsServer({ cert: o.tls.certPem, key: o.tls.keyPem }, handler) : createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `${o.tls ? 'https' : 'http'}://${o.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;

  const api: RemoteServer = {
    origin,
    actorUri: (name) => `${origin}/users/${name}`,
    received,
    inboxReplies,
    documents,
    goneActors,
    keyPem: { publicKeyPem: pair.publicKey, privateKeyPem: pair.privateKey },
    async post(url, activity, opts = {}) {
      const as = opts.as ?? 'bob';
      const signed = opts.raw ?? JSON.stringify(activity);
      const body = opts.body ?? signed;
      const headers = signCavageRequest(
        { method: 'POST', url, headers: { 'content-type': 'application/activity+json' }, body: signed },
        { keyId: opts.keyId ?? `${origin}/users/${as}#main-key`, privateKey: opts.privateKey ?? privateKey },
        opts.date,
      );
      return fetch(url, { method: 'POST', headers, body });
    },
    close: () => new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
  return api;
}
