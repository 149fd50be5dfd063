// Operators: liveness, readiness, Prometheus metrics and the queue dashboard (contract §5).
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router } from 'express';
import type { Gateway } from '../../gateway';
import { assertStoreReady, withStoreTimeout } from '../../store/availability';
import { requireToken } from '../bearer-auth';

/** Liveness, readiness and metrics: served by the gateway and, with WORKER_OPS_PORT, by workers. */
export function probeRouter(g: Gateway): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const checks: Record<string, string> = {};
    try {
      await g.redis.ping();
      checks.store = 'ok';
    } catch (e) {
      checks.store = `down: ${(e as Error).message}`;
    }
    checks.queues = g.queueRedis.status === 'ready' ? 'ok' : `down: ${g.queueRedis.status}`;
    const ready = Object.values(checks).every((v) => v === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });

  router.get('/metrics', async (_req, res) => {
    try {
      // Queue depths need Redis: never let a scrape hang on it.
      assertStoreReady(g.queueRedis);
      res.type(g.metrics.registry.contentType).send(await withStoreTimeout(g.metrics.registry.metrics()));
    } catch (e) {
      // Queue depths need Redis; without it, say so rather than hang the scrape.
      res.status(503).type('text/plain').send(`metrics unavailable: ${(e as Error).message}\n`);
    }
  });

  return router;
}

export function opsRouter(g: Gateway): Router {
  const router = Router();
  router.use(probeRouter(g));

  const board = new ExpressAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({ queues: Object.values(g.queues).map((q) => new BullMQAdapter(q)), serverAdapter: board });
  router.use('/admin/queues', requireToken(g.config.adminToken, { allowBasic: true, realm: 'fedigate admin' }), board.getRouter());

  return router;
}
