// Domain isolation: how long 20 deliveries to a healthy inbox take when 20 to a black-hole inbox
// (accepts, never answers) were queued first, with 4 delivery slots, at the per-domain limit of
// 2 and with the limit lifted (1000). Run: node -r @swc-node/register bench/domain-isolation.ts
import { enqueueDeliveries } from '../services/federation/enqueue';
import { startBlackHole } from '../test/support/black-hole';
import { startRemoteServer } from '../test/support/remote-server';
import { startTestGateway } from '../test/support/test-gateway';
import { signPayload } from '../services/platform/hmac';
import { TEST_SECRETS } from '../test/support/test-config';

const EACH = 20;

async function run(perDomain: number): Promise<number> {
  const hole = await startBlackHole();
  const healthy = await startRemoteServer();
  const gw = await startTestGateway({ workers: true, env: { DELIVERY_CONCURRENCY: '4', DELIVERY_DOMAIN_CONCURRENCY: String(perDomain) } });
  const raw = JSON.stringify({ id: `en-${perDomain}`, type: 'account.enabled', occurredAt: new Date().toISOString(), data: { account: { id: 'b', username: 'b', displayName: 'B', summary: '', profileUrl: 'https://platform.example/b', manuallyApprovesFollowers: false, discoverable: true, indexable: true, createdAt: new Date().toISOString() } } });
  await fetch(`${gw.url}/platform/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signPayload(TEST_SECRETS.PLATFORM_WEBHOOK_SECRET, raw) }, body: raw });
  while ((await gw.g.accounts.get('b'))?.state !== 'enabled') await new Promise((r) => setTimeout(r, 20));
  const t0 = process.hrtime.bigint();
  for (const [inbox, label] of [[`${hole.origin}/inbox`, 'hole'], [`${healthy.origin}/inbox`, 'ok']] as const) {
    for (let i = 0; i < EACH; i++) {
      const id = `${gw.url}/activities/${label}-${i}`;
      await gw.g.activities.save({ id, type: 'Note', actor: `${gw.url}/users/b` } as { id: string });
      await enqueueDeliveries(gw.g, id, { accountId: 'b' }, [inbox]);
    }
  }
  while (healthy.received.length < EACH) await new Promise((r) => setTimeout(r, 20));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  hole.release();
  await gw.close();
  await hole.close();
  await healthy.close();
  return seconds;
}

async function main() {
  const limited = await run(2);
  const unlimited = await run(1000);
  console.log(`domain isolation: ${EACH} healthy deliveries behind ${EACH} to a black hole, 4 slots`);
  console.log(`  per-domain limit 2:    ${limited.toFixed(2)} s`);
  console.log(`  no per-domain limit:   ${unlimited.toFixed(2)} s (held until the black-hole requests time out and the breaker opens)`);
}

void main().then(() => process.exit(0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
