// Inboxes (per actor, shared, instance): authenticate, dedupe, queue, answer 202.
import { type Request, type Response, Router } from 'express';
import type { Gateway } from '../../gateway';
import { authenticateInbox } from '../../inbox/authenticate';
import { type RateVerdict, claimedSignerOverLimit, countInboxPost } from '../../inbox/rate-limit';
import { StoreUnavailableError, assertStoreReady, withStoreTimeout } from '../../store/availability';
import { sendProblem } from '../problem';
import { domainOf } from '../../remote/domain-health';
import { rawBody } from '../raw-body';

export function inboxRouter(g: Gateway): Router {
  const router = Router();
  router.post(['/inbox', '/users/:username/inbox', '/actor/inbox'], rawBody, async (req, res) => {
    try {
      assertStoreReady(g.redis, g.queueRedis);
      await receive(req, res);
    } catch (e) {
      if (!(e instanceof StoreUnavailableError)) throw e;
      req.log.warn({ err: e }, 'inbox: store unavailable');
      // Remote servers retry on 5xx: nothing is lost, nothing half-applied.
      sendProblem(res, { status: 503, title: 'Service Unavailable', detail: 'try again later' }, { 'retry-after': '30' });
    }
  });

  async function receive(req: Request, res: Response) {
    // A server already over its limit is refused before its body is parsed or its key looked up.
    const early = await withStoreTimeout(claimedSignerOverLimit(g, req.headers));
    if (!early.ok) return tooMany(req, res, early);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const auth = await withStoreTimeout(authenticateInbox(g, { method: req.method, path: req.originalUrl, headers: req.headers, body }), 15000);
    if (!auth.ok) {
      g.metrics.inbox.inc({ result: 'refused', reason: auth.reason });
      req.log.info({ reason: auth.reason, detail: auth.detail }, 'inbox: refused');
      return sendProblem(res, { status: auth.status, title: auth.status === 401 ? 'Unauthorized' : auth.status === 403 ? 'Forbidden' : 'Bad Request', detail: auth.detail ?? auth.reason, reason: auth.reason });
    }
    const senderHost = domainOf(auth.signer);
    if (senderHost) {
      const counted = await withStoreTimeout(countInboxPost(g, senderHost, auth.unverifiedGoneActor ? 'unverified' : 'signed'));
      if (!counted.ok) return tooMany(req, res, counted);
    }
    // A server that signs requests to us is alive: its domain's failure record is reset.
    const signerDomain = auth.unverifiedGoneActor ? undefined : senderHost;
    if (signerDomain) await withStoreTimeout(g.domainHealth.recordAlive(signerDomain));
    if (await g.dedupe.inboxSeen(auth.replayKey)) {
      g.metrics.inbox.inc({ result: 'duplicate', reason: 'seen' });
      return res.status(202).end();
    }
    if (auth.unverifiedGoneActor) await replaceFinishedJob(auth.replayKey);
    // The replay key as job id makes a concurrent redelivery of the same activity a no-op.
    await withStoreTimeout(
      g.queues.inbox.add(
        'activity',
        { activity: auth.activity, activityId: auth.activityId, signer: auth.signer, receivedAt: new Date().toISOString(), ...(auth.unverifiedGoneActor ? { unverifiedGoneActor: true as const } : {}) },
        { jobId: auth.replayKey },
      ),
    );
    g.metrics.inbox.inc({ result: 'accepted', reason: '' });
    res.status(202).end();
  }

  function tooMany(req: Request, res: Response, refused: Extract<RateVerdict, { ok: false }>) {
    g.metrics.inbox.inc({ result: 'refused', reason: 'rate_limited' });
    req.log.info({ reason: 'rate_limited', host: refused.host }, 'inbox: refused');
    const retryAfter = String(refused.retryAfterSeconds);
    sendProblem(res, { status: 429, title: 'Too Many Requests', detail: refused.detail, reason: 'rate_limited', domain: refused.host, retryAfter: refused.retryAfterSeconds }, { 'retry-after': retryAfter });
  }

  // An unverified self-Delete has one job per actor: copies join the one still queued, so however
  // many are posted the actor is fetched once per check; a copy after a check replaces it.
  async function replaceFinishedJob(jobId: string) {
    const previous = await withStoreTimeout(g.queues.inbox.getJob(jobId));
    if (previous && (await previous.isCompleted() || await previous.isFailed())) await withStoreTimeout(previous.remove());
  }
  return router;
}
