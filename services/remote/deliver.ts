// One signed POST of an activity to one inbox; the verdict says whether to retry.
import type { KeyObject } from 'node:crypto';
import { type Agent, request } from 'undici';
import { type DeliveryVerdict, classifyStatus, parseRetryAfter } from './retry-policy';
import { signCavageRequest } from '../signatures/cavage-sign';
import { assertPublicUrl } from './http-agent';
import { discard } from './read-body';

export interface DeliveryResult {
  verdict: DeliveryVerdict;
  status?: number;
}

export interface DeliverDeps {
  agent: Agent;
  allowPrivateAddresses: boolean;
  userAgent: string;
}

export async function deliverActivity(
  d: DeliverDeps,
  inbox: string,
  body: string,
  key: { keyId: string; privateKey: KeyObject },
): Promise<DeliveryResult> {
  let url: URL;
  try {
    url = new URL(inbox);
    assertPublicUrl(url, d.allowPrivateAddresses);
  } catch (e) {
    return { verdict: { kind: 'final', reason: `blocked: ${(e as Error).message}` } };
  }
  const headers = signCavageRequest(
    { method: 'POST', url: inbox, headers: { 'content-type': 'application/activity+json', 'user-agent': d.userAgent }, body },
    key,
  );
  try {
    // undici follows no redirects unless asked: a redirected POST is an error, not a resend.
    const res = await request(url, { dispatcher: d.agent, method: 'POST', headers, body });
    await discard(res.body);
    return { verdict: classifyStatus(res.statusCode, parseRetryAfter(res.headers['retry-after'])), status: res.statusCode };
  } catch (e) {
    const err = e as Error & { code?: string; cause?: { code?: string; message?: string } };
    if (err.cause?.code === 'EBLOCKEDADDRESS' || err.code === 'EBLOCKEDADDRESS') {
      return { verdict: { kind: 'final', reason: `blocked: ${err.cause?.message ?? err.message}` } };
    }
    return { verdict: { kind: 'retry', reason: `network_${err.code ?? err.name}` } };
  }
}
