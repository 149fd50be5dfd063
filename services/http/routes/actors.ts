// Actors, the instance actor and post objects, with content negotiation (contract §4);
// collections are in collections.ts.
import { Router } from 'express';
import { actorDocument, instanceActorDocument } from '../../activitypub/actor';
import { actorTombstone } from '../../activitypub/actor-leave';
import { noteObject, tombstone } from '../../activitypub/outbound';
import { isPubliclyReadable, mayRead } from '../../federation/post-access';
import type { Gateway } from '../../gateway';
import { signedRequester } from '../signed-requester';
import { sendActivityJson, wantsHtml } from '../negotiate';
import { sendProblem } from '../problem';

export function actorsRouter(g: Gateway): Router {
  const router = Router();
  const u = g.uris;
  const notFound = { status: 404, title: 'Not Found' };

  router.get('/actor', async (_req, res) => {
    const pair = await g.accounts.instanceKeys();
    sendActivityJson(res, instanceActorDocument(pair.publicKeyPem, g.config.handleDomain, u));
  });

  router.get('/users/:username', async (req, res) => {
    const stored = await g.accounts.getByUsername(String(req.params.username));
    // An opted-out or deleted account answers 410 with a Tombstone (its profile may be erased).
    if (!stored || stored.state === 'disabled' || stored.state === 'deleted') {
      const left = await g.accounts.stateByUsername(String(req.params.username));
      if (left?.state === 'disabled' || left?.state === 'deleted') {
        return sendActivityJson(res, actorTombstone(left.username, u, left.stateAt ? new Date(left.stateAt).toISOString() : undefined), 410);
      }
      return sendProblem(res, notFound);
    }
    if (stored.state !== 'enabled') return sendProblem(res, { status: 410, title: 'Gone' });
    if (wantsHtml(req)) return res.redirect(303, stored.account.profileUrl);
    const pair = await g.accounts.keys(stored.account.id);
    if (!pair) return sendProblem(res, notFound);
    sendActivityJson(res, actorDocument(stored.account, pair.publicKeyPem, u));
  });

  router.get('/posts/:postId', async (req, res) => {
    const postId = String(req.params.postId);
    const stored = await g.posts.get(postId);
    if (!stored) return sendProblem(res, notFound);
    if (stored.state === 'deleted') return sendActivityJson(res, tombstone(postId, u, new Date(stored.version).toISOString()), 410);
    const account = await g.accounts.get(stored.accountId);
    // The objects of an account that left answer 410 like its actor.
    if (account?.state === 'disabled') return sendActivityJson(res, tombstone(postId, u, new Date(stored.version).toISOString()), 410);
    const post = stored.post;
    // Held-back posts are served to nobody.
    if (!post || !stored.federated || !account || account.state !== 'enabled') return sendProblem(res, notFound);
    const username = account.account.username;
    if (!isPubliclyReadable(post)) {
      // Others need a signed GET from an actor in their audience; anyone else learns nothing (404).
      const requester = await signedRequester(g, { method: req.method, path: req.originalUrl, headers: req.headers });
      if (!requester.ok || !(await mayRead(g, post, username, stored.refs, requester.actor))) {
        req.log.info({ postId, reason: requester.ok ? 'not_in_audience' : requester.reason }, 'post: non-public fetch refused');
        return sendProblem(res, notFound);
      }
      res.set('cache-control', 'private');
    } else if (wantsHtml(req)) {
      return res.redirect(303, account.account.profileUrl);
    }
    sendActivityJson(res, noteObject(post, username, u, stored.refs));
  });

  return router;
}
