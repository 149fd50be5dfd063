// Raw bodies: signatures (HMAC, Digest) are computed over the exact bytes received.
import express from 'express';

export const MAX_BODY_BYTES = 1024 * 1024;

export const rawBody = express.raw({ type: () => true, limit: MAX_BODY_BYTES });

/** Parses JSON from a raw body; undefined when it is not JSON. */
export function parseJson(body: unknown): { ok: true; value: unknown } | { ok: false; detail: string } {
  if (!Buffer.isBuffer(body) || body.length === 0) return { ok: false, detail: 'empty body' };
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
}
