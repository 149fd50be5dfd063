// Bearer-token guards for the platform API and the admin surface (timing-safe compare).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { sendProblem } from './problem';

const digest = (s: string) => createHash('sha256').update(s).digest();

function presentedToken(req: Request, allowBasic: boolean): string | undefined {
  const header = req.get('authorization') ?? '';
  const bearer = /^Bearer\s+(.+)$/i.exec(header);
  if (bearer) return bearer[1]!.trim();
  // Browsers cannot send a bearer token: the admin dashboard also takes Basic with the token as password.
  const basic = allowBasic ? /^Basic\s+(.+)$/i.exec(header) : null;
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return undefined;
}

export function requireToken(token: string, opts: { allowBasic?: boolean; realm?: string } = {}) {
  const expected = digest(token);
  return (req: Request, res: Response, next: NextFunction) => {
    const given = presentedToken(req, opts.allowBasic ?? false);
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return next();
    const challenge = opts.allowBasic ? `Basic realm="${opts.realm ?? 'fedigate'}"` : 'Bearer';
    sendProblem(res, { status: 401, title: 'Unauthorized', detail: given === undefined ? 'token required' : 'wrong token' }, { 'www-authenticate': challenge });
  };
}
