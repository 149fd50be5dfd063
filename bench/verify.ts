// Verified inbox requests per second through our verifiers (draft-cavage: our node:crypto code;
// RFC 9421: http-message-signatures with our policy), keys from an in-memory cache as the
// KeyObject cache gives them, beside raw RSA-2048 crypto.verify per second in the same run,
// slices interleaved so load from other processes hits both sides alike. The RFC 9421 signer is
// measured beside crypto.sign the same way. Run: npm run bench:verify  (BENCH_MS per figure).
import { type KeyObject, generateKeyPairSync, sign, verify } from 'node:crypto';
import { signCavageRequest } from '../services/signatures/cavage-sign';
import { verifyCavageRequest } from '../services/signatures/cavage-verify';
import { publicKeyFromPem, privateKeyFromPem } from '../services/signatures/keys';
import { signRfc9421Request } from '../services/signatures/rfc9421-sign';
import { verifyRfc9421Request } from '../services/signatures/rfc9421-verify';

const MS = Number(process.env.BENCH_MS) || 2000;
const SLICES = 8;

type Op = () => unknown;

async function timeSlice(fn: Op, ms: number): Promise<{ n: number; s: number }> {
  const limit = BigInt(Math.round(ms * 1e6));
  const start = process.hrtime.bigint();
  let n = 0;
  let elapsed = 0n;
  do {
    for (let i = 0; i < 20; i++) await fn();
    n += 20;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < limit);
  return { n, s: Number(elapsed) / 1e9 };
}

/** ops/s of [raw, ours], in alternating slices. Both run through the same await loop. */
async function benchPair(raw: Op, ours: Op): Promise<[number, number]> {
  for (let i = 0; i < 50; i++) {
    raw();
    await ours();
  }
  const tot = [{ n: 0, s: 0 }, { n: 0, s: 0 }];
  for (let k = 0; k < SLICES; k++) {
    for (const [j, fn] of [[0, raw], [1, ours]] as const) {
      const r = await timeSlice(fn, MS / SLICES);
      tot[j]!.n += r.n;
      tot[j]!.s += r.s;
    }
  }
  return [tot[0]!.n / tot[0]!.s, tot[1]!.n / tot[1]!.s];
}

const fmt = (x: number) => `${Math.round(x).toLocaleString('en-US').padStart(8)} ops/s`;
const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

async function main() {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  // What the inbox path uses: PEM → cached KeyObject (services/signatures/keys.ts).
  const priv = privateKeyFromPem(pair.privateKey);
  const keyId = 'https://mastodon.example/users/bob#main-key';
  const keys = new Map<string, string>([[keyId, pair.publicKey]]);
  const lookup = async (id: string): Promise<KeyObject | null> => {
    const pem = keys.get(id);
    return pem === undefined ? null : publicKeyFromPem(pem);
  };
  const url = 'https://gw.example/users/alice/inbox';
  // A typical ~1 KB Create(Note).
  const body = JSON.stringify({
    '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
    id: 'https://mastodon.example/users/bob/statuses/1/activity',
    type: 'Create',
    actor: 'https://mastodon.example/users/bob',
    to: ['https://www.w3.org/ns/activitystreams#Public'],
    object: { type: 'Note', id: 'https://mastodon.example/users/bob/statuses/1', content: `<p>${'hello fediverse '.repeat(40)}</p>` },
  });
  const req = { method: 'POST', url, headers: { 'content-type': 'application/activity+json' }, body };
  const key = { keyId, privateKey: priv };
  const now = new Date();

  const cavageIn = { method: 'POST', path: '/users/alice/inbox', headers: lower(signCavageRequest(req, key, now)), body: Buffer.from(body) };
  const rfcIn = { method: 'POST', url, headers: lower(await signRfc9421Request(req, key, now)), body: Buffer.from(body) };
  for (const [name, check] of [
    ['cavage', await verifyCavageRequest(cavageIn, lookup, { now })],
    ['rfc9421', await verifyRfc9421Request(rfcIn, lookup, { now })],
  ] as const) {
    if (!check.ok) throw new Error(`bench ${name} request does not verify: ${check.reason}`);
  }

  // Raw figures over same-size inputs: the signature bases the real calls build.
  const pub = publicKeyFromPem(pair.publicKey);
  const cavageBase = Buffer.from(
    `(request-target): post /users/alice/inbox\nhost: gw.example\ndate: ${cavageIn.headers.date}\ndigest: ${cavageIn.headers.digest}\ncontent-type: application/activity+json`,
  );
  const rfcBase = Buffer.from(
    `"@method": POST\n"@target-uri": ${url}\n"@authority": gw.example\n"content-digest": ${rfcIn.headers['content-digest']}\n"@signature-params": ${rfcIn.headers['signature-input']!.slice(5)}`,
  );
  const cavageSig = sign('sha256', cavageBase, priv);
  const rfcSig = sign('sha256', rfcBase, priv);
  if (!verify('sha256', cavageBase, pub, cavageSig) || !verify('sha256', rfcBase, pub, rfcSig)) throw new Error('raw verify failed');

  console.log(`node ${process.version}, RSA-2048 PKCS#1 v1.5 SHA-256, body ${body.length} B, ~${MS} ms per figure, keys cached`);
  const [rawV1, cavageV] = await benchPair(() => verify('sha256', cavageBase, pub, cavageSig), () => verifyCavageRequest(cavageIn, lookup, { now }));
  console.log(`crypto.verify (cached KeyObject)           ${fmt(rawV1)}`);
  console.log(`verifyCavageRequest (draft-cavage)         ${fmt(cavageV)}   ratio ${(cavageV / rawV1).toFixed(3)}`);
  const [rawV2, rfcV] = await benchPair(() => verify('sha256', rfcBase, pub, rfcSig), () => verifyRfc9421Request(rfcIn, lookup, { now }));
  console.log(`crypto.verify (cached KeyObject)           ${fmt(rawV2)}`);
  console.log(`verifyRfc9421Request (RFC 9421)            ${fmt(rfcV)}   ratio ${(rfcV / rawV2).toFixed(3)}`);
  const [rawS, rfcS] = await benchPair(() => sign('sha256', rfcBase, priv), () => signRfc9421Request(req, key));
  console.log(`crypto.sign (cached KeyObject)             ${fmt(rawS)}`);
  console.log(`signRfc9421Request (RFC 9421)              ${fmt(rfcS)}   ratio ${(rfcS / rawS).toFixed(3)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
