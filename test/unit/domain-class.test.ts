import { ConfigError } from '../../config/env';
import { domainClass, parseDomainClasses } from '../../services/remote/domain-class';
import { testConfig } from '../support/test-config';

test('classes name domains (a listed domain covers its subdomains); every other server is "other"', () => {
  const classes = parseDomainClasses(' large=mastodon.social, Mastodon.Online ; relay=relay.fedi.buzz;');
  expect([...classes]).toEqual([['mastodon.social', 'large'], ['mastodon.online', 'large'], ['relay.fedi.buzz', 'relay']]);
  expect(domainClass(classes, 'mastodon.social')).toBe('large');
  expect(domainClass(classes, 'eu.mastodon.online')).toBe('large');
  expect(domainClass(classes, 'relay.fedi.buzz')).toBe('relay');
  expect(domainClass(classes, 'fedi.buzz')).toBe('other');
  expect(domainClass(parseDomainClasses(''), 'mastodon.social')).toBe('other');
});

test('a malformed setting is refused with the part that is wrong', () => {
  expect(() => parseDomainClasses('large')).toThrow('"large" is not class=domain');
  expect(() => parseDomainClasses('Large=a.example')).toThrow('is not class=domain');
  expect(() => parseDomainClasses('large=not a domain')).toThrow('"not a domain" in class large is not a domain');
});

test('a domain typed in Unicode is kept as deliveries see it (punycode), so its deliveries get the class', () => {
  const classes = parseDomainClasses('books=bücher.example');
  expect(domainClass(classes, new URL('https://bücher.example/inbox').host)).toBe('books');
});

test('a service name on a private network can be classed; a setting naming a bad domain says which', () => {
  expect([...parseDomainClasses('lab=peer:3000')]).toEqual([['peer:3000', 'lab']]);
  let problems: string[] = [];
  try {
    testConfig({ DELIVERY_DOMAIN_CLASSES: 'large=mastodon.social,8443' });
  } catch (e) {
    problems = (e as ConfigError).problems;
  }
  expect(problems).toEqual([expect.stringMatching(/^DELIVERY_DOMAIN_CLASSES: .*"8443" in class large is not a domain: .*reads as 0\.0\.32\.251/)]);
});
