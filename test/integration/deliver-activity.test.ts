// An inbox no POST can ever reach is refused for good at once, without a request or a retry.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { Agent } from 'undici';
import { deliverActivity } from '../../services/remote/deliver';

const agent = new Agent();
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = { keyId: 'https://gateway.example/users/a#main-key', privateKey: createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })) };
afterAll(() => agent.close());

const deliver = (inbox: string, allowPrivateAddresses = false) => deliverActivity({ agent, allowPrivateAddresses, userAgent: 'test' }, inbox, '{"type":"Like"}', key);

test('an inbox that is not an http(s) URL is final: no retries', async () => {
  for (const inbox of ['ws://remote.example/inbox', 'ftp://remote.example/inbox', 'data:text/plain,inbox']) {
    const result = await deliver(inbox, true);
    expect(result.verdict).toEqual({ kind: 'final', reason: expect.stringMatching(/^blocked: .* is not http\(s\)$/) });
    expect(result.status).toBeUndefined();
  }
  expect((await deliver('not a url')).verdict).toEqual({ kind: 'final', reason: 'blocked: Invalid URL' });
});

test('a private address is final unless private addresses are allowed', async () => {
  expect((await deliver('http://127.0.0.1:9/inbox')).verdict).toEqual({ kind: 'final', reason: 'blocked: 127.0.0.1 is a private address' });
  expect((await deliver('http://127.0.0.1:9/inbox', true)).verdict.kind).toBe('retry'); // nothing listens on port 9
});
