// Reads a response body with a size cap: a hostile server cannot make us buffer gigabytes.
import type { Dispatcher } from 'undici';

export class BodyTooLargeError extends Error {}

export async function readCapped(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      body.destroy();
      throw new BodyTooLargeError(`response body over ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Bytes of an unneeded body drained so the connection can be reused; past it, the connection is cut. */
export const DISCARD_LIMIT_BYTES = 64 * 1024;

/** Drains a body we do not need, so the connection can be reused. */
export async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  try {
    await body.dump({ limit: DISCARD_LIMIT_BYTES });
  } catch {
    /* the connection is dropped instead */
  }
}
