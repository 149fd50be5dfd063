// A POST whose answer matters only by its status (and Retry-After): undici's dispatch with a
// handler that drops the body as it comes, instead of a response stream per delivery (on the
// fan-out's hot path that stream cost more than anything but signing). The body is capped.
import type { Dispatcher } from 'undici';
import { DISCARD_LIMIT_BYTES } from './read-body';

export interface StatusAnswer {
  status: number;
  retryAfter?: string;
}

export function postForStatus(dispatcher: Dispatcher, url: URL, headers: Record<string, string>, body: string): Promise<StatusAnswer> {
  return new Promise((resolve, reject) => {
    let answer: StatusAnswer | undefined;
    let size = 0;
    dispatcher.dispatch(
      { origin: url.origin, path: `${url.pathname}${url.search}`, method: 'POST', headers, body },
      {
        // Its presence tells undici this handler speaks the controller interface.
        onRequestStart() {},
        onResponseStart(_controller, statusCode, responseHeaders) {
          const retryAfter = responseHeaders['retry-after'];
          answer = { status: statusCode, ...(retryAfter !== undefined ? { retryAfter: String(retryAfter) } : {}) };
        },
        onResponseData(controller, chunk) {
          size += chunk.length;
          // The status is known: a body too large to drain costs the connection, not the answer.
          if (size > DISCARD_LIMIT_BYTES) controller.abort(new Error('response body over the discard limit'));
        },
        onResponseEnd() {
          resolve(answer!);
        },
        onResponseError(_controller, err) {
          if (answer) resolve(answer);
          else reject(err);
        },
      },
    );
  });
}
