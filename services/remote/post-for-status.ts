// A POST whose answer matters only by its status (and Retry-After): undici's dispatch with a
// handler that drops the body as it comes, instead of a response stream per delivery (on the
// fan-out's hot path that stream cost more than anything but signing). The body is capped.
// The handler uses the callbacks undici 7 runs natively (onConnect/onHeaders/…): its newer
// controller interface is adapted to them per request, with the headers parsed into an object
// we would not read (about a fifth of undici's cost per POST, measured on loopback).
import type { Dispatcher } from 'undici';
import { DISCARD_LIMIT_BYTES } from './read-body';

export interface StatusAnswer {
  status: number;
  retryAfter?: string;
}

export function postForStatus(dispatcher: Dispatcher, url: URL, headers: Record<string, string>, body: Buffer | string): Promise<StatusAnswer> {
  return new Promise((resolve, reject) => {
    let answer: StatusAnswer | undefined;
    let size = 0;
    let abort: ((err?: Error) => void) | undefined;
    dispatcher.dispatch(
      { origin: url.origin, path: `${url.pathname}${url.search}`, method: 'POST', headers, body },
      {
        onConnect(abortRequest) {
          abort = abortRequest;
        },
        onHeaders(statusCode, rawHeaders) {
          const retryAfter = headerValue(rawHeaders, 'retry-after');
          answer = { status: statusCode, ...(retryAfter !== undefined ? { retryAfter } : {}) };
          return true;
        },
        onData(chunk) {
          size += chunk.length;
          // The status is known: a body too large to drain costs the connection, not the answer.
          if (size > DISCARD_LIMIT_BYTES) abort?.(new Error('response body over the discard limit'));
          return true;
        },
        onComplete() {
          resolve(answer!);
        },
        onError(err) {
          if (answer) resolve(answer);
          else reject(err);
        },
      },
    );
  });
}

/** The first value of a header in undici's raw [name, value, …] list (names in any case). */
function headerValue(raw: Buffer[], lowerName: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === lowerName.length && name.toString('latin1').toLowerCase() === lowerName) return raw[i + 1]!.toString('latin1');
  }
  return undefined;
}
