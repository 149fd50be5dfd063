// The ceiling of fan-out in this design: what one core does when a delivery is nothing but the
// gateway's own signing (signCavageRequest) and POST (postForStatus) to loopback inboxes, 100 in
// flight, with no queue, no Redis, no checks and no receipts. Beside raw RSA-2048 crypto.sign
// measured just before each round. bench:fanout against this ceiling is what the rest costs.
// Run: npm run bench:fanout-ceiling  (DELIVERIES=10000, ROUNDS=5 by default).
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { fork } from 'node:child_process';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { postForStatus } from '../services/remote/post-for-status';
import { signCavageRequest } from '../services/signatures/cavage-sign';

const SERVERS = 20;
const DELIVERIES = Number(process.env.DELIVERIES ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const IN_FLIGHT = 100;

async function serveInboxes() {
  const servers = await Promise.all(Array.from({ length: SERVERS }, () => new Promise<Server>((ok) => {
    const s = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(202).end());
    });
    s.listen(0, '127.0.0.1', () => ok(s));
  })));
  process.send!(servers.map((s) => (s.address() as AddressInfo).port));
}

async function main() {
  const inboxes = fork(__filename, ['inboxes'], { execArgv: ['-r', '@swc-node/register'] });
  const ports = await new Promise<number[]>((ok) => inboxes.once('message', (m) => ok(m as number[])));
  const agent = new Agent({ connections: 16 });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = { keyId: 'https://gateway.example/users/bench#main-key', privateKey: createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })) };
  const body = Buffer.from(JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', type: 'Create', actor: 'https://gateway.example/users/bench', object: { type: 'Note', content: 'x'.repeat(600) } }));
  const rawSignsPerSecond = () => {
    const data = Buffer.from('(request-target): post /inbox\nhost: example\ndate: x');
    const start = process.hrtime.bigint();
    let n = 0;
    while (Number(process.hrtime.bigint() - start) < 1e9) {
      sign('sha256', data, key.privateKey);
      n++;
    }
    return n / (Number(process.hrtime.bigint() - start) / 1e9);
  };
  console.log(`fan-out ceiling: ${DELIVERIES} signed POSTs to ${SERVERS} loopback servers (child process), ${IN_FLIGHT} in flight; no queue, no Redis`);
  for (let r = 0; r < ROUNDS; r++) {
    const raw = rawSignsPerSecond();
    let next = 0;
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < DELIVERIES) {
        const n = next++;
        const url = new URL(`http://127.0.0.1:${ports[n % SERVERS]}/users/u${n}/inbox`);
        const headers = signCavageRequest({ method: 'POST', url, headers: { 'content-type': 'application/activity+json', 'user-agent': 'bench' }, body }, key);
        await postForStatus(agent, url, headers, body);
      }
    }));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    console.log(`  round ${r + 1}${r === 0 ? ' (cold)' : ''}: raw crypto.sign ${Math.round(raw)}/s, signed POSTs ${Math.round(DELIVERIES / seconds)}/s, ratio ${(DELIVERIES / seconds / raw).toFixed(2)}; process CPU ${Math.round((cpu.user + cpu.system) / DELIVERIES)} µs per POST against ${Math.round(1e6 / raw)} µs per raw sign`);
  }
  await agent.close();
  inboxes.kill();
}

if (process.argv[2] === 'inboxes') void serveInboxes();
else main().then(() => process.exit(0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
