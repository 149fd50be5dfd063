import { coveringBlock, hostOf, parseDomain } from '../../../services/moderation/domains';

describe('parseDomain', () => {
  test('lower-cases, keeps a port and converts IDN to punycode', () => {
    expect(parseDomain('Example.COM')).toEqual({ ok: true, domain: 'example.com' });
    expect(parseDomain('bad.example:8443')).toEqual({ ok: true, domain: 'bad.example:8443' });
    expect(parseDomain('bücher.example')).toEqual({ ok: true, domain: 'xn--bcher-kva.example' });
    expect(parseDomain('127.0.0.1:3000')).toEqual({ ok: true, domain: '127.0.0.1:3000' });
  });
  test.each(['', 'https://example.com', 'example.com/path', 'user@example.com', 'exa mple.com', 'example', 'example.com:99999', '*.bad.example', 'a.example;b.example'])('refuses %p', (input) => {
    expect(parseDomain(input).ok).toBe(false);
  });
  test('refuses what the URL parser would read as something else: a number as IPv4, a default port dropped', () => {
    expect(parseDomain('8443')).toEqual({ ok: false, detail: '8443 is not a host name in canonical form (it reads as 0.0.32.251)' });
    expect(parseDomain('0x7f.1')).toMatchObject({ ok: false });
    expect(parseDomain('example.com:443')).toEqual({ ok: false, detail: 'example.com:443 is not a host name in canonical form (it reads as example.com)' });
    expect(parseDomain('a.example:080')).toMatchObject({ ok: false });
  });
  test('a name without a dot only where asked for (a service on a private network)', () => {
    expect(parseDomain('peer:3000').ok).toBe(false);
    expect(parseDomain('peer:3000', { singleLabel: true })).toEqual({ ok: true, domain: 'peer:3000' });
    expect(parseDomain('Peer', { singleLabel: true })).toEqual({ ok: true, domain: 'peer' });
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
