// CONTENT_POLICY_FILE is read and validated at start-up: a bad file stops it, naming the problem.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../config/env';
import { testConfig } from '../../support/test-config';

const dir = mkdtempSync(join(tmpdir(), 'fg-policy-config-'));
const fileWith = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const problemsOf = (file: string) => {
  try {
    testConfig({ CONTENT_POLICY_FILE: file });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

test('a valid file becomes the policy; without one there are no rules', () => {
  const file = fileWith('ok.json', JSON.stringify({ rules: [{ name: 'crypto', action: 'drop', keywords: ['airdrop'] }] }));
  expect(testConfig({ CONTENT_POLICY_FILE: file }).contentPolicy).toEqual({ rules: [{ name: 'crypto', action: 'drop', keywords: ['airdrop'] }] });
  expect(testConfig().contentPolicy).toEqual({ rules: [] });
  // The example shipped for operators is valid.
  expect(testConfig({ CONTENT_POLICY_FILE: join(__dirname, '../../../config/content-policy.example.json') }).contentPolicy.rules).toHaveLength(3);
});

test('a missing file, bad JSON or a bad rule stops start-up naming the file and the field', () => {
  expect(problemsOf(join(dir, 'nope.json'))[0]).toMatch(/^CONTENT_POLICY_FILE: .*nope\.json: ENOENT/);
  expect(problemsOf(fileWith('bad.json', '{"rules": ['))[0]).toMatch(/^CONTENT_POLICY_FILE: .*bad\.json: .*JSON/);
  const bad = fileWith('rule.json', JSON.stringify({ rules: [{ name: 'x', action: 'drop', domains: ['not a domain'] }] }));
  expect(problemsOf(bad)).toEqual([expect.stringMatching(/^CONTENT_POLICY_FILE: .*rule\.json: \/rules\/0\/domains\/0: /)]);
});
