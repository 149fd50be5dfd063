// Runs one callback job: signed POST to the platform; 5xx and silence are retried for a day+.
import { UnrecoverableError } from 'bullmq';
import type { Gateway } from '../gateway';
import type { CallbackJob } from '../queue/jobs';
import { postCallback } from '../remote/platform-client';
import { isSupersededNoteCallback } from './note-liveness';

export async function runCallback(g: Gateway, envelope: CallbackJob): Promise<void> {
  if (await isSupersededNoteCallback(g, envelope)) {
    g.metrics.callbacks.inc({ outcome: 'superseded' });
    return;
  }
  const outcome = await postCallback(g.platformAgent, g.config.callbackUrl, g.config.callbackSecret, envelope);
  g.metrics.callbacks.inc({ outcome: outcome.ok ? 'delivered' : outcome.retry ? 'retry' : 'final' });
  if (outcome.ok) return;
  if (!outcome.retry) throw new UnrecoverableError(`platform refused callback: ${outcome.reason}`);
  throw new Error(`callback not delivered: ${outcome.reason}`);
}
