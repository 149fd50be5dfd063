import { ContentPolicySchema, compilePolicy } from '../../../services/moderation/content-policy';

const policy = compilePolicy(
  ContentPolicySchema.parse({
    rules: [
      { name: 'spam-host', action: 'drop', domains: ['spam.example'] },
      { name: 'crypto', action: 'drop', keywords: ['airdrop', 'free coins'] },
      { name: 'promo-on-ads', action: 'drop', domains: ['ads.example'], keywords: ['promo'] },
      { name: 'nsfw-media', action: 'mark_sensitive', domains: ['NSFW.example'] },
    ],
  }),
);
const note = (authorUri: string, text: string, extra: { spoilerText?: string; hasMedia?: boolean } = {}) => ({ authorUri, text, hasMedia: false, ...extra });

test('drops by the author domain, subdomains included', () => {
  expect(policy.evaluate(note('https://spam.example/users/x', 'hello'))).toEqual({ action: 'drop', rule: 'spam-host' });
  expect(policy.evaluate(note('https://eu.spam.example/users/x', 'hello'))).toEqual({ action: 'drop', rule: 'spam-host' });
  expect(policy.evaluate(note('https://notspam.example/users/x', 'hello'))).toEqual({ action: 'pass' });
});

test('drops by keyword: whole words or phrases, any case, text or content warning', () => {
  expect(policy.evaluate(note('https://ok.example/u', 'Big AIRDROP today!'))).toEqual({ action: 'drop', rule: 'crypto' });
  expect(policy.evaluate(note('https://ok.example/u', 'get Free   Coins'))).toEqual({ action: 'drop', rule: 'crypto' });
  expect(policy.evaluate(note('https://ok.example/u', 'fine', { spoilerText: 'airdrop' }))).toEqual({ action: 'drop', rule: 'crypto' });
  expect(policy.evaluate(note('https://ok.example/u', 'airdrops and airdrop_x and préairdrop'))).toEqual({ action: 'pass' });
});

test('a rule with domains and keywords fires only when both match', () => {
  expect(policy.evaluate(note('https://ads.example/u', 'a promo'))).toEqual({ action: 'drop', rule: 'promo-on-ads' });
  expect(policy.evaluate(note('https://ads.example/u', 'news'))).toEqual({ action: 'pass' });
  expect(policy.evaluate(note('https://ok.example/u', 'a promo'))).toEqual({ action: 'pass' });
});

test('marks media sensitive only when there is media; a drop rule wins', () => {
  expect(policy.evaluate(note('https://nsfw.example/u', 'pic', { hasMedia: true }))).toEqual({ action: 'mark_sensitive', rule: 'nsfw-media' });
  expect(policy.evaluate(note('https://nsfw.example/u', 'words only'))).toEqual({ action: 'pass' });
  expect(policy.evaluate(note('https://nsfw.example/u', 'airdrop', { hasMedia: true }))).toEqual({ action: 'drop', rule: 'crypto' });
});

test('the schema names what is wrong', () => {
  const issues = (input: unknown) => {
    const r = ContentPolicySchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  expect(issues({ rules: [{ name: 'x', action: 'drop' }] })).toEqual(['rules.0: a rule needs domains, keywords or both']);
  expect(issues({ rules: [{ name: 'x', action: 'ban', keywords: ['a'] }] })[0]).toMatch(/^rules\.0\.action: /);
  expect(issues({ rules: [{ name: 'x', action: 'drop', domains: ['https://a.example/'] }] })[0]).toMatch(/^rules\.0\.domains\.0: /);
  expect(issues({ rules: [{ name: 'x', action: 'drop', keywords: ['a'] }, { name: 'x', action: 'drop', keywords: ['b'] }] })).toEqual(['rules: rule names must be unique']);
  expect(issues({ rules: [] })).toEqual([]);
});
