// Durability, long run: a 20,000-delivery fan-out whose worker processes are all killed -9 and
// restarted several times while it runs. Prints deliveries, inboxes reached, duplicates, kills.
// Run: npm run durability:fanout  (DELIVERIES=20000 WORKERS=2 KILL_ROUNDS=6 by default).
// The CI-sized version is test/integration/worker-crash.test.ts.
import { runKilledFanout } from '../test/support/killed-fanout';

async function main() {
  const deliveries = Number(process.env.DELIVERIES ?? 20_000);
  const workers = Number(process.env.WORKERS ?? 2);
  const killRounds = Number(process.env.KILL_ROUNDS ?? 6);
  const r = await runKilledFanout({ deliveries, workers, killRounds, timeoutMs: 600_000, log: (line) => console.log(`  ${line}`) });
  console.log(`durability fan-out: ${r.deliveries} deliveries, ${workers} worker processes, ${r.kills} kills (kill -9, ${killRounds} rounds)`);
  console.log(`  inboxes reached:  ${r.inboxesReached} of ${r.deliveries}${r.inboxesReached === r.deliveries ? '' : '  <-- LOST DELIVERIES'}`);
  console.log(`  duplicates:       ${r.duplicates} POSTs beyond the first (${r.inboxesWithDuplicates} inboxes, ${((100 * r.duplicates) / r.deliveries).toFixed(2)} %)`);
  console.log(`  first post to last inbox: ${r.seconds.toFixed(1)} s`);
  if (r.inboxesReached !== r.deliveries) process.exitCode = 1;
}

main().then(() => process.exit(process.exitCode ?? 0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
