// The two HTTP signature schemes the gateway speaks, behind one signing call, so delivery and
// fetch can "double-knock": sign one way, and on a 401 at once the other way.
import type { KeyObject } from 'node:crypto';
import { signCavageRequest } from './cavage-sign';
import { signRfc9421Request } from './rfc9421-sign';

export type SignatureScheme = 'cavage' | 'rfc9421';

/** What nearly every server accepts today; RFC 9421 is tried first only where it was seen to work. */
export const DEFAULT_SCHEME: SignatureScheme = 'cavage';

export const otherScheme = (s: SignatureScheme): SignatureScheme => (s === 'cavage' ? 'rfc9421' : 'cavage');

export function isSignatureScheme(v: unknown): v is SignatureScheme {
  return v === 'cavage' || v === 'rfc9421';
}

export interface SignableRequest {
  method: string;
  url: string | URL;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/** Every header to send, signed with `scheme`. */
export async function signRequestWith(scheme: SignatureScheme, req: SignableRequest, key: { keyId: string; privateKey: KeyObject }, now?: Date): Promise<Record<string, string>> {
  return scheme === 'rfc9421' ? signRfc9421Request(req, key, now) : signCavageRequest(req, key, now);
}
