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

const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';
const AS2 = { accept: 'application/activity+json' };
const createsOf = async (peer: FedifyPeer, noteId: string) =>
  (await peer.received()).filter((x) => x.type === 'Create' && x.objectId === noteId);

describe('Fedify peer: publishing to followers and named actors', () => {
  let p: FedifyPeer; // publishes
  let f: FedifyPeer; // follows p
  let n: FedifyPeer; // does not follow p
  const followersOf = (peer: FedifyPeer) => `${peer.actorUri}/followers`;

  beforeAll(async () => {
    [p, f, n] = await Promise.all([startFedifyPeer(), startFedifyPeer(), startFedifyPeer()]);
    const follow = await f.follow(p.actorUri);
    await f.waitFor((x) => x.type === 'Accept' && x.objectId === follow.followId);
  });

  afterAll(async () => {
    await Promise.all([p?.stop(), f?.stop(), n?.stop()]);
  });

  test('p records its follower; a followers-only post reaches it and not a non-follower, nor unsigned GETs', async () => {
    expect((await p.state()).followers).toEqual([f.actorUri]);
    const post = await p.post({ content: '<p>for followers</p>', visibility: 'followers' });
    expect(post).toMatchObject({ visibility: 'followers', to: [followersOf(p)], cc: [], deliveredTo: [f.inboxUri] });

    const seen = await f.waitForNote((x) => x.id === post.noteId);
    expect(seen).toMatchObject({ attributedTo: p.actorUri, content: '<p>for followers</p>', to: [followersOf(p)], cc: [], createdBy: post.activityId });
    // Deliveries are immediate: the post call returned after every inbox answered.
    expect(await createsOf(n, post.noteId)).toEqual([]);
    expect((await p.sent()).filter((s) => s.id === post.activityId)).toEqual([
      expect.objectContaining({ to: f.actorUri, inbox: f.inboxUri, via: 'followers' }),
    ]);
    // Not served to an anonymous GET; served to a follower's signed GET (quoting fetches it
    // signed to find its author), refused to a non-follower's.
    expect((await fetch(post.noteId, { headers: AS2 })).status).toBe(401);
    const quote = await f.post({ content: '<p>quoting</p>', visibility: 'direct', quote: post.noteId });
    expect(quote.deliveredTo).toEqual([p.inboxUri]);
    await expect(n.post({ content: '<p>quoting</p>', quote: post.noteId })).rejects.toMatchObject({ status: 422 });
  });

  test('a public post with a mention: Mention tag, mentioned actor in cc and delivered to, note served to anyone', async () => {
    const post = await p.post({ content: '<p>hi @n</p>', mentions: [n.actorUri] });
    expect(post.to).toEqual([PUBLIC]);
    expect(post.cc).toEqual([followersOf(p), n.actorUri]);
    expect(post.deliveredTo.sort()).toEqual([f.inboxUri, n.inboxUri].sort());

    const atN = await n.waitForNote((x) => x.id === post.noteId);
    expect(atN.to).toEqual([PUBLIC]);
    expect(atN.cc).toEqual([followersOf(p), n.actorUri]);
    expect(atN.tag).toEqual([{ type: 'Mention', href: n.actorUri, name: `@peer@${new URL(n.origin).host}` }]);
    await f.waitForNote((x) => x.id === post.noteId);

    const fetched = await fetch(post.noteId, { headers: AS2 });
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toMatchObject({ id: post.noteId, type: 'Note', content: '<p>hi @n</p>', attributedTo: p.actorUri });
  });

  test('unlisted goes to followers with Public in cc; direct reaches only the named actor', async () => {
    const unlisted = await p.post({ content: '<p>quiet</p>', visibility: 'unlisted' });
    expect((await f.waitForNote((x) => x.id === unlisted.noteId))).toMatchObject({ to: [followersOf(p)], cc: [PUBLIC] });
    expect(await createsOf(n, unlisted.noteId)).toEqual([]);

    const direct = await p.post({ content: '<p>just you</p>', visibility: 'direct', to: n.actorUri });
    expect(direct).toMatchObject({ to: [n.actorUri], cc: [], deliveredTo: [n.inboxUri] });
    const atN = await n.waitForNote((x) => x.id === direct.noteId);
    expect(atN).toMatchObject({ to: [n.actorUri], cc: [], tag: [expect.objectContaining({ type: 'Mention', href: n.actorUri })] });
    expect(await createsOf(f, direct.noteId)).toEqual([]);
  });

  test('a quote: FEP-044f quote, compat quoteUrl/_misskey_quote/quoteUri, FEP-e232 Link tag; the quoted author is told', async () => {
    const original = await n.post({ content: '<p>quotable</p>', to: p.actorUri });
    const quote = await p.post({ content: '<p>look at this</p>', quote: original.noteId });
    expect(quote.cc).toEqual([followersOf(p), n.actorUri]);
    expect(quote.deliveredTo.sort()).toEqual([f.inboxUri, n.inboxUri].sort());

    const atN = await n.waitForNote((x) => x.id === quote.noteId);
    expect(atN).toMatchObject({
      content: '<p>look at this</p>',
      quote: original.noteId,
      quoteUrl: original.noteId,
      misskeyQuote: original.noteId,
      quoteUri: original.noteId,
      tag: [
        {
          type: 'Link',
          href: original.noteId,
          mediaType: 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
          name: `RE: ${original.noteId}`,
        },
      ],
    });
    // The wire JSON is what the view reports.
    expect(atN.object).toMatchObject({ id: quote.noteId, quote: original.noteId, _misskey_quote: original.noteId });
  });

  test('update edits a note: followers see the new content and `updated`, and so does a GET', async () => {
    const post = await p.post({ content: '<p>first</p>' });
    await f.waitForNote((x) => x.id === post.noteId);
    const edit = await p.update({ noteId: post.noteId, content: '<p>second</p>' });
    expect(edit.deliveredTo).toEqual([f.inboxUri]);

    const seen = await f.waitForNote((x) => x.id === post.noteId && x.updatedBy.includes(edit.activityId));
    expect(seen).toMatchObject({ content: '<p>second</p>', createdBy: post.activityId, to: [PUBLIC], cc: [followersOf(p)] });
    expect(seen.updated).toEqual(expect.any(String));
    expect(Date.parse(seen.updated!)).toBe(Date.parse(edit.updated));

    const fetched = (await (await fetch(post.noteId, { headers: AS2 })).json()) as { content: string; updated: string };
    expect(fetched.content).toBe('<p>second</p>');
    expect((await p.state()).ownNotes).toContainEqual({ id: post.noteId, visibility: 'public', deleted: false, updated: edit.updated });
  });

  test('delete sends Delete(Tombstone) to followers; the note then answers 410 and cannot be edited', async () => {
    const post = await p.post({ content: '<p>short-lived</p>' });
    const del = await p.delete({ noteId: post.noteId });
    expect(del.deliveredTo).toEqual([f.inboxUri]);

    const seen = await f.waitForNote((x) => x.id === post.noteId && x.deleted);
    expect(seen.deletedBy).toBe(del.activityId);
    const received = await f.waitFor((x) => x.id === del.activityId);
    expect(received).toMatchObject({ type: 'Delete', objectId: post.noteId, objectType: 'Tombstone' });

    expect((await fetch(post.noteId, { headers: AS2 })).status).toBe(410);
    await expect(p.update({ noteId: post.noteId, content: 'x' })).rejects.toMatchObject({ status: 409 });
    expect((await p.state()).notes).not.toContain(post.noteId);
  });

  test('announce reaches followers and the author; unannounce undoes it at both', async () => {
    const original = await n.post({ content: '<p>boost me</p>', to: p.actorUri });
    const boost = await p.announce({ object: original.noteId });
    expect(boost).toMatchObject({ object: original.noteId, author: n.actorUri });
    expect(boost.deliveredTo.sort()).toEqual([f.inboxUri, n.inboxUri].sort());

    for (const peer of [n, f]) {
      await peer.waitFor((x) => x.type === 'Announce' && x.id === boost.activityId);
      const announce = (await peer.seen()).announces.find((x) => x.id === boost.activityId);
      expect(announce).toMatchObject({ actor: p.actorUri, object: original.noteId, to: [PUBLIC], cc: [followersOf(p), n.actorUri], undone: false });
    }
    const undo = await p.unannounce({ activityId: boost.activityId });
    expect(undo.announceId).toBe(boost.activityId);
    for (const peer of [n, f]) {
      await peer.waitFor((x) => x.type === 'Undo' && x.id === undo.undoId);
      expect((await peer.seen()).announces.find((x) => x.id === boost.activityId)?.undone).toBe(true);
    }
    expect((await p.state()).announces).toContainEqual({ id: boost.activityId, object: original.noteId, undone: true });
  });

  test('block: the blocked actor records it and loses the follow both ways; its Follow is then rejected; unblock', async () => {
    const follow = await n.follow(p.actorUri);
    await n.waitFor((x) => x.type === 'Accept' && x.objectId === follow.followId);
    expect((await p.state()).followers).toContain(n.actorUri);

    const block = await p.block(n.actorUri);
    expect(block).toMatchObject({ target: n.actorUri, inbox: n.inboxUri });
    const received = await n.waitFor((x) => x.type === 'Block' && x.id === block.activityId);
    expect(received).toMatchObject({ actor: p.actorUri, objectId: n.actorUri });
    const nState = await n.state();
    expect(nState.blockedBy).toEqual([expect.objectContaining({ actor: p.actorUri, blockId: block.activityId })]);
    expect(nState.following).toEqual([]);
    const pState = await p.state();
    expect(pState.followers).not.toContain(n.actorUri);
    expect(pState.blocks).toEqual([{ target: n.actorUri, blockId: block.activityId }]);

    const again = await n.follow(p.actorUri);
    await n.waitFor((x) => x.type === 'Reject' && x.objectId === again.followId);
    expect((await p.state()).followers).not.toContain(n.actorUri);

    const unblock = await p.unblock(n.actorUri);
    expect(unblock.blockId).toBe(block.activityId);
    await n.waitFor((x) => x.type === 'Undo' && x.id === unblock.undoId);
    expect((await n.state()).blockedBy).toEqual([]);
    expect((await p.state()).blocks).toEqual([]);
  });

  test('bad control input gets a 4xx naming the field or the object', async () => {
    await expect(p.post({ content: '<p>x</p>', visibility: 'secret' as 'public' })).rejects.toMatchObject({
      status: 400,
      body: { error: '"visibility" must be one of public, unlisted, followers, direct' },
    });
    await expect(p.post({ content: '<p>x</p>', quote: 'not a url' })).rejects.toMatchObject({ status: 400, body: { error: '"quote" must be an absolute URL' } });
    await expect(p.update({ noteId: `${n.origin}/notes/x`, content: 'x' })).rejects.toMatchObject({ status: 404 });
    await expect(p.unannounce({ activityId: `${p.origin}/announces/unknown` })).rejects.toMatchObject({ status: 404 });
    await expect(p.unblock(f.actorUri)).rejects.toMatchObject({ status: 409 });
  });

  test('deleteSelf: followers and named actors record the deleted actor; actor and WebFinger answer 410', async () => {
    const gone = await p.deleteSelf({ to: n.actorUri });
    expect(gone.deliveredTo.sort()).toEqual([f.inboxUri, n.inboxUri].sort());
    for (const peer of [f, n]) {
      const { deletedActors } = await peer.state();
      expect(deletedActors).toEqual([expect.objectContaining({ actor: p.actorUri, activityId: gone.activityId, verified: true })]);
    }
    expect((await f.state()).following).toEqual([]);

    expect((await fetch(p.actorUri, { headers: AS2 })).status).toBe(410);
    const host = new URL(p.origin).host;
    expect((await fetch(`${p.origin}/.well-known/webfinger?resource=acct:peer@${host}`)).status).toBe(410);
    await expect(p.post({ content: 'x' })).rejects.toMatchObject({ status: 409 });
    expect((await p.state()).selfDeleted).toEqual({ activityId: gone.activityId, deletedAt: expect.any(String) });
  });

  test('deleteSelf with goneFirst: the key answers 410, the receiver accepts the Delete as unverified', async () => {
    await f.reset({ cache: true });
    const gone = await n.deleteSelf({ to: f.actorUri, goneFirst: true });
    expect(gone.deliveredTo).toEqual([f.inboxUri]);
    const { deletedActors } = await f.state();
    expect(deletedActors).toContainEqual(expect.objectContaining({ actor: n.actorUri, activityId: gone.activityId, verified: false }));
    const [unverified] = await f.unverified();
    expect(unverified).toMatchObject({ type: 'Delete', id: gone.activityId, reason: { type: 'keyFetchError', result: { status: 410 } } });
  });
});

describe('Fedify peer over https', () => {
  let ca: TestCa;
  let h: FedifyPeer; // https
  let a: FedifyPeer; // trusts the test CA

  beforeAll(async () => {
    ca = await makeTestCa();
    [h, a] = await Promise.all([
      startFedifyPeer({ tls: ca, extraCaCerts: ca.caCertPath }),
      startFedifyPeer({ extraCaCerts: ca.caCertPath }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([h?.stop(), a?.stop()]);
    await ca?.cleanup();
  });

  test('serves an https origin as localhost, with the control API on plain loopback http', async () => {
    expect(h.origin).toMatch(/^https:\/\/localhost:\d+$/);
    expect(h.handle).toBe(`@peer@${new URL(h.origin).host}`);
    expect(h.controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await h.info()).toMatchObject({ tls: true, origin: h.origin, actor: `${h.origin}/users/peer` });
  });

  test('another server follows it by handle (WebFinger over https) and receives its posts', async () => {
    const follow = await a.follow(h.handle);
    expect(follow).toMatchObject({ target: h.actorUri, inbox: h.inboxUri });
    await a.waitFor((x) => x.type === 'Accept' && x.objectId === follow.followId);
    expect((await h.state()).followers).toEqual([a.actorUri]);

    const post = await h.post({ content: '<p>over tls</p>' });
    const seen = await a.waitForNote((x) => x.id === post.noteId);
    expect(seen).toMatchObject({ attributedTo: h.actorUri, content: '<p>over tls</p>' });
    expect(post.noteId).toMatch(/^https:\/\/localhost:\d+\/notes\//);
  });
});
