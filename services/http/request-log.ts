// One log line per request, over pino. Each request gets an id (X-Request-Id when the caller sent
// one) and a child logger bound to it alone. pino-http's child carried the serialised request,
// headers and all, made at the start of every request even with request lines below the level:
// about a tenth of an inbox POST's CPU. Headers are not logged (signatures, tokens).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger';

declare module 'http' {
  interface IncomingMessage {
    /** the request's id in its log lines */
    id: string;
    log: Logger;
  }
}

export function requestLog(logger: Logger, opts: { ignore: (req: IncomingMessage) => boolean }): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const header = req.headers['x-request-id'];
    req.id = typeof header === 'string' && header !== '' ? header.slice(0, 200) : randomUUID();
    req.log = logger.child({ reqId: req.id });
    if (opts.ignore(req)) return next();
    const done = (finished: boolean) => {
      const level = !finished ? 'warn' : res.statusCode >= 500 ? 'error' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const line = {
        req: { method: req.method, url: req.originalUrl, remoteAddress: req.socket.remoteAddress, userAgent: req.headers['user-agent'] },
        res: { statusCode: res.statusCode },
        responseTime: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
      };
      req.log[level](line, finished ? 'request completed' : 'request aborted');
    };
    res.once('finish', () => done(true));
    res.once('close', () => res.writableFinished || done(false));
    next();
  };
}
