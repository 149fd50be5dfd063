// Worker processes have no public routes; this app gives them probes and metrics only, because
// their delivery, callback and inbound counters live in the worker process, not the gateway's.
import express, { type Express } from 'express';
import type { Gateway } from '../gateway';
import { sendProblem } from './problem';
import { probeRouter } from './routes/ops';

export function createWorkerOpsApp(g: Gateway): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(probeRouter(g));
  app.use((_req, res) => sendProblem(res, { status: 404, title: 'Not Found' }));
  return app;
}
