// Content negotiation for ActivityPub documents: AS2 JSON for federating servers, HTML for browsers.
import type { Request, Response } from 'express';

export const AS2_TYPE = 'application/activity+json';

/** True when the client asked for HTML over JSON (a browser following a profile link). */
export function wantsHtml(req: Request): boolean {
  return req.accepts([AS2_TYPE, 'application/ld+json', 'application/json', 'text/html']) === 'text/html';
}

export function sendActivityJson(res: Response, doc: unknown, status = 200): void {
  res.status(status).set({ 'content-type': `${AS2_TYPE}; charset=utf-8`, vary: 'Accept' }).send(JSON.stringify(doc));
}
