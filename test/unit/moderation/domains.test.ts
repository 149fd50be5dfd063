import { coveringBlock, hostOf, parseDomain } from '../../../services/moderation/domains';

describe('parseDomain', () => {
  test('lower-cases, keeps a port and converts IDN to punycode', () => {
    expect(parseDomain('Example.COM')).toEqual({ ok: true, domain: 'example.com' });
    expect(parseDomain('bad.example:8443')).toEqual({ ok: true, domain: 'bad.example:8443' });
    expect(parseDomain('bücher.example')).toEqual({ ok: true, domain: 'xn--bcher-kva.example' });
    expect(parseDomain('127.0.0.1:3000')).toEqual({ ok: true, domain: '127.0.0.1:3000' });
  });
  test.each(['', 'https://example.com', 'example.com/path', 'user@example.com', 'exa mple.com', 'example', 'example.com:99999'])('refuses %p', (input) => {
    expect(parseDomain(input).ok).toBe(false);
  });
});

describe('coveringBlock', () => {
  const blocks = new Set(['bad.example', 'port.example:8443', '127.0.0.1:3000']);
  test('covers the domain itself and its subdomains, not look-alikes', () => {
    expect(coveringBlock('bad.example', blocks)).toBe('bad.example');
    expect(coveringBlock('media.eu.bad.example', blocks)).toBe('bad.example');
    expect(coveringBlock('bad.example:444', blocks)).toBe('bad.example');
    expect(coveringBlock('notbad.example', blocks)).toBeUndefined();
    expect(coveringBlock('example', blocks)).toBeUndefined();
  });
  test('a block with a port covers that port only', () => {
    expect(coveringBlock('a.port.example:8443', blocks)).toBe('port.example:8443');
    expect(coveringBlock('port.example', blocks)).toBeUndefined();
    expect(coveringBlock('127.0.0.1:3000', blocks)).toBe('127.0.0.1:3000');
    expect(coveringBlock('127.0.0.1:3001', blocks)).toBeUndefined();
  });
  test('IP addresses have no parents', () => {
    expect(coveringBlock('10.0.0.1', new Set(['0.1']))).toBeUndefined();
  });
});

test('hostOf reads http(s) hosts only', () => {
  expect(hostOf('https://Bad.Example:8443/users/x')).toBe('bad.example:8443');
  expect(hostOf('mailto:x@bad.example')).toBeUndefined();
  expect(hostOf('not a url')).toBeUndefined();
});
