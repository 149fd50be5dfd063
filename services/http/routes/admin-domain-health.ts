// Operators: a remote domain's delivery health (failure days, unavailable or not, breaker).
import { Router } from 'express';
import type { Gateway } from '../../gateway';
import { parseDomain } from '../../moderation/domains';
import { withStoreTimeout } from '../../store/availability';
import { requireToken } from '../bearer-auth';
import { sendProblem } from '../problem';

export function adminDomainHealthRouter(g: Gateway): Router {
  const router = Router();
  router.get('/admin/domains/:domain/health', requireToken(g.config.adminToken), async (req, res, next) => {
    const raw = req.params.domain;
    // The same reading as domain blocks: lower case and punycode, as deliveries key a domain (URL.host).
    const parsed = typeof raw === 'string' ? parseDomain(raw, { singleLabel: true }) : undefined;
    if (!parsed?.ok) {
      return sendProblem(res, { status: 400, title: 'Bad Request', detail: `domain: ${parsed?.detail ?? 'a host name'}, optionally with :port (example.social, 203.0.113.5:8443)`, field: 'domain' });
    }
    try {
      res.json(await withStoreTimeout(g.domainHealth.health(parsed.domain)));
    } catch (e) {
      next(e);
    }
  });
  return router;
}
