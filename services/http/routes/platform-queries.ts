// The platform's queries (contract §3), behind the bearer PLATFORM_API_TOKEN, and the OpenAPI
// document of the whole platform API (open to all).
import { type Response, Router } from 'express';
import { accountFederation, lookupActor, postFederation } from '../../federation/platform-queries';
import type { Gateway } from '../../gateway';
import { AccountIdParamSchema, ActorLookupQuerySchema, PostIdParamSchema } from '../../platform/query-schemas';
import { requireToken } from '../bearer-auth';
import { openApiDocument } from '../openapi';
import { sendProblem } from '../problem';

export function platformQueriesRouter(g: Gateway): Router {
  const router = Router();
  const auth = requireToken(g.config.apiToken);
  // Built once: it depends only on the schemas and the origin.
  const openapi = JSON.stringify(openApiDocument(g.config.publicOrigin));

  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(openapi);
  });

  const badParameter = (res: Response, parameter: string, message: string) =>
    sendProblem(res, { status: 400, title: 'Bad Request', detail: `${parameter}: ${message}`, errors: [{ parameter, message }] });

  router.get('/platform/actors/lookup', auth, async (req, res) => {
    const query = ActorLookupQuerySchema.safeParse(req.query);
    if (!query.success) return badParameter(res, 'q', query.error.issues[0]!.message);
    const found = await lookupActor(g, query.data.q);
    if (found.ok) return res.json(found.actor);
    switch (found.reason) {
      case 'malformed':
        return badParameter(res, 'q', found.detail);
      case 'unavailable':
        return sendProblem(res, { status: 502, title: 'Bad Gateway', detail: `the actor's server failed: ${found.detail}` });
      case 'not_found':
        return sendProblem(res, { status: 404, title: 'Not Found', detail: found.detail });
    }
  });

  router.get('/platform/accounts/:id/federation', auth, async (req, res) => {
    const params = AccountIdParamSchema.safeParse(req.params);
    if (!params.success) return badParameter(res, 'id', params.error.issues[0]!.message);
    const state = await accountFederation(g, params.data.id);
    if (!state) return sendProblem(res, { status: 404, title: 'Not Found', detail: `no account ${params.data.id}` });
    res.json(state);
  });

  router.get('/platform/posts/:id/federation', auth, async (req, res) => {
    const params = PostIdParamSchema.safeParse(req.params);
    if (!params.success) return badParameter(res, 'id', params.error.issues[0]!.message);
    const receipts = await postFederation(g, params.data.id);
    if (!receipts) return sendProblem(res, { status: 404, title: 'Not Found', detail: `no post ${params.data.id}` });
    res.json(receipts);
  });

  return router;
}
