// GETs remote ActivityPub documents, signed by the instance actor so servers in "authorized
// fetch" mode answer: draft-cavage, or RFC 9421 where that is known to be needed, and on a 401
// once more at once with the other scheme (double-knocking, shared with deliveries). Expected
// failures are values.
import type { KeyObject } from 'node:crypto';
import { type Agent, request } from 'undici';
import { type JsonObject, isObject } from '../activitypub/as-read';
import { DEFAULT_SCHEME, type SignatureScheme, otherScheme, signRequestWith } from '../signatures/schemes';
import { assertPublicUrl } from './http-agent';
import { discard, readCapped } from './read-body';

export const AP_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';
const MAX_DOCUMENT_BYTES = 1024 * 1024;

export type FetchResult =
  | { ok: true; doc: JsonObject }
  | { ok: false; reason: 'gone' | 'not_found' | 'http_error' | 'network' | 'blocked' | 'invalid'; status?: number; detail?: string };

export interface FetcherDeps {
  agent: Agent;
  allowPrivateAddresses: boolean;
  userAgent: string;
  instanceKey: () => Promise<{ keyId: string; privateKey: KeyObject }>;
  /** which scheme each origin takes (services/store/signature-schemes.ts); draft-cavage first without it */
  schemes?: {
    firstFor(origin: string): Promise<SignatureScheme>;
    remember(origin: string, scheme: SignatureScheme): Promise<void>;
  };
  /** the operator's domain block covering a URL, if any (services/store/domain-blocks.ts) */
  blockOfUrl?: (url: string) => Promise<string | undefined>;
}

export type FetchDocument = (url: string) => Promise<FetchResult>;

export function createFetcher(d: FetcherDeps): FetchDocument {
  return async (url: string) => {
    let target: URL;
    try {
      target = new URL(url);
      if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new Error('not http(s)');
      assertPublicUrl(target, d.allowPrivateAddresses);
    } catch (e) {
      return { ok: false, reason: 'blocked', detail: (e as Error).message };
    }
    target.hash = '';
    const domainBlock = await d.blockOfUrl?.(target.toString());
    if (domainBlock) return { ok: false, reason: 'blocked', detail: `domain ${domainBlock} is blocked` };
    try {
      const key = await d.instanceKey();
      const get = async (scheme: SignatureScheme) => {
        const headers = await signRequestWith(scheme, { method: 'GET', url: target.toString(), headers: { accept: AP_ACCEPT, 'user-agent': d.userAgent } }, key);
        return request(target, { dispatcher: d.agent, method: 'GET', headers });
      };
      const first = d.schemes ? await d.schemes.firstFor(target.origin) : DEFAULT_SCHEME;
      let res = await get(first);
      if (res.statusCode === 401) {
        await discard(res.body);
        const second = otherScheme(first);
        res = await get(second);
        if (res.statusCode >= 200 && res.statusCode < 300) await d.schemes?.remember(target.origin, second);
      }
      if (res.statusCode === 410) return discard(res.body).then(() => ({ ok: false, reason: 'gone', status: 410 }));
      if (res.statusCode === 404) return discard(res.body).then(() => ({ ok: false, reason: 'not_found', status: 404 }));
      if (res.statusCode < 200 || res.statusCode >= 300) {
        await discard(res.body);
        return { ok: false, reason: 'http_error', status: res.statusCode };
      }
      const doc: unknown = JSON.parse((await readCapped(res.body, MAX_DOCUMENT_BYTES)).toString('utf8'));
      if (!isObject(doc)) return { ok: false, reason: 'invalid', detail: 'not a JSON object' };
      return { ok: true, doc };
    } catch (e) {
      const err = e as Error & { code?: string };
      if (err.code === 'EBLOCKEDADDRESS' || err.cause) {
        const cause = (err.cause ?? err) as { code?: string; message?: string };
        if (cause.code === 'EBLOCKEDADDRESS') return { ok: false, reason: 'blocked', detail: cause.message ?? '' };
      }
      if (err instanceof SyntaxError) return { ok: false, reason: 'invalid', detail: 'body is not JSON' };
      return { ok: false, reason: 'network', detail: `${err.code ?? err.name}: ${err.message}` };
    }
  };
}
