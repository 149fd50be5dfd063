// Callbacks to the platform: the contract's X-Signature over the raw body, POSTed as JSON.
import { type Agent, request } from 'undici';
import type { CallbackEnvelope } from '../activitypub/callbacks';
import { signPayload } from '../platform/hmac';
import { discard } from './read-body';

export type CallbackOutcome = { ok: true } | { ok: false; retry: boolean; reason: string };

export async function postCallback(agent: Agent, url: string, secret: string, envelope: CallbackEnvelope): Promise<CallbackOutcome> {
  const body = JSON.stringify(envelope);
  try {
    const res = await request(url, {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signPayload(secret, body) },
      body,
    });
    await discard(res.body);
    if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true };
    // The contract retries while the platform answers 5xx or not at all; 408/429 are transient too.
    const retry = res.statusCode >= 500 || res.statusCode === 408 || res.statusCode === 429;
    return { ok: false, retry, reason: `http_${res.statusCode}` };
  } catch (e) {
    const err = e as Error & { code?: string };
    return { ok: false, retry: true, reason: `network_${err.code ?? err.name}` };
  }
}
