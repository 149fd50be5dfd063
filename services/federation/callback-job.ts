// Runs one callback job: signed POST to the platform; 5xx and silence are retried for a day+.
// Callbacks about one object go in the order they were queued (callback-order.ts).
import { UnrecoverableError } from 'bullmq';
import type { Gateway } from '../gateway';
import type { CallbackJob } from '../queue/jobs';
import { postCallback } from '../remote/platform-client';
import { isCallbackTurn, leaveCallbackOrder } from './callback-order';
import { isSupersededNoteCallback } from './note-liveness';

/** 'wait': an earlier callback about the same object is not delivered yet; the job steps aside. */
export type CallbackRun = 'delivered' | 'superseded' | 'wait';

export async function runCallback(g: Gateway, envelope: CallbackJob, opts: { finalAttempt?: boolean } = {}): Promise<CallbackRun> {
  if (await isSupersededNoteCallback(g, envelope)) {
    g.metrics.callbacks.inc({ outcome: 'superseded' });
    await leaveCallbackOrder(g, envelope);
    return 'superseded';
  }
  if (!(await isCallbackTurn(g, envelope))) {
    g.metrics.callbacks.inc({ outcome: 'waiting' });
    return 'wait';
  }
  const outcome = await postCallback(g.platformAgent, g.config.callbackUrl, g.config.callbackSecret, envelope);
  g.metrics.callbacks.inc({ outcome: outcome.ok ? 'delivered' : outcome.retry ? 'retry' : 'final' });
  // Delivered, refused for good or out of attempts: the next callback about the object may go.
  if (outcome.ok || !outcome.retry || opts.finalAttempt) await leaveCallbackOrder(g, envelope);
  if (outcome.ok) return 'delivered';
  if (!outcome.retry) throw new UnrecoverableError(`platform refused callback: ${outcome.reason}`);
  throw new Error(`callback not delivered: ${outcome.reason}`);
}
