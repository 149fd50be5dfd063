// The inbound content policy: operator rules applied to a remote note before the platform hears
// of it (pure). A rule names domains (the author's, subdomains included) and/or keywords (whole
// words or phrases of the plain text or content warning, any case); a rule fires when every
// condition it names matches. `drop` rules are tried first, in file order: the note is not passed
// on. Otherwise the first `mark_sensitive` rule that fires marks a note with media sensitive.
import { z } from 'zod';
import type { RemotePost } from '../activitypub/callbacks';
import { coveringBlock, hostOf, parseDomain } from './domains';

const domain = z.string().transform((text, ctx) => {
  const parsed = parseDomain(text);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.detail });
  return parsed.ok ? parsed.domain : text;
});

export const ContentRuleSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/i, 'letters, digits, _ . - (up to 64): it labels metrics and callbacks'),
    action: z.enum(['drop', 'mark_sensitive']),
    domains: z.array(domain).min(1).optional(),
    keywords: z.array(z.string().trim().min(1)).min(1).optional(),
  })
  .refine((r) => r.domains || r.keywords, { message: 'a rule needs domains, keywords or both' });

export const ContentPolicySchema = z
  .strictObject({ rules: z.array(ContentRuleSchema) })
  .refine((p) => new Set(p.rules.map((r) => r.name)).size === p.rules.length, { message: 'rule names must be unique', path: ['rules'] });

export type ContentRule = z.infer<typeof ContentRuleSchema>;
export type ContentPolicy = z.infer<typeof ContentPolicySchema>;
export const EMPTY_POLICY: ContentPolicy = { rules: [] };

/** What the policy makes of one note. */
export type PolicyVerdict = { action: 'pass' } | { action: 'drop' | 'mark_sensitive'; rule: string };

export interface PolicyInput {
  authorUri: string;
  text: string;
  spoilerText?: string;
  hasMedia: boolean;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Whole words: no letter, digit or underscore on either side (Unicode-aware, unlike \b). One
// alternation per rule: a note is scanned once per rule however many keywords it lists.
const wordsPattern = (keywords: string[]) =>
  new RegExp(`(?<![\\p{L}\\p{N}_])(?:${keywords.map((k) => escape(k).replace(/\s+/g, '\\s+')).join('|')})(?![\\p{L}\\p{N}_])`, 'iu');

export interface CompiledPolicy {
  evaluate(note: PolicyInput): PolicyVerdict;
}

export function compilePolicy(policy: ContentPolicy): CompiledPolicy {
  const rules = policy.rules.map((r) => ({
    ...r,
    domainSet: r.domains ? new Set(r.domains) : undefined,
    pattern: r.keywords ? wordsPattern(r.keywords) : undefined,
  }));
  const fires = (r: (typeof rules)[number], note: PolicyInput) => {
    if (r.domainSet) {
      const host = hostOf(note.authorUri);
      if (!host || !coveringBlock(host, r.domainSet)) return false;
    }
    if (r.pattern && !r.pattern.test(`${note.spoilerText ?? ''}\n${note.text}`)) return false;
    return true;
  };
  return {
    evaluate(note) {
      const drop = rules.find((r) => r.action === 'drop' && fires(r, note));
      if (drop) return { action: 'drop', rule: drop.name };
      const sensitive = note.hasMedia ? rules.find((r) => r.action === 'mark_sensitive' && fires(r, note)) : undefined;
      return sensitive ? { action: 'mark_sensitive', rule: sensitive.name } : { action: 'pass' };
    },
  };
}

/** The policy's reading of a post as the platform would get it. */
export const policyInputOf = (post: RemotePost): PolicyInput => ({
  authorUri: post.author.uri,
  text: post.text,
  ...(post.spoilerText ? { spoilerText: post.spoilerText } : {}),
  hasMedia: post.attachments.length > 0,
});

/** The post once a verdict other than drop is applied, and the `policy` field its callbacks carry. */
export function applyVerdict<P extends RemotePost>(post: P, verdict: PolicyVerdict): { post: P; policy?: { rule: string; action: 'mark_sensitive' } } {
  if (verdict.action !== 'mark_sensitive') return { post };
  return { post: { ...post, sensitive: true }, policy: { rule: verdict.rule, action: verdict.action } };
}
