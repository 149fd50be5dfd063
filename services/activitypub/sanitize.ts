// Inbound HTML → safe HTML for the platform, and a plain-text form of it.
import sanitizeHtml from 'sanitize-html';
import { decodeHTML } from 'entities';

// Mastodon's own allow-list: text formatting and links only; every link made safe.
const SAFE: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'span', 'a', 'del', 'pre', 'code', 'em', 'strong', 'b', 'i', 'u', 'ul', 'ol', 'li', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6'],
  allowedAttributes: { a: ['href', 'rel', 'class', 'translate'], span: ['class', 'translate'], ol: ['start', 'reversed'], li: ['value'] },
  allowedSchemes: ['http', 'https', 'dat', 'dweb', 'ipfs', 'ipns', 'ssb', 'gopher', 'xmpp', 'magnet', 'gemini'],
  allowedClasses: { a: ['mention', 'hashtag', 'u-url', 'h-card'], span: ['h-card', 'invisible', 'ellipsis'] },
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer', target: '_blank' }) },
};

export function sanitizeContent(html: string): string {
  return sanitizeHtml(html, { ...SAFE, allowedAttributes: { ...SAFE.allowedAttributes, a: ['href', 'rel', 'class', 'translate', 'target'] } });
}

/** Plain text: paragraphs as blank lines, <br> as newlines; links keep their full URL text. */
export function htmlToText(html: string): string {
  const marked = html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    .replace(/<\/(li|h\d|blockquote|pre)>/gi, '\n');
  const stripped = sanitizeHtml(marked, {
    allowedTags: [],
    allowedAttributes: {},
  });
  return decodeHTML(stripped).replace(/\n{3,}/g, '\n\n').trim();
}
