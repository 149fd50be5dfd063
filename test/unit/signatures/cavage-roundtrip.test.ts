// Our signer → our verifier, joyent's http-signature (independent), and http-message-signatures.
import { type KeyObject, generateKeyPairSync, sign } from 'node:crypto';
import { cavage, createVerifier } from 'http-message-signatures';
import { signCavageRequest } from '../../../services/signatures/cavage-sign';
import { type VerifyRequest, verifyCavageRequest } from '../../../services/signatures/cavage-verify';
import { generateRsaKeyPair, privateKeyFromPem, publicKeyFromPem } from '../../../services/signatures/keys';

// http-signature ships no types; only the two calls used here.
interface JoyentParsed {
  keyId: string;
  algorithm: string;
  params: { headers: string[] };
  signingString: string;
}
const httpSignature = require('http-signature') as {
  parseRequest(req: object, opts?: { headers?: string[]; clockSkew?: number }): JoyentParsed;
  verifySignature(parsed: JoyentParsed, pubkeyPem: string): boolean;
};

const KEY_ID = 'https://gw.example/users/alice#main-key';
const INBOX = 'https://remote.example/users/bob/inbox?x=1&y=%20z';
const BODY = JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', type: 'Follow', actor: 'https://gw.example/users/alice' });

/** The request as a Node server would see it: lowercased header names, raw path + query. */
function received(method: string, url: string, sent: Record<string, string>, body?: string): VerifyRequest & { url: string; httpVersion: string } {
  const u = new URL(url);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(sent)) headers[k.toLowerCase()] = v;
  const path = `${u.pathname}${u.search}`;
  return { method, path, url: path, httpVersion: '1.1', headers, ...(body === undefined ? {} : { body: Buffer.from(body) }) };
}

describe('signCavageRequest round trip', () => {
  let pem: { publicKeyPem: string; privateKeyPem: string };
  let priv: KeyObject;
  let pub: KeyObject;
  const lookup = async () => pub;

  beforeAll(async () => {
    pem = await generateRsaKeyPair();
    priv = privateKeyFromPem(pem.privateKeyPem);
    pub = publicKeyFromPem(pem.publicKeyPem);
  });

  describe('POST with a body', () => {
    let sent: Record<string, string>;
    const now = new Date();
    beforeAll(() => {
      sent = signCavageRequest(
        { method: 'POST', url: INBOX, headers: { 'Content-Type': 'application/activity+json', 'User-Agent': 'fedigate-test' }, body: BODY },
        { keyId: KEY_ID, privateKey: priv },
        now,
      );
    });

    it('returns the caller headers plus Host, Date, Digest and a Mastodon-shaped Signature', () => {
      expect(Object.keys(sent).sort()).toEqual(['Content-Type', 'Date', 'Digest', 'Host', 'Signature', 'User-Agent']);
      expect(sent.Host).toBe('remote.example');
      expect(sent.Date).toBe(now.toUTCString());
      expect(sent.Date).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      expect(sent.Digest).toMatch(/^SHA-256=[A-Za-z0-9+/]{43}=$/);
      expect(sent.Signature).toMatch(
        new RegExp(
          `^keyId="${KEY_ID.replace(/[.#/]/g, '\\$&')}",algorithm="rsa-sha256",headers="\\(request-target\\) host date digest content-type",signature="[A-Za-z0-9+/]+={0,2}"$`,
        ),
      );
    });

    it('verifies with our verifier', async () => {
      await expect(verifyCavageRequest(received('POST', INBOX, sent, BODY), lookup, { now })).resolves.toEqual({
        ok: true,
        keyId: KEY_ID,
        algorithm: 'rsa-sha256',
      });
    });

    it('verifies with joyent http-signature (parseRequest + verifySignature)', () => {
      const parsed = httpSignature.parseRequest(received('POST', INBOX, sent, BODY), {
        headers: ['(request-target)', 'host', 'date', 'digest'],
        clockSkew: 300,
      });
      expect(parsed.keyId).toBe(KEY_ID);
      expect(parsed.params.headers).toEqual(['(request-target)', 'host', 'date', 'digest', 'content-type']);
      expect(httpSignature.verifySignature(parsed, pem.publicKeyPem)).toBe(true);
    });

    it('is byte-identical to http-message-signatures cavage.signMessage, which also verifies it', async () => {
      const { Signature, ...unsigned } = sent;
      const viaLib = await cavage.signMessage(
        {
          key: { id: KEY_ID, alg: 'rsa-v1_5-sha256', sign: async (data: Buffer) => sign('sha256', data, priv) },
          params: ['keyid', 'alg'],
          fields: ['@request-target', 'host', 'date', 'digest', 'content-type'],
        },
        { method: 'POST', url: INBOX, headers: unsigned },
      );
      expect(viaLib.headers.Signature).toBe(Signature);
      const ok = await cavage.verifyMessage(
        { keyLookup: async () => ({ verify: createVerifier(pub, 'rsa-v1_5-sha256') }) },
        { method: 'POST', url: INBOX, headers: sent },
      );
      expect(ok).toBe(true);
    });

    it('fails both verifiers when the body is swapped with a matching Digest', async () => {
      const other = '{"type":"Delete"}';
      const forged = { ...sent, Digest: signCavageRequest({ method: 'POST', url: INBOX, body: other }, { keyId: KEY_ID, privateKey: priv }, now).Digest ?? '' };
      await expect(verifyCavageRequest(received('POST', INBOX, forged, other), lookup, { now })).resolves.toMatchObject({
        ok: false,
        reason: 'bad_signature',
      });
      const parsed = httpSignature.parseRequest(received('POST', INBOX, forged, other), { clockSkew: 300 });
      expect(httpSignature.verifySignature(parsed, pem.publicKeyPem)).toBe(false);
    });
  });

  describe('GET', () => {
    it('signs (request-target) host date accept and verifies with both verifiers', async () => {
      const now = new Date();
      const url = 'https://remote.example:8443/users/bob?page=true';
      const sent = signCavageRequest({ method: 'GET', url, headers: { accept: 'application/activity+json' } }, { keyId: KEY_ID, privateKey: priv }, now);
      expect(sent.Host).toBe('remote.example:8443');
      expect(sent.Digest).toBeUndefined();
      expect(sent.Signature).toContain('headers="(request-target) host date accept"');
      await expect(verifyCavageRequest(received('GET', url, sent), lookup, { now })).resolves.toMatchObject({ ok: true });
      const parsed = httpSignature.parseRequest(received('GET', url, sent), { headers: ['(request-target)', 'host', 'date'] });
      expect(httpSignature.verifySignature(parsed, pem.publicKeyPem)).toBe(true);
    });

    it('omits accept from the covered list when not given, and replaces caller Host/Date', () => {
      const now = new Date('2024-02-29T12:00:00Z');
      const sent = signCavageRequest(
        { method: 'GET', url: 'http://a.example/x', headers: { host: 'evil.example', DATE: 'yesterday' } },
        { keyId: KEY_ID, privateKey: priv },
        now,
      );
      expect(sent).not.toHaveProperty('host');
      expect(sent).not.toHaveProperty('DATE');
      expect(sent.Host).toBe('a.example');
      expect(sent.Date).toBe('Thu, 29 Feb 2024 12:00:00 GMT');
      expect(sent.Signature).toContain('headers="(request-target) host date"');
    });
  });

  describe('hs2019', () => {
    it('an hs2019-labelled RSA signature is PKCS#1 v1.5 SHA-256 and verifies', async () => {
      const now = new Date();
      const sent = signCavageRequest(
        { method: 'POST', url: INBOX, headers: { 'content-type': 'application/activity+json' }, body: BODY },
        { keyId: KEY_ID, privateKey: priv, algorithm: 'hs2019' },
        now,
      );
      expect(sent.Signature).toContain('algorithm="hs2019"');
      await expect(verifyCavageRequest(received('POST', INBOX, sent, BODY), lookup, { now })).resolves.toEqual({
        ok: true,
        keyId: KEY_ID,
        algorithm: 'hs2019',
      });
      // http-signature rejects the hs2019 label outright, but the algorithm label is not signed:
      // relabelled, the same bytes verify there as rsa-sha256, proving hs2019+RSA = PKCS#1 v1.5.
      expect(() => httpSignature.parseRequest(received('POST', INBOX, sent, BODY))).toThrow(/hs2019/i);
      const relabelled = { ...sent, Signature: (sent.Signature ?? '').replace('algorithm="hs2019"', 'algorithm="rsa-sha256"') };
      const parsed = httpSignature.parseRequest(received('POST', INBOX, relabelled, BODY));
      expect(httpSignature.verifySignature(parsed, pem.publicKeyPem)).toBe(true);
    });

    it('Ed25519 keys sign and verify as hs2019, and are refused under rsa-sha256', async () => {
      const ed = generateKeyPairSync('ed25519');
      const now = new Date();
      const sent = signCavageRequest({ method: 'GET', url: INBOX }, { keyId: KEY_ID, privateKey: ed.privateKey }, now);
      expect(sent.Signature).toContain('algorithm="hs2019"');
      await expect(verifyCavageRequest(received('GET', INBOX, sent), async () => ed.publicKey, { now })).resolves.toMatchObject({
        ok: true,
        algorithm: 'hs2019',
      });
      const mislabelled = { ...sent, Signature: (sent.Signature ?? '').replace('hs2019', 'rsa-sha256') };
      await expect(verifyCavageRequest(received('GET', INBOX, mislabelled), async () => ed.publicKey, { now })).resolves.toMatchObject({
        ok: false,
        reason: 'bad_signature',
      });
    });
  });
});
