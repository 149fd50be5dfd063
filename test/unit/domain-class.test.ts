import { domainClass, parseDomainClasses } from '../../services/remote/domain-class';

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
