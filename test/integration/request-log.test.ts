// One log line per request (method, path, status, time, no headers), at error for a 5xx; lines
// logged while handling a request carry its id; probes are not logged.
import { Writable } from 'node:stream';
import pino from 'pino';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ logger: pino({ level: 'info' }, sink) });
});
afterAll(() => gw.close());

const completed = (reqId: string) => lines.filter((l) => l.reqId === reqId && l.msg === 'request completed');
/** The request's closing line, once written (the response reaches the client first). */
const closing = (reqId: string) => eventually(() => completed(reqId)[0], `the closing line of ${reqId}`);

test('a request gets one line with its method, path, status and time, under the X-Request-Id it came with', async () => {
  const res = await fetch(`${gw.url}/nodeinfo/2.1`, { headers: { 'x-request-id': 'probe-1', 'user-agent': 'Mastodon/4.3' } });
  expect(res.status).toBe(200);
  const line = await closing('probe-1');
  expect(line).toMatchObject({ level: 30, req: { method: 'GET', url: '/nodeinfo/2.1', userAgent: 'Mastodon/4.3' }, res: { statusCode: 200 } });
  expect(typeof line!.responseTime).toBe('number');
  expect(completed('probe-1')).toHaveLength(1);
});

test("an inbox refusal's own line carries the request's id, and no header value (a signature) is logged", async () => {
  const res = await fetch(`${gw.url}/inbox`, {
    method: 'POST',
    headers: { 'x-request-id': 'refused-1', 'content-type': 'application/activity+json', signature: 'keyId="https://x.example/k",signature="SECRET-SIGNATURE-VALUE"' },
    body: JSON.stringify({ type: 'Like', actor: 'https://x.example/u', object: 'https://y.example/p' }),
  });
  expect(res.status).toBe(401);
  await closing('refused-1');
  expect(lines.filter((l) => l.reqId === 'refused-1').map((l) => l.msg)).toEqual(['inbox: refused', 'request completed']);
  expect(completed('refused-1')[0]).toMatchObject({ res: { statusCode: 401 } });
  expect(JSON.stringify(lines)).not.toContain('SECRET-SIGNATURE-VALUE');
});

test('requests without an id get a fresh one each; /healthz and /metrics are not logged', async () => {
  const before = lines.length;
  for (const path of ['/healthz', '/metrics', '/nodeinfo/2.1', '/nodeinfo/2.1']) await fetch(`${gw.url}${path}`);
  await eventually(() => lines.slice(before).filter((l) => l.msg === 'request completed').length === 2, 'two closing lines');
  const fresh = lines.slice(before).filter((l) => l.msg === 'request completed');
  expect(fresh.map((l) => (l.req as { url: string }).url)).toEqual(['/nodeinfo/2.1', '/nodeinfo/2.1']);
  expect(new Set(fresh.map((l) => l.reqId)).size).toBe(2);
});

test('a 5xx answer is logged at error', async () => {
  const { createGateway } = await import('../../services/gateway');
  const { createApp } = await import('../../services/http/app');
  const { testConfig } = await import('../support/test-config');
  // Over a Redis that never answers, reads answer 503.
  const g = createGateway(testConfig({ REDIS_URL: 'redis://127.0.0.1:1' }), pino({ level: 'info' }, sink));
  const server = createApp(g).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/nodeinfo/2.1`, { headers: { 'x-request-id': 'down-1' } });
    expect(res.status).toBe(503);
    await closing('down-1');
    expect(completed('down-1')).toEqual([expect.objectContaining({ level: 50, res: { statusCode: 503 } })]);
  } finally {
    server.close();
    await g.close();
  }
});
