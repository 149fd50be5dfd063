// WebFinger over https (what every server expects), unsigned, SSRF-guarded, body capped.
import { type Agent, request } from 'undici';
import { isObject } from '../activitypub/as-read';
import { type Handle, actorUriOfJrd, webfingerUrl } from '../activitypub/handles';
import { assertPublicUrl } from './http-agent';
import { discard, readCapped } from './read-body';

const MAX_JRD_BYTES = 256 * 1024;

export type WebfingerResult =
  | { ok: true; actorUri: string }
  | { ok: false; reason: 'not_found' | 'unavailable' | 'invalid' | 'blocked'; detail?: string };

export interface WebfingerDeps {
  agent: Agent;
  allowPrivateAddresses: boolean;
  userAgent: string;
  /** the operator's domain block covering a URL, if any (services/store/domain-blocks.ts) */
  blockOfUrl?: (url: string) => Promise<string | undefined>;
}

export async function lookupWebfinger(d: WebfingerDeps, handle: Handle): Promise<WebfingerResult> {
  const url = new URL(webfingerUrl(handle));
  try {
    assertPublicUrl(url, d.allowPrivateAddresses);
  } catch (e) {
    return { ok: false, reason: 'blocked', detail: (e as Error).message };
  }
  const domainBlock = await d.blockOfUrl?.(url.toString());
  if (domainBlock) return { ok: false, reason: 'blocked', detail: `domain ${domainBlock} is blocked` };
  try {
    const res = await request(url, { dispatcher: d.agent, method: 'GET', headers: { accept: 'application/jrd+json, application/json', 'user-agent': d.userAgent } });
    if (res.statusCode === 404 || res.statusCode === 410) {
      await discard(res.body);
      return { ok: false, reason: 'not_found', detail: `webfinger answered ${res.statusCode}` };
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await discard(res.body);
      return { ok: false, reason: res.statusCode >= 500 ? 'unavailable' : 'not_found', detail: `webfinger answered ${res.statusCode}` };
    }
    const jrd: unknown = JSON.parse((await readCapped(res.body, MAX_JRD_BYTES)).toString('utf8'));
    const actorUri = isObject(jrd) ? actorUriOfJrd(jrd) : undefined;
    return actorUri ? { ok: true, actorUri } : { ok: false, reason: 'invalid', detail: 'no ActivityPub self link' };
  } catch (e) {
    const err = e as Error & { code?: string; cause?: { code?: string; message?: string } };
    if (err.cause?.code === 'EBLOCKEDADDRESS') return { ok: false, reason: 'blocked', detail: err.cause.message ?? '' };
    if (err instanceof SyntaxError) return { ok: false, reason: 'invalid', detail: 'webfinger body is not JSON' };
    return { ok: false, reason: 'unavailable', detail: `${err.code ?? err.name}: ${err.message}` };
  }
}
