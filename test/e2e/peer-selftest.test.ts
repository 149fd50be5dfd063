/**
 * Self-test of the Fedify peer used by the gateway's end-to-end tests: two independent Fedify
 * servers talk to each other through the helper, and one talks to a tiny https server (test CA)
 * to exercise WebFinger-by-handle, NODE_EXTRA_CA_CERTS and the signature double-knock.
 */
import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { startFedifyPeer, type FedifyPeer } from './support/fedify-peer';
import { makeTestCa, type TestCa } from './support/tls';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const httpSignature = require('http-signature') as {
  parseRequest(req: IncomingMessage, opts?: Record<string, unknown>): { keyId: string; params: { headers: string[] } };
  verifySignature(parsed: unknown, pubkeyPem: string): boolean;
};

jest.setTimeout(15000);

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Asymmetric matcher: a string starting with `prefix`. */
const startingWith = (prefix: string) => expect.stringMatching(new RegExp(`^${escapeRe(prefix)}`));

interface InboxHit {
  path: string;
  spec: 'rfc9421' | 'draft-cavage' | 'none';
  status: number;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** draft-cavage only: verified with the `http-signature` npm package against the actor's key. */
  cavageVerified?: boolean;
  cavageHeaders?: string[];
  digestOk?: boolean;
}

/** A minimal https "server" for @alice@localhost:PORT that only accepts draft-cavage signatures. */
async function startHttpsStub(ca: TestCa): Promise<{ server: Server; port: number; hits: InboxHit[]; actorUri: string }> {
  const hits: InboxHit[] = [];
  let port = 0;
  const base = () => `https://localhost:${port}`;
  const server = createServer({ cert: ca.certPem, key: ca.keyPem }, (req, res) => {
    const url = new URL(req.url ?? '/', base());
    const json = (status: number, value: unknown, type = 'application/activity+json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'GET' && url.pathname === '/.well-known/webfinger') {
      const resource = url.searchParams.get('resource');
      if (resource !== `acct:alice@localhost:${port}`) return json(404, { error: 'unknown' }, 'application/json');
      return json(
        200,
        {
          subject: resource,
          links: [{ rel: 'self', type: 'application/activity+json', href: `${base()}/users/alice` }],
        },
        'application/jrd+json',
      );
    }
    if (req.method === 'GET' && url.pathname === '/users/alice') {
      return json(200, {
        '@context': 'https://www.w3.org/ns/activitystreams',
        id: `${base()}/users/alice`,
        type: 'Person',
        preferredUsername: 'alice',
        inbox: `${base()}/users/alice/inbox`,
        outbox: `${base()}/users/alice/outbox`,
      });
    }
    if (req.method === 'POST' && url.pathname === '/users/alice/inbox') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          const raw = Buffer.concat(chunks);
          const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
          const hit: InboxHit = { path: url.pathname, spec: 'none', status: 401, headers: req.headers, body };
          if (req.headers['signature-input'] != null) {
            hit.spec = 'rfc9421'; // a draft-cavage-only verifier: reject, expecting a second knock
          } else if (req.headers.signature != null) {
            hit.spec = 'draft-cavage';
            const parsed = httpSignature.parseRequest(req, { clockSkew: 300 });
            const actor = (await (
              await fetch(String(body.actor), { headers: { accept: 'application/activity+json' } })
            ).json()) as { publicKey: { id: string; publicKeyPem: string } };
            hit.cavageHeaders = parsed.params.headers;
            hit.cavageVerified =
              parsed.keyId === actor.publicKey.id && httpSignature.verifySignature(parsed, actor.publicKey.publicKeyPem);
            hit.digestOk =
              req.headers.digest === `SHA-256=${createHash('sha256').update(raw).digest('base64')}`;
            hit.status = hit.cavageVerified && hit.digestOk ? 202 : 401;
          }
          hits.push(hit);
          res.writeHead(hit.status).end();
        })().catch((error: unknown) => {
          res.writeHead(500).end(String(error));
        });
      });
      return;
    }
    json(404, { error: 'not found' }, 'application/json');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return { server, port, hits, actorUri: `https://localhost:${port}/users/alice` };
}

describe('Fedify peer (self-test)', () => {
  let ca: TestCa;
  let a: FedifyPeer;
  let b: FedifyPeer;
  let c: FedifyPeer; // first knock = draft-cavage

  beforeAll(async () => {
    ca = await makeTestCa();
    [a, b, c] = await Promise.all([
      startFedifyPeer({ extraCaCerts: ca.caCertPath }),
      startFedifyPeer(),
      startFedifyPeer({ extraCaCerts: ca.caCertPath, env: { PEER_FIRST_KNOCK: 'draft-cavage-http-signatures-12' } }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
    await ca?.cleanup();
  });

  test('starts with distinct origins and serves its actor, WebFinger and info', async () => {
    expect(a.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(a.actorUri).toBe(`${a.origin}/users/peer`);
    expect(b.origin).not.toBe(a.origin);

    const actor = (await (await fetch(a.actorUri, { headers: { accept: 'application/activity+json' } })).json()) as {
      id: string;
      type: string;
      name: string;
      inbox: string;
      endpoints: { sharedInbox: string };
      followers: string;
      publicKey: { id: string; owner: string; publicKeyPem: string };
    };
    expect(actor).toMatchObject({
      id: a.actorUri,
      type: 'Person',
      name: 'Fedify Peer',
      inbox: a.inboxUri,
      endpoints: { sharedInbox: a.sharedInboxUri },
      followers: `${a.actorUri}/followers`,
      publicKey: { id: `${a.actorUri}#main-key`, owner: a.actorUri },
    });
    expect(actor.publicKey.publicKeyPem).toContain('BEGIN PUBLIC KEY');

    const host = new URL(a.origin).host;
    const jrd = (await (await fetch(`${a.origin}/.well-known/webfinger?resource=acct:peer@${host}`)).json()) as {
      subject: string;
      links: Array<{ rel: string; href: string }>;
    };
    expect(jrd.subject).toBe(`acct:peer@${host}`);
    expect(jrd.links).toContainEqual(expect.objectContaining({ rel: 'self', href: a.actorUri }));

    const info = await a.info();
    expect(info.firstKnock).toMatch(/^rfc9421/);
    expect(info.fedifyVersion).toBe('2.3.6');
    expect((await c.info()).firstKnock).toBe('draft-cavage-http-signatures-12');
  });

  test('A follows B by actor URL; B auto-accepts; A receives the Accept', async () => {
    const follow = await a.follow(b.actorUri);
    expect(follow).toEqual({ followId: startingWith(`${a.origin}/follows/`), target: b.actorUri, inbox: b.inboxUri });

    const received = await b.waitFor((x) => x.type === 'Follow' && x.id === follow.followId);
    expect(received).toMatchObject({ actor: a.actorUri, objectId: b.actorUri, recipient: 'peer' });

    const accept = await a.waitFor((x) => x.type === 'Accept' && x.actor === b.actorUri);
    expect(accept.objectId).toBe(follow.followId);
    expect(accept.objectType).toBe('Follow');
    expect(accept.id).toEqual(startingWith(`${b.origin}/accepts/`));

    expect((await b.state()).followers).toEqual([a.actorUri]);
    expect((await a.state()).following).toEqual([
      expect.objectContaining({ target: b.actorUri, followId: follow.followId, state: 'accepted' }),
    ]);
    // B's followers collection lists A.
    const followers = (await (
      await fetch(`${b.actorUri}/followers`, { headers: { accept: 'application/activity+json' } })
    ).json()) as { totalItems: number };
    expect(followers.totalItems).toBe(1);
  });

  test('A replies to a note with Create(Note), likes and unlikes it; B records each', async () => {
    const inReplyTo = `${b.origin}/notes/imaginary`;
    const reply = await a.reply({ inReplyTo, to: b.actorUri, content: '<p>Hello from A</p>' });
    expect(reply.noteId).toEqual(startingWith(`${a.origin}/notes/`));

    const create = await b.waitFor((x) => x.type === 'Create' && x.id === reply.activityId);
    expect(create).toMatchObject({ actor: a.actorUri, objectId: reply.noteId, objectType: 'Note' });
    // Between two Fedify servers the default first knock (RFC 9421) is accepted at once.
    expect(create.httpSignature).toEqual({
      spec: 'rfc9421',
      keyId: `${a.actorUri}#main-key`,
      algorithm: 'rsa-v1_5-sha256',
      headers: expect.arrayContaining(['@method', '@target-uri', 'content-digest']),
    });
    // `wire` is the body exactly as POSTed: full Public URI (the re-serialized `raw` says
    // "as:Public"), an RsaSignature2017 LD signature and an eddsa-jcs-2022 integrity proof.
    expect(create.wire).toMatchObject({
      id: reply.activityId,
      type: 'Create',
      to: expect.arrayContaining(['https://www.w3.org/ns/activitystreams#Public', b.actorUri]),
      signature: { type: 'RsaSignature2017', creator: `${a.actorUri}#main-key` },
      proof: { type: 'DataIntegrityProof', cryptosuite: 'eddsa-jcs-2022' },
    });
    const note = create.raw.object as Record<string, unknown>;
    expect(note).toMatchObject({
      id: reply.noteId,
      type: 'Note',
      attributedTo: a.actorUri,
      content: '<p>Hello from A</p>',
      inReplyTo,
    });
    expect(note.to).toEqual(expect.arrayContaining(['as:Public', b.actorUri]));
    expect(note.tag).toMatchObject({ type: 'Mention', href: b.actorUri, name: `@peer@${new URL(b.origin).host}` });

    // The note is dereferenceable at its id.
    const fetched = await fetch(reply.noteId, { headers: { accept: 'application/activity+json' } });
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toMatchObject({ id: reply.noteId, type: 'Note', content: '<p>Hello from A</p>' });

    const like = await a.like({ object: reply.noteId, to: b.actorUri });
    const liked = await b.waitFor((x) => x.type === 'Like' && x.id === like.activityId);
    expect(liked).toMatchObject({ actor: a.actorUri, objectId: reply.noteId });

    const unlike = await a.unlike({ activityId: like.activityId, object: reply.noteId, to: b.actorUri });
    const undone = await b.waitFor((x) => x.type === 'Undo' && x.id === unlike.activityId);
    expect(undone).toMatchObject({ actor: a.actorUri, objectId: like.activityId, objectType: 'Like' });

    expect(await b.unverified()).toEqual([]);
  });

  test('A unfollows B: B records Undo(Follow) and drops the follower; reset clears the log', async () => {
    const { followId } = (await a.state()).following[0]!;
    const result = await a.unfollow(b.actorUri);
    expect(result.followId).toBe(followId);
    const undo = await b.waitFor((x) => x.type === 'Undo' && x.id === result.undoId);
    expect(undo).toMatchObject({ objectId: followId, objectType: 'Follow' });
    expect((await b.state()).followers).toEqual([]);

    await b.reset();
    expect(await b.received()).toEqual([]);
  });

  test('waitFor times out with a useful message', async () => {
    await expect(b.waitFor((x) => x.type === 'Flag', 150)).rejects.toThrow(/waitFor timed out after 150 ms/);
  });

  test('follow by handle over https (WebFinger, test CA); default first knock is RFC 9421, then draft-cavage', async () => {
    const stub = await startHttpsStub(ca);
    try {
      const handle = `@alice@localhost:${stub.port}`;
      const follow = await a.follow(handle);
      expect(follow).toMatchObject({ target: stub.actorUri, inbox: `${stub.actorUri}/inbox` });

      // Double knock: RFC 9421 first (rejected by the stub), then draft-cavage (accepted).
      expect(stub.hits.map((h) => [h.spec, h.status])).toEqual([
        ['rfc9421', 401],
        ['draft-cavage', 202],
      ]);
      const cavage = stub.hits[1]!;
      expect(cavage.body).toMatchObject({ id: follow.followId, type: 'Follow', actor: a.actorUri, object: stub.actorUri });
      expect(cavage.cavageVerified).toBe(true);
      expect(cavage.digestOk).toBe(true);
      expect(cavage.cavageHeaders).toEqual(expect.arrayContaining(['(request-target)', 'host', 'date', 'digest']));
      expect(String(cavage.headers.signature)).toContain('algorithm="rsa-sha256"');

      // The working spec is remembered per origin: the next delivery knocks once.
      await a.like({ object: `${stub.actorUri}/notes/1`, to: stub.actorUri });
      expect(stub.hits.slice(2).map((h) => [h.spec, h.status])).toEqual([['draft-cavage', 202]]);

      // With PEER_FIRST_KNOCK=draft-cavage-http-signatures-12 the first knock is draft-cavage.
      stub.hits.length = 0;
      await c.follow(stub.actorUri);
      expect(stub.hits.map((h) => [h.spec, h.status])).toEqual([['draft-cavage', 202]]);
      expect(stub.hits[0]!.cavageVerified).toBe(true);
    } finally {
      stub.server.closeAllConnections();
      await new Promise((resolve) => stub.server.close(resolve));
    }
  });
});
