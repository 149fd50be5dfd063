// The ceiling of fan-out in this design: what one core does when a delivery is nothing but the
// gateway's own signing (signCavageRequest) and POST (postForStatus) to loopback inboxes, 100 in
// flight, with no queue, no Redis, no checks and no receipts. Beside raw RSA-2048 crypto.sign
// measured just before each round. bench:fanout against this ceiling is what the rest costs.
// Run: npm run bench:fanout-ceiling  (DELIVERIES=10000, ROUNDS=5 by default).
import { Agent } from 'undici';
import { postForStatus } from '../services/remote/post-for-status';
import { signCavageRequest } from '../services/signatures/cavage-sign';
import { startFollowerInboxes } from './support/inboxes';
import { runBench } from './support/processes';
import { newRsaKey, rawSignsPerSecond } from './support/raw-sign';

const SERVERS = 20;
const DELIVERIES = Number(process.env.DELIVERIES ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const IN_FLIGHT = 100;

async function main() {
  const inboxes = await startFollowerInboxes(SERVERS);
  const agent = new Agent({ connections: 16 });
  const key = { keyId: 'https://gateway.example/users/bench#main-key', privateKey: newRsaKey() };
  const body = Buffer.from(JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', type: 'Create', actor: 'https://gateway.example/users/bench', object: { type: 'Note', content: 'x'.repeat(600) } }));
  console.log(`fan-out ceiling: ${DELIVERIES} signed POSTs to ${SERVERS} loopback servers (child process), ${IN_FLIGHT} in flight; no queue, no Redis`);
  for (let r = 0; r < ROUNDS; r++) {
    const raw = rawSignsPerSecond(key.privateKey);
    let next = 0;
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < DELIVERIES) {
        const n = next++;
        const url = new URL(inboxes.inbox(n));
        const headers = signCavageRequest({ method: 'POST', url, headers: { 'content-type': 'application/activity+json', 'user-agent': 'bench' }, body }, key);
        await postForStatus(agent, url, headers, body);
      }
    }));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    console.log(`  round ${r + 1}${r === 0 ? ' (cold)' : ''}: raw crypto.sign ${Math.round(raw)}/s, signed POSTs ${Math.round(DELIVERIES / seconds)}/s, ratio ${(DELIVERIES / seconds / raw).toFixed(2)}; process CPU ${Math.round((cpu.user + cpu.system) / DELIVERIES)} µs per POST against ${Math.round(1e6 / raw)} µs per raw sign`);
  }
  await agent.close();
}

runBench(main);
