// One signed POST of an activity to one inbox; the verdict says whether to retry.
// Double-knocking (as Fedify does): signed with `firstScheme`; a 401 gets one immediate retry
// signed with the other scheme, and the result says which scheme the verdict belongs to.
import type { KeyObject } from 'node:crypto';
import type { Agent } from 'undici';
import { type DeliveryVerdict, classifyStatus, parseRetryAfter } from './retry-policy';
import { DEFAULT_SCHEME, type SignatureScheme, otherScheme, signRequestWith } from '../signatures/schemes';
import { assertPublicUrl } from './http-agent';
import { postForStatus } from './post-for-status';

export interface DeliveryResult {
  verdict: DeliveryVerdict;
  status?: number;
  /** the scheme of the attempt the verdict is about (absent when nothing was sent) */
  scheme?: SignatureScheme;
  /** the first scheme got a 401 and the other was tried */
  knocked?: boolean;
}

export interface DeliverDeps {
  agent: Agent;
  allowPrivateAddresses: boolean;
  userAgent: string;
}

type Attempt = { status: number; retryAfter: string | string[] | undefined } | { verdict: DeliveryVerdict };

async function attempt(d: DeliverDeps, url: URL, body: Buffer | string, key: { keyId: string; privateKey: KeyObject }, scheme: SignatureScheme): Promise<Attempt> {
  const headers = await signRequestWith(
    scheme,
    { method: 'POST', url, headers: { 'content-type': 'application/activity+json', 'user-agent': d.userAgent }, body },
    key,
  );
  try {
    // undici follows no redirects unless asked: a redirected POST is an error, not a resend.
    const res = await postForStatus(d.agent, url, headers, body);
    return { status: res.status, retryAfter: res.retryAfter };
  } catch (e) {
    const err = e as Error & { code?: string; cause?: { code?: string; message?: string } };
    if (err.cause?.code === 'EBLOCKEDADDRESS' || err.code === 'EBLOCKEDADDRESS') {
      return { verdict: { kind: 'final', reason: `blocked: ${err.cause?.message ?? err.message}` } };
    }
    return { verdict: { kind: 'retry', reason: `network_${err.code ?? err.name}` } };
  }
}

export async function deliverActivity(
  d: DeliverDeps,
  inbox: string | URL,
  body: Buffer | string,
  key: { keyId: string; privateKey: KeyObject },
  firstScheme: SignatureScheme = DEFAULT_SCHEME,
): Promise<DeliveryResult> {
  let url: URL;
  try {
    url = typeof inbox === 'string' ? new URL(inbox) : inbox;
    // Another scheme would only fail again on every retry.
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${url.protocol} is not http(s)`);
    assertPublicUrl(url, d.allowPrivateAddresses);
  } catch (e) {
    return { verdict: { kind: 'final', reason: `blocked: ${(e as Error).message}` } };
  }
  let scheme = firstScheme;
  let res = await attempt(d, url, body, key, scheme);
  const knocked = 'status' in res && res.status === 401;
  if (knocked) {
    scheme = otherScheme(scheme);
    res = await attempt(d, url, body, key, scheme);
  }
  const tail = { scheme, ...(knocked ? { knocked } : {}) };
  if ('verdict' in res) return { verdict: res.verdict, ...tail };
  return { verdict: classifyStatus(res.status, parseRetryAfter(res.retryAfter)), status: res.status, ...tail };
}
