// Queues for the operator (bearer ADMIN_TOKEN): counts per state, failed jobs, retries. Beside the
// Bull Board dashboard (/admin/queues), for scripts and the `fedigate` CLI.
import express, { type Request, type Response, Router } from 'express';
import type { Queue } from 'bullmq';
import type { Gateway } from '../../gateway';
import { failedJobs, queueCounts, retryFailed } from '../../queue/admin-jobs';
import { FailedQuerySchema, QueueParamSchema, RetryBodySchema } from '../../queue/admin-schemas';
import { assertStoreReady, withStoreTimeout } from '../../store/availability';
import { requireToken } from '../bearer-auth';
import { sendBadField } from '../problem';

export function adminJobsRouter(g: Gateway): Router {
  const router = Router();
  // Queue commands wait out Redis outages: refuse at once (503) when it is already down.
  router.use('/admin/jobs', requireToken(g.config.adminToken), express.json({ limit: '128kb', type: () => true }), (_req, _res, next) => {
    assertStoreReady(g.queueRedis);
    next();
  });

  /** The queue named in the path, or undefined once a problem is sent. */
  const queueOf = (req: Request, res: Response): { name: string; queue: Queue } | undefined => {
    const name = QueueParamSchema.safeParse(req.params.queue);
    if (!name.success) return void sendBadField(res, { parameter: 'queue' }, name.error.issues[0]!.message);
    return { name: name.data, queue: g.queues[name.data] as Queue };
  };

  router.get('/admin/jobs', async (_req, res) => {
    res.json({ queues: await withStoreTimeout(queueCounts(g.queues)) });
  });

  router.get('/admin/jobs/:queue/failed', async (req, res) => {
    const q = queueOf(req, res);
    if (!q) return;
    const query = FailedQuerySchema.safeParse(req.query);
    if (!query.success) {
      const issue = query.error.issues[0]!;
      return sendBadField(res, { parameter: String(issue.path[0] ?? 'limit') }, issue.message);
    }
    res.json({ queue: q.name, ...(await withStoreTimeout(failedJobs(q.queue, query.data.limit))) });
  });

  // No overall timeout: retrying every failed job of a queue takes as long as it takes.
  router.post('/admin/jobs/:queue/retry', async (req, res) => {
    const q = queueOf(req, res);
    if (!q) return;
    const body = RetryBodySchema.safeParse(req.body ?? {});
    if (!body.success) {
      const issue = body.error.issues[0]!;
      // An unknown member is named by its own pointer, not the object's.
      const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
      return sendBadField(res, { pointer: `/${path.join('/')}` }, issue.message);
    }
    const which = body.data.all ? { all: true as const } : { jobIds: body.data.jobIds! };
    res.json({ queue: q.name, ...(await retryFailed(q.queue, which)) });
  });
  return router;
}
