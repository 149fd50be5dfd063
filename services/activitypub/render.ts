// Platform plain text → the HTML fediverse servers expect: escaped, paragraphs, links, mentions,
// hashtags, in Mastodon's markup.
import LinkifyIt from 'linkify-it';
import type { ResolvedMention } from './post-refs';
import type { Uris } from './uris';

// Only explicit http(s) links: fuzzy matching would turn "v1.2" or "@bob@host" into links.
// null disables a schema (linkify-it's documented way; its types omit it).
const off = null as unknown as LinkifyIt.Rule;
const linkify = new LinkifyIt({ 'ftp:': off, 'mailto:': off, '//': off }, { fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });

const HASHTAG = /(^|[^\p{L}\p{N}_&/])#([\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*)/gu;
// @user or @user@host (a port allowed), not inside a word, an e-mail address or a URL path.
const MENTION = /(^|[^\p{L}\p{N}_/=@.])@([\p{L}\p{N}_](?:[\p{L}\p{N}_.-]*[\p{L}\p{N}_])?)(?:@([\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*(?::\d{1,5})?))?/gu;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Mastodon's link display: scheme hidden, long URLs shortened with an ellipsis. */
export function linkHtml(url: string): string {
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

interface RenderContext {
  u: Uris;
  mentions: ResolvedMention[];
  hashtags: Set<string>;
}

/** The resolved mention `@user` or `@user@host` in the text stands for, if any. */
function mentionFor(mentions: ResolvedMention[], username: string, host: string | undefined): ResolvedMention | undefined {
  const full = `@${username}@${host ?? ''}`.toLowerCase();
  if (host) return mentions.find((m) => m.name.toLowerCase() === full);
  // A bare @user is unambiguous only when one mentioned actor has that username.
  const same = mentions.filter((m) => m.name.toLowerCase().startsWith(`@${username.toLowerCase()}@`));
  return same.length === 1 ? same[0] : undefined;
}

function hashtagsHtml(text: string, c: RenderContext): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(HASHTAG)) {
    const start = m.index + m[1]!.length;
    const name = m[2]!;
    c.hashtags.add(name);
    out += escapeHtml(text.slice(last, start));
    out += `<a href="${escapeHtml(c.u.tag(name))}" class="mention hashtag" rel="tag">#<span>${escapeHtml(name)}</span></a>`;
    last = start + 1 + name.length;
  }
  return out + escapeHtml(text.slice(last));
}

/** Mentions of resolved actors become h-cards; unresolved ones stay plain text. */
function mentionsHtml(text: string, c: RenderContext): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(MENTION)) {
    const start = m.index + m[1]!.length;
    const mention = mentionFor(c.mentions, m[2]!, m[3]);
    if (!mention) continue;
    out += hashtagsHtml(text.slice(last, start), c);
    out +=
      `<span class="h-card" translate="no"><a href="${escapeHtml(mention.href)}" class="u-url mention">` +
      `@<span>${escapeHtml(m[2]!)}</span></a></span>`;
    last = start + m[0].length - m[1]!.length;
  }
  return out + hashtagsHtml(text.slice(last), c);
}

function lineHtml(line: string, c: RenderContext): string {
  let out = '';
  let last = 0;
  for (const m of linkify.match(line) ?? []) {
    out += mentionsHtml(line.slice(last, m.index), c);
    out += linkHtml(m.url);
    last = m.lastIndex;
  }
  return out + mentionsHtml(line.slice(last), c);
}

export interface RenderedText {
  html: string;
  /** hashtag names found in the text, in order, without '#' */
  hashtags: string[];
}

export function renderText(text: string, u: Uris, mentions: ResolvedMention[] = []): RenderedText {
  const c: RenderContext = { u, mentions, hashtags: new Set<string>() };
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => `<p>${p.split('\n').map((line) => lineHtml(line, c)).join('<br>')}</p>`);
  return { html: paragraphs.join(''), hashtags: [...c.hashtags] };
}
