// Durability, long run: platform events posted continuously while the gateway's Redis
// (appendonly yes, appendfsync always) is killed -9 and started again on its AOF several times.
// Prints events sent, accepted (202), answered 503, and how many accepted ones were applied.
// Run: npm run durability:redis  (CRASHES=5 POSTERS=8 PER_PHASE=300 by default; needs redis-server).
// The CI-sized version is test/integration/redis-crash.test.ts.
import { runRedisCrashIntake } from '../test/support/redis-crash-intake';

async function main() {
  const crashes = Number(process.env.CRASHES ?? 5);
  const r = await runRedisCrashIntake({
    crashes,
    posters: Number(process.env.POSTERS ?? 8),
    acceptedPerPhase: Number(process.env.PER_PHASE ?? 300),
    timeoutMs: 600_000,
    log: (line) => console.log(`  ${line}`),
  });
  console.log(`durability redis: ${r.crashes} crashes (kill -9 of redis-server, restarted on its AOF)`);
  console.log(`  events sent:      ${r.sent}`);
  console.log(`  accepted (202):   ${r.accepted}; applied ${r.applied}, delivered to the follower ${r.delivered}${r.applied === r.accepted && r.delivered === r.accepted ? '' : '  <-- LOST EVENTS'}`);
  console.log(`  answered 503:     ${r.unavailable} (of which applied anyway: ${r.unavailableButApplied})`);
  console.log(`  other answers:    ${r.other.length}${r.other.length ? `  <-- ${JSON.stringify(r.other.slice(0, 3))}` : ''}`);
  if (r.applied !== r.accepted || r.delivered !== r.accepted || r.other.length) process.exitCode = 1;
}

main().then(() => process.exit(process.exitCode ?? 0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
