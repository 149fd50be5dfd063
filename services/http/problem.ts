// RFC 9457 problem+json answers: every refusal says what was wrong and where.
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

/** Last error handler: body-parser errors become 4xx problems, anything else a logged 500. */
export function problemErrorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  const e = err as { status?: number; statusCode?: number; type?: string; message?: string };
  const status = e.status ?? e.statusCode ?? 500;
  if (status === 413) return sendProblem(res, { status, title: 'Payload Too Large', detail: 'body over 1 MiB' });
  if (status >= 400 && status < 500) return sendProblem(res, { status, title: 'Bad Request', detail: e.type ?? e.message ?? 'bad request' });
  req.log?.error({ err }, 'unhandled error');
  sendProblem(res, { status: 500, title: 'Internal Server Error' });
}
