// A Config for tests: the real parser, a unique Redis prefix per test file, loopback allowed.
import { randomBytes } from 'node:crypto';
import { type Config, loadConfig } from '../../config/env';

export const TEST_SECRETS = {
  PLATFORM_WEBHOOK_SECRET: 'test-webhook-secret-0123456789',
  PLATFORM_CALLBACK_SECRET: 'test-callback-secret-0123456789',
  PLATFORM_API_TOKEN: 'test-api-token-0123456789',
  ADMIN_TOKEN: 'test-admin-token-0123456789',
};

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    ...TEST_SECRETS,
    PLATFORM_CALLBACK_URL: 'http://127.0.0.1:9/unused',
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `t${randomBytes(4).toString('hex')}`,
    ALLOW_PRIVATE_ADDRESSES: 'true',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}
