// Inbound HTML nested deeper than any real post is read as plain text, in one linear pass:
// sanitize-html's cost grows with the square of the depth (what fits in a 1 MiB activity kept a
// worker's event loop busy for minutes; the hostile corpus found it).
import { MAX_HTML_DEPTH, htmlNestsDeeperThan, htmlToText, sanitizeContent } from '../../../services/activitypub/sanitize';

test('HTML nested 300,000 deep becomes escaped plain text', () => {
  const html = `${'<b>'.repeat(300_000)}hello &amp; <script>alert(1)</script> a<b`;
  const safe = sanitizeContent(html);
  expect(safe).toBe('<p>hello &amp; alert(1) a&lt;b</p>');
  expect(htmlToText(safe)).toBe('hello & alert(1) a<b');
});

test('nesting up to the limit is sanitised as usual; one level more is plain text', () => {
  const at = (depth: number) => `${'<b>'.repeat(depth)}x${'</b>'.repeat(depth)}`;
  expect(sanitizeContent(at(MAX_HTML_DEPTH))).toBe(at(MAX_HTML_DEPTH));
  expect(sanitizeContent(at(MAX_HTML_DEPTH + 1))).toBe('<p>x</p>');
});

test('the depth counts open tags only: closed siblings, void tags and stray brackets do not add up', () => {
  expect(htmlNestsDeeperThan('<p>a</p>'.repeat(100_000), 2)).toBe(false);
  expect(htmlNestsDeeperThan('<p>a<br><img src="x"><hr/></p>'.repeat(1000), 2)).toBe(false);
  expect(htmlNestsDeeperThan('<a'.repeat(200_000), 2)).toBe(false);
  expect(htmlNestsDeeperThan('<div><span><b>', 2)).toBe(true);
  expect(htmlNestsDeeperThan('<DIV><Span><B>', 2)).toBe(true);
});

test('a real post is unchanged', () => {
  const mastodon = '<p>Hi <span class="h-card"><a href="https://gw.example/users/alice" class="u-url mention">@<span>alice</span></a></span> <a href="https://x.example/tags/t" class="mention hashtag" rel="tag">#<span>t</span></a></p><p>second</p>';
  expect(sanitizeContent(mastodon)).toContain('class="u-url mention"');
  expect(htmlToText(sanitizeContent(mastodon))).toBe('Hi @alice #t\n\nsecond');
});
