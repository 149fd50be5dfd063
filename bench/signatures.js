'use strict';
// Cost of our cavage signing/verification vs the bare RSA operation underneath.
// Needs the compiled output: `npx tsc -p tsconfig.build.json`, then `node bench/signatures.js`.
// Each figure runs for ~2 s in total (BENCH_MS to change). The ratios should stay close to 1: all the
// work besides one crypto.sign / crypto.verify is string building and a SHA-256 of the body.
const crypto = require('node:crypto');
const path = require('node:path');

const DIST = path.resolve(__dirname, '../dist/services/signatures');
let signMod, verifyMod, keysMod;
try {
  signMod = require(path.join(DIST, 'cavage-sign.js'));
  verifyMod = require(path.join(DIST, 'cavage-verify.js'));
  keysMod = require(path.join(DIST, 'keys.js'));
} catch (e) {
  console.error(`Cannot load ${DIST} (${e.message}). Build first: npx tsc -p tsconfig.build.json`);
  process.exit(1);
}

const MS = Number(process.env.BENCH_MS) || 2000;

// Each figure gets ~MS of run time, taken as SLICES alternating slices with the figure it is
// compared to, so load from other processes (CI, a parallel test run) hits both sides alike.
const SLICES = 8;

async function timeSlice(fn, ms, isAsync) {
  const limit = BigInt(Math.round(ms * 1e6));
  const start = process.hrtime.bigint();
  let n = 0;
  let elapsed = 0n;
  do {
    if (isAsync) for (let i = 0; i < 20; i++) await fn();
    else for (let i = 0; i < 20; i++) fn();
    n += 20;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < limit);
  return { n, s: Number(elapsed) / 1e9 };
}

/** ops/s of [raw, ours], interleaved. */
async function benchPair(raw, ours, oursAsync) {
  for (let i = 0; i < 50; i++) raw();
  for (let i = 0; i < 50; i++) await ours();
  const tot = [{ n: 0, s: 0 }, { n: 0, s: 0 }];
  for (let k = 0; k < SLICES; k++) {
    for (const [j, fn, isAsync] of [[0, raw, false], [1, ours, oursAsync]]) {
      const r = await timeSlice(fn, MS / SLICES, isAsync);
      tot[j].n += r.n;
      tot[j].s += r.s;
    }
  }
  return tot.map((t) => t.n / t.s);
}

const fmt = (x) => `${Math.round(x).toLocaleString('en-US').padStart(8)} ops/s`;

async function main() {
  const { publicKeyPem, privateKeyPem } = await keysMod.generateRsaKeyPair();
  const priv = keysMod.privateKeyFromPem(privateKeyPem);
  const pub = keysMod.publicKeyFromPem(publicKeyPem);
  const keyId = 'https://gw.example/users/alice#main-key';
  const url = 'https://mastodon.example/users/bob/inbox';
  // A typical ~1 KB Create(Note).
  const body = JSON.stringify({
    '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
    id: 'https://gw.example/users/alice/statuses/1/activity',
    type: 'Create',
    actor: 'https://gw.example/users/alice',
    to: ['https://www.w3.org/ns/activitystreams#Public'],
    cc: ['https://gw.example/users/alice/followers'],
    object: { type: 'Note', id: 'https://gw.example/users/alice/statuses/1', content: `<p>${'hello fediverse '.repeat(40)}</p>` },
  });
  const req = { method: 'POST', url, headers: { 'Content-Type': 'application/activity+json' }, body };
  const key = { keyId, privateKey: priv };
  const now = new Date();

  const sent = signMod.signCavageRequest(req, key, now);
  const headers = {};
  for (const [k, v] of Object.entries(sent)) headers[k.toLowerCase()] = v;
  const inbound = { method: 'POST', path: '/users/bob/inbox', headers, body: Buffer.from(body) };
  const store = new Map([[keyId, pub]]);
  const lookup = async (id) => store.get(id) ?? null;
  const check = await verifyMod.verifyCavageRequest(inbound, lookup, { now });
  if (!check.ok) throw new Error(`bench request does not verify: ${check.reason}`);

  // Same-size input for the raw figures: the signing string the real call builds.
  const base = Buffer.from(
    `(request-target): post /users/bob/inbox\nhost: mastodon.example\ndate: ${sent.Date}\ndigest: ${sent.Digest}\ncontent-type: application/activity+json`,
  );
  const rawSig = crypto.sign('sha256', base, priv);
  if (!crypto.verify('sha256', base, pub, rawSig)) throw new Error('raw verify failed');

  console.log(`node ${process.version}, RSA-2048 PKCS#1 v1.5 SHA-256, body ${body.length} B, ~${MS} ms per figure`);
  const [rawSign, ourSign] = await benchPair(() => crypto.sign('sha256', base, priv), () => signMod.signCavageRequest(req, key), false);
  console.log(`crypto.sign (cached KeyObject)        ${fmt(rawSign)}`);
  console.log(`signCavageRequest                     ${fmt(ourSign)}   ratio ${(ourSign / rawSign).toFixed(3)}`);
  const pemRun = await timeSlice(() => crypto.sign('sha256', base, privateKeyPem), MS, false);
  const pemSign = pemRun.n / pemRun.s;
  console.log(`crypto.sign (PEM re-parsed each call) ${fmt(pemSign)}   (why keys.ts caches parsed keys)`);
  const [rawVerify, ourVerify] = await benchPair(
    () => crypto.verify('sha256', base, pub, rawSig),
    () => verifyMod.verifyCavageRequest(inbound, lookup, { now }),
    true,
  );
  console.log(`crypto.verify (cached KeyObject)      ${fmt(rawVerify)}`);
  console.log(`verifyCavageRequest (in-memory keys)  ${fmt(ourVerify)}   ratio ${(ourVerify / rawVerify).toFixed(3)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
