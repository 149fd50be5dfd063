// Express app factory (no listen): thin routes over the gateway's services.
import express, { type Express } from 'express';
import type { Gateway } from '../gateway';
import { authorizedFetch } from './authorized-fetch';
import { problemErrorHandler, sendProblem } from './problem';
import { requestLog } from './request-log';
import { actorsRouter } from './routes/actors';
import { adminDomainBlocksRouter } from './routes/admin-domain-blocks';
import { adminJobsRouter } from './routes/admin-jobs';
import { collectionsRouter } from './routes/collections';
import { discoveryRouter } from './routes/discovery';
import { inboxRouter } from './routes/inbox';
import { opsRouter } from './routes/ops';
import { adminDomainHealthRouter } from './routes/admin-domain-health';
import { platformEventsRouter } from './routes/platform-events';
import { platformQueriesRouter } from './routes/platform-queries';

/**
 * Options of the HTTP server the app runs in. A request without Host reaches the app, to be
 * refused as problem+json like any other (the inbox: 401 wrong_host), not with Node's bare 400.
 */
export const SERVER_OPTIONS = { requireHostHeader: false } as const;

export function createApp(g: Gateway): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.use(requestLog(g.logger, { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' }));
  // The inboxes first: federation's hot path should not walk every other router to reach them.
  app.use(inboxRouter(g));
  app.use(opsRouter(g));
  app.use(adminDomainBlocksRouter(g));
  app.use(adminDomainHealthRouter(g));
  app.use(adminJobsRouter(g));
  app.use(platformEventsRouter(g));
  app.use(platformQueriesRouter(g));
  app.use(discoveryRouter(g));
  app.use(authorizedFetch(g));
  app.use(collectionsRouter(g));
  app.use(actorsRouter(g));
  app.use((_req, res) => sendProblem(res, { status: 404, title: 'Not Found' }));
  app.use(problemErrorHandler);
  return app;
}
