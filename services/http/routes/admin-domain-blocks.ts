// Domain blocks for the operator (bearer ADMIN_TOKEN): list, read, set, lift. Setting a new block
// queues the removal of the domain's followers (a job: a domain may follow many accounts).
import express, { Router } from 'express';
import type { Gateway } from '../../gateway';
import { DomainBlockBodySchema } from '../../moderation/admin-schemas';
import { parseDomain } from '../../moderation/domains';
import { requireToken } from '../bearer-auth';
import { sendBadField as badField, sendProblem } from '../problem';

export function adminDomainBlocksRouter(g: Gateway): Router {
  const router = Router();
  router.use('/admin/domain-blocks', requireToken(g.config.adminToken), express.json({ limit: '16kb', type: () => true }));

  router.get('/admin/domain-blocks', async (_req, res) => {
    res.json({ items: await g.domainBlocks.list() });
  });

  router.get('/admin/domain-blocks/:domain', async (req, res) => {
    const domain = parseDomain(req.params.domain);
    if (!domain.ok) return badField(res, { parameter: 'domain' }, domain.detail);
    const block = await g.domainBlocks.get(domain.domain);
    if (!block) return sendProblem(res, { status: 404, title: 'Not Found', detail: `${domain.domain} is not blocked` });
    res.json(block);
  });

  router.put('/admin/domain-blocks/:domain', async (req, res) => {
    const domain = parseDomain(req.params.domain);
    if (!domain.ok) return badField(res, { parameter: 'domain' }, domain.detail);
    const body = DomainBlockBodySchema.safeParse(req.body ?? {});
    if (!body.success) {
      const issue = body.error.issues[0]!;
      return badField(res, { pointer: `/${issue.path.join('/')}` }, issue.message);
    }
    const { block, created } = await g.domainBlocks.put(domain.domain, body.data.comment);
    if (created) await g.queues.moderation.add('purge-domain-followers', { kind: 'purge-domain-followers', domain: domain.domain });
    res.status(created ? 201 : 200).json(block);
  });

  router.delete('/admin/domain-blocks/:domain', async (req, res) => {
    const domain = parseDomain(req.params.domain);
    if (!domain.ok) return badField(res, { parameter: 'domain' }, domain.detail);
    if (!(await g.domainBlocks.remove(domain.domain))) return sendProblem(res, { status: 404, title: 'Not Found', detail: `${domain.domain} is not blocked` });
    res.status(204).end();
  });
  return router;
}
