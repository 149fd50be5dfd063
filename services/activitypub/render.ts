// Platform plain text → the HTML fediverse servers expect: escaped, paragraphs, links, hashtags.
import LinkifyIt from 'linkify-it';
import type { Uris } from './uris';

// Only explicit http(s) links: fuzzy matching would turn "v1.2" or "@bob@host" into links.
// null disables a schema (linkify-it's documented way; its types omit it).
const off = null as unknown as LinkifyIt.Rule;
const linkify = new LinkifyIt({ 'ftp:': off, 'mailto:': off, '//': off }, { fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });

const HASHTAG = /(^|[^\p{L}\p{N}_&/])#([\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*)/gu;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Mastodon's link display: scheme hidden, long URLs shortened with an ellipsis. */
function linkHtml(url: string): string {
  const m = /^(https?:\/\/(?:www\.)?)(.*)$/.exec(url);
  const invisible = m?.[1] ?? '';
  const rest = m?.[2] ?? url;
  const visible = rest.slice(0, 30);
  const tail = rest.slice(30);
  return (
    `<a href="${escapeHtml(url)}" rel="nofollow noopener noreferrer" target="_blank">` +
    `<span class="invisible">${escapeHtml(invisible)}</span>` +
    `<span class="${tail ? 'ellipsis' : ''}">${escapeHtml(visible)}</span>` +
    `<span class="invisible">${escapeHtml(tail)}</span></a>`
  );
}

function hashtagsHtml(text: string, u: Uris, found: Set<string>): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(HASHTAG)) {
    const start = m.index + m[1]!.length;
    const name = m[2]!;
    found.add(name);
    out += escapeHtml(text.slice(last, start));
    out += `<a href="${escapeHtml(u.tag(name))}" class="mention hashtag" rel="tag">#<span>${escapeHtml(name)}</span></a>`;
    last = start + 1 + name.length;
  }
  return out + escapeHtml(text.slice(last));
}

function lineHtml(line: string, u: Uris, found: Set<string>): string {
  let out = '';
  let last = 0;
  for (const m of linkify.match(line) ?? []) {
    out += hashtagsHtml(line.slice(last, m.index), u, found);
    out += linkHtml(m.url);
    last = m.lastIndex;
  }
  return out + hashtagsHtml(line.slice(last), u, found);
}

export interface RenderedText {
  html: string;
  /** hashtag names found in the text, in order, without '#' */
  hashtags: string[];
}

export function renderText(text: string, u: Uris): RenderedText {
  const found = new Set<string>();
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => `<p>${p.split('\n').map((line) => lineHtml(line, u, found)).join('<br>')}</p>`);
  return { html: paragraphs.join(''), hashtags: [...found] };
}
