// AUTHORIZED_FETCH=true ("secure mode"): GETs of actors, their collections and objects need a
// valid HTTP signature (draft-cavage or RFC 9421) by any actor whose key resolves, so readers
// can be identified (and, later, refused by domain). WebFinger, host-meta, NodeInfo and the
// instance actor (/actor) stay open: a server verifying our signed fetches must be able to get
// our instance key without signing, or two secure-mode servers would wait on each other.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Gateway } from '../gateway';
import { wantsHtml } from './negotiate';
import { sendProblem } from './problem';
import { signedRequester } from './signed-requester';

/** ActivityPub documents served to servers: actors, their collections, objects. */
const PROTECTED = /^\/(users\/[^/?]+(\/[^?]*)?|posts\/[^?]+)(\?.*)?$/;
/** The routes that answer a browser with a redirect to the platform rather than the document. */
const REDIRECTS_BROWSERS = /^\/(users|posts)\/[^/?]+(\?.*)?$/;

export function authorizedFetch(g: Gateway): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!g.config.authorizedFetch || (req.method !== 'GET' && req.method !== 'HEAD') || !PROTECTED.test(req.originalUrl)) return next();
    // Browsers get only a redirect to the platform's page there (non-public posts check for themselves).
    if (REDIRECTS_BROWSERS.test(req.originalUrl) && wantsHtml(req)) return next();
    try {
      const requester = await signedRequester(g, { method: req.method, path: req.originalUrl, headers: req.headers });
      if (requester.ok) {
        // Answers depend on who asked: shared caches must not serve them to others.
        res.set('cache-control', 'private');
        return next();
      }
      req.log?.info({ reason: requester.reason, path: req.originalUrl }, 'authorized fetch: refused');
      sendProblem(res, { status: 401, title: 'Unauthorized', detail: `a signed request is required (${requester.reason})`, reason: requester.reason });
    } catch (e) {
      next(e);
    }
  };
}
