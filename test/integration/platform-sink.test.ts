// The test platform's callback endpoint enforces the callback schemas for every test file that
// uses it: close() (called in afterAll) fails when a callback it accepted broke them.
import { signPayload } from '../../services/platform/hmac';
import { SchemaBreachError, startPlatformSink } from '../support/platform-sink';

const post = (url: string, body: object) => {
  const raw = JSON.stringify(body);
  return fetch(url, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-signature': signPayload('secret', raw) } });
};
const actor = { uri: 'https://m.example/users/bob', handle: '@bob@m.example', name: 'Bob', summaryHtml: '' };

test('close() rejects listing each callback that broke the schemas', async () => {
  const sink = await startPlatformSink('secret');
  expect((await post(sink.url, { id: 'ok-1', type: 'fediverse.follower.added', occurredAt: '2026-11-01T10:00:00.000Z', data: { accountId: 'a1', follower: actor } })).status).toBe(204);
  expect((await post(sink.url, { id: 'bad-1', type: 'fediverse.actor.moved', occurredAt: '2026-11-01T10:00:00.000Z', data: { actor: { ...actor, movedTo: 7 }, accountIds: [] } })).status).toBe(204);
  expect(sink.callbacks.map((c) => c.id)).toEqual(['ok-1', 'bad-1']);
  const closed = sink.close();
  await expect(closed).rejects.toBeInstanceOf(SchemaBreachError);
  await expect(closed).rejects.toThrow(/fediverse\.actor\.moved bad-1: \/data\/actor\/movedTo: /);
});

test('close() resolves when every callback matched', async () => {
  const sink = await startPlatformSink('secret');
  expect((await post(sink.url, { id: 'ok-2', type: 'fediverse.block.received', occurredAt: '2026-11-01T10:00:00.000Z', data: { accountId: 'a1', actor } })).status).toBe(204);
  await expect(sink.close()).resolves.toBeUndefined();
});
