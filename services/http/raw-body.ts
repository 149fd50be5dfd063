// Raw bodies: signatures (HMAC, Digest) are computed over the exact bytes received.
import express from 'express';
import { MAX_DEPTH } from '../activitypub/jsonld/document-shape';

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Nesting of arrays and objects a body may have: the same limit the inbound document walk
 * applies (no real activity or event batch comes near it). JSON.parse itself copes with deeper
 * text, but everything after it that recurses (JSON.stringify when a job is queued, jsonld,
 * loggers) overflows the stack, so deeper text is refused before it is parsed.
 */
export const MAX_JSON_DEPTH = MAX_DEPTH;

export const rawBody = express.raw({ type: () => true, limit: MAX_BODY_BYTES });

/** Byte offset of the first bracket nested deeper than `limit`, if any (strings skipped; one pass, no allocation). */
export function nestingPastLimit(body: Buffer, limit: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next byte is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return undefined;
}

export type JsonRefusal = 'empty_body' | 'malformed_json' | 'document_too_deep';

/** Parses JSON from a raw body, refusing text nested deeper than MAX_JSON_DEPTH before parsing it. */
export function parseJson(body: unknown): { ok: true; value: unknown } | { ok: false; reason: JsonRefusal; detail: string } {
  if (!Buffer.isBuffer(body) || body.length === 0) return { ok: false, reason: 'empty_body', detail: 'empty body' };
  const tooDeep = nestingPastLimit(body, MAX_JSON_DEPTH);
  if (tooDeep !== undefined) return { ok: false, reason: 'document_too_deep', detail: `nested deeper than ${MAX_JSON_DEPTH} levels at byte ${tooDeep}` };
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch (e) {
    return { ok: false, reason: 'malformed_json', detail: (e as Error).message };
  }
}
