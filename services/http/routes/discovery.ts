// WebFinger, host-meta and NodeInfo: open to everyone (they never need a signature).
import { Router } from 'express';
import { VERSION, type Gateway } from '../../gateway';
import { hostMetaXml, nodeinfoDocument, nodeinfoLinks, parseWebfingerResource, webfingerDocument } from '../../activitypub/discovery';
import { sendProblem } from '../problem';

export function discoveryRouter(g: Gateway): Router {
  const router = Router();
  const { uris: u, config } = g;

  router.get('/.well-known/webfinger', async (req, res) => {
    const resource = typeof req.query.resource === 'string' ? req.query.resource : undefined;
    const q = parseWebfingerResource(resource, config.handleDomain, u);
    res.set('access-control-allow-origin', '*');
    if (q.kind === 'invalid') return sendProblem(res, { status: 400, title: 'Bad Request', detail: q.reason });
    if (q.kind === 'foreign') return sendProblem(res, { status: 404, title: 'Not Found', detail: 'not an account of this server' });
    if (q.kind === 'instance') {
      return res.type('application/jrd+json').send(JSON.stringify(webfingerDocument(config.handleDomain, config.handleDomain, u.instanceActor)));
    }
    const stored = await g.accounts.getByUsername(q.username);
    if (!stored || stored.state !== 'enabled') return sendProblem(res, { status: 404, title: 'Not Found', detail: 'no such account' });
    const { account } = stored;
    res.type('application/jrd+json').send(JSON.stringify(webfingerDocument(account.username, config.handleDomain, u.actor(account.username), account.profileUrl)));
  });

  router.get('/.well-known/host-meta', (_req, res) => {
    res.type('application/xrd+xml').send(hostMetaXml(u.origin));
  });

  router.get('/.well-known/nodeinfo', (_req, res) => {
    res.json(nodeinfoLinks(u.origin));
  });

  router.get('/nodeinfo/2.1', async (_req, res) => {
    const users = await g.accounts.countEnabled();
    res
      .type('application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"')
      .send(JSON.stringify(nodeinfoDocument(VERSION, users, 0)));
  });

  return router;
}
