// RFC 9457 problem+json answers: every refusal says what was wrong and where.
import { STATUS_CODES } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

export interface Problem {
  status: number;
  title: string;
  detail?: string;
  [extra: string]: unknown;
}

export function sendProblem(res: Response, p: Problem, headers: Record<string, string> = {}): void {
  res.status(p.status).set({ 'content-type': 'application/problem+json', ...headers }).send(JSON.stringify({ type: 'about:blank', ...p }));
}

/** 400 naming the bad input as the platform API does: a path or query parameter, or a JSON pointer into the body. */
export function sendBadField(res: Response, where: { parameter: string } | { pointer: string }, message: string): void {
  const field = 'parameter' in where ? where.parameter : where.pointer;
  sendProblem(res, { status: 400, title: 'Bad Request', detail: `${field}: ${message}`, errors: [{ ...where, message }] });
}

/** Errors of a Redis that is down or not answering: the fail-fast client's refusals and timeouts. */
export function isStoreOutage(err: unknown): boolean {
  const e = err as { name?: string; message?: string };
  return (
    e?.name === 'StoreUnavailableError' ||
    e?.name === 'MaxRetriesPerRequestError' ||
    /enableOfflineQueue|Connection is closed|Command timed out|ECONNREFUSED|ETIMEDOUT/.test(e?.message ?? '')
  );
}

/** Last error handler: body-parser errors become 4xx problems, store outages 503, anything else a logged 500. */
export function problemErrorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (isStoreOutage(err)) {
    req.log?.warn({ err: (err as Error).message }, 'store unavailable');
    return sendProblem(res, { status: 503, title: 'Service Unavailable', detail: 'store unavailable; retry' }, { 'retry-after': '5' });
  }
  const e = err as { status?: number; statusCode?: number; type?: string; message?: string };
  const status = e.status ?? e.statusCode ?? 500;
  if (status === 413) return sendProblem(res, { status, title: 'Payload Too Large', detail: 'body over 1 MiB', reason: 'body_too_large' });
  // body-parser's type names the problem: encoding.unsupported, request.aborted, …
  const reason = (e.type ?? 'bad_request').replace(/\W+/g, '_');
  if (status >= 400 && status < 500) return sendProblem(res, { status, title: STATUS_CODES[status] ?? 'Bad Request', detail: e.message ?? e.type ?? 'bad request', reason });
  req.log?.error({ err }, 'unhandled error');
  sendProblem(res, { status: 500, title: 'Internal Server Error' });
}
