// pino JSON logs; children carry request and job ids.
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'fedigate' }, redact: ['req.headers.authorization', 'req.headers["x-signature"]', 'req.headers.signature'] });
}
