// A post's Create, Update and Delete keep their order at each inbox. Before sending, each inbox
// is checked against the post's receipts (services/store/post-receipts.ts): a Create is claimed,
// an Update waits while the Create is still on its way, a Delete cancels a Create that never left
// (and sends nothing there) or waits while one is in flight. After sending, the outcome is kept:
// it is also the post's federation receipt.
import type { Gateway } from '../gateway';
import type { PostStep } from '../queue/jobs';
import type { CreateOutcome, DeleteOutcome, StepVerdict } from '../store/post-receipts';
import type { InboxOutcome } from './deliver-inbox';

/** An Update waits for its Create longer each time, up to an hour; a Delete waits on a POST in flight. */
export function createFirstDelayMs(step: PostStep['step'], waits: number): number {
  return step === 'delete' ? 5_000 : Math.min(30_000 * 2 ** waits, 3_600_000);
}

/**
 * Delivers to each inbox with `send`, in the order the post's receipts allow. `lastAttempt`: a
 * retry outcome is final for the receipts (the job gives up after this one).
 */
export async function deliverInOrder(
  g: Gateway,
  postStep: PostStep | undefined,
  inboxes: string[],
  send: (inbox: string) => Promise<InboxOutcome>,
  opts: { lastAttempt?: boolean; waits?: number } = {},
): Promise<InboxOutcome[]> {
  if (!postStep) return Promise.all(inboxes.map(send));
  const { postId, step } = postStep;
  const receipts = g.postReceipts;
  // Each outcome is kept as soon as it is known (answers of one event-loop turn to one post, from
  // any of its jobs, in one write): a worker killed mid-batch leaves only the POSTs truly in
  // flight to be sent again.
  if (step === 'create') {
    const claimed = await receipts.claimCreate(postId, inboxes);
    return Promise.all(
      inboxes.map(async (inbox, i) => {
        if (!claimed[i]) return skipped('Create already accepted there, or cancelled by the Delete');
        const outcome = await send(inbox);
        await receipts.settleCreateSoon(postId, [inbox, createReceipt(outcome, opts.lastAttempt)]);
        return outcome;
      }),
    );
  }
  const verdicts = await receipts.step(postId, step, inboxes);
  return Promise.all(
    inboxes.map(async (inbox, i) => {
      const outcome = await act(verdicts[i]!, () => send(inbox), step, opts.waits ?? 0);
      const receipt = step === 'delete' && verdicts[i] === 'send' ? deleteReceipt(outcome, opts.lastAttempt) : undefined;
      if (receipt) await receipts.settleDeleteSoon(postId, [inbox, receipt]);
      return outcome;
    }),
  );
}

function act(verdict: StepVerdict, send: () => Promise<InboxOutcome>, step: PostStep['step'], waits: number): Promise<InboxOutcome> {
  switch (verdict) {
    case 'send':
      return send();
    case 'wait':
      return Promise.resolve({ kind: 'defer', ms: createFirstDelayMs(step, waits), reason: 'create_first' });
    case 'cancelled':
      return skipped("Create had not reached this inbox: cancelled, and the Delete with it");
    case 'skip':
      return skipped(step === 'update' ? 'the post never reached this inbox or was deleted there' : 'nothing of the post is held there');
  }
}

function deleteReceipt(o: InboxOutcome, lastAttempt?: boolean): DeleteOutcome | undefined {
  if (o.kind === 'delivered') return 'd:ok';
  if (o.kind === 'final' || (o.kind === 'retry' && lastAttempt)) return 'd:failed';
  return undefined;
}

function createReceipt(o: InboxOutcome, lastAttempt?: boolean): CreateOutcome {
  if (o.kind === 'delivered') return 'c:ok';
  if (o.kind === 'final' || o.kind === 'skipped' || (o.kind === 'retry' && lastAttempt)) return 'c:failed';
  return 'c:queued';
}

const skipped = (reason: string): Promise<InboxOutcome> => Promise.resolve({ kind: 'skipped', reason });
