// The queues' retry schedules keep the contract's promises even at the unluckiest jitter.
import { JOB_OPTIONS } from '../../config/queues';
import { cappedExponentialDelayMs, deliveryDelayMs } from '../../services/remote/retry-policy';

const span = (attempts: number, delay: (attemptsMade: number) => number) => {
  let total = 0;
  for (let made = 1; made < attempts; made++) total += delay(made);
  return total;
};
const HOUR = 3600 * 1000;

test('callbacks are retried for at least 24 hours, even with every jitter at its shortest', () => {
  const attempts = JOB_OPTIONS.callbacks.attempts!;
  expect(span(attempts, (n) => cappedExponentialDelayMs(n, 1000, 30 * 60 * 1000, () => 0))).toBeGreaterThanOrEqual(24 * HOUR);
});

test('deliveries are retried for more than two days over about 16 attempts (Mastodon schedule)', () => {
  const attempts = JOB_OPTIONS.delivery.attempts!;
  expect(attempts).toBeGreaterThanOrEqual(16);
  expect(span(attempts, (n) => deliveryDelayMs(n, undefined, () => 0))).toBeGreaterThan(48 * HOUR);
});
