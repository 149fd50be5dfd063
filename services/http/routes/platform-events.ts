// POST /platform/events: HMAC → JSON → schema → durable enqueue → 202.
import { Router } from 'express';
import type { Gateway } from '../../gateway';
import { verifyPayloadSignature } from '../../platform/hmac';
import { acceptEvents } from '../../platform/intake';
import { StoreUnavailableError } from '../../store/availability';
import { validateEventBody } from '../../platform/validate-events';
import { sendProblem } from '../problem';
import { parseJson, rawBody } from '../raw-body';

export function platformEventsRouter(g: Gateway): Router {
  const router = Router();
  router.post('/platform/events', rawBody, async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const auth = verifyPayloadSignature(g.config.webhookSecret, req.get('x-signature'), body);
    if (!auth.ok) {
      g.metrics.events.inc({ result: 'refused' });
      return sendProblem(res, { status: 401, title: 'Unauthorized', detail: `X-Signature ${auth.reason}`, reason: `signature_${auth.reason}` });
    }
    const json = parseJson(body);
    if (!json.ok) {
      g.metrics.events.inc({ result: 'refused' });
      const title = json.reason === 'document_too_deep' ? 'JSON nested too deep' : 'Malformed JSON';
      return sendProblem(res, { status: 400, title, detail: json.detail, reason: json.reason, errors: [{ pointer: '', message: json.detail }] });
    }
    const checked = validateEventBody(json.value);
    if (!checked.ok) {
      g.metrics.events.inc({ result: 'refused' });
      return sendProblem(res, { status: 400, title: 'Invalid events', detail: 'the batch was refused whole; nothing was queued', errors: checked.problems });
    }
    try {
      const isBatch = typeof json.value === 'object' && json.value !== null && 'events' in json.value;
      const result = await acceptEvents(g, checked.events, (i) => (isBatch ? `/events/${i}` : ''));
      if (!result.ok) {
        g.metrics.events.inc({ result: 'refused' });
        return sendProblem(res, { status: 400, title: 'Invalid events', detail: 'the batch was refused whole; nothing was queued', errors: result.problems });
      }
      g.metrics.events.inc({ result: 'accepted' }, result.accepted.length);
      g.metrics.events.inc({ result: 'duplicate' }, result.duplicates.length);
      res.status(202).json({ accepted: result.accepted, duplicates: result.duplicates });
    } catch (e) {
      if (!(e instanceof StoreUnavailableError)) throw e;
      req.log.warn({ err: e }, 'event intake: store unavailable');
      sendProblem(res, { status: 503, title: 'Store Unavailable', detail: 'the events are not known to be queued; retry (ids already queued are answered as duplicates)' }, { 'retry-after': '5' });
    }
  });
  return router;
}
