// Emoji reactions as Misskey (Like + _misskey_reaction), Pleroma/Akkoma (EmojiReact) and their
// forks send them: one Unicode emoji, or a custom :shortcode: with its image in an Emoji tag.
import { type JsonObject, asArray, isObject, str, typeOf, urlOf } from './as-read';

export interface Reaction {
  /** the emoji as sent: "👍", or ":shortcode:" for a custom one */
  content: string;
  /** a custom emoji's image, from the activity's Emoji tag */
  emojiUrl?: string;
}

// One RGI emoji sequence (ZWJ sequences, flags, keycaps, skin tones): the standard's own list.
const SINGLE_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
const CUSTOM = /^:([A-Za-z0-9_+-]+(?:@[A-Za-z0-9.-]+)?):$/;

// Reactions of Misskey before v12 were named, not emoji (its own mapping of them).
const LEGACY_MISSKEY: Record<string, string> = {
  like: '👍', love: '❤', laugh: '😆', hmm: '🤔', surprise: '😮', congrats: '🎉', angry: '💢', confused: '😥', rip: '😇', pudding: '🍮', star: '⭐',
};

/** Unqualified emoji such as "❤" (no U+FE0F) are what many servers send for the fully qualified one. */
const isSingleEmoji = (s: string) => SINGLE_EMOJI.test(s) || SINGLE_EMOJI.test(`${s}\uFE0F`);

/** The reaction an activity carries; undefined when it carries none; 'invalid' when it is not one emoji. */
export function reactionOf(activity: JsonObject): Reaction | undefined | 'invalid' {
  const raw = (str(activity._misskey_reaction) ?? str(activity.content))?.trim();
  if (!raw) return undefined;
  const legacy = LEGACY_MISSKEY[raw];
  if (legacy) return { content: legacy };
  if (isSingleEmoji(raw)) return { content: raw };
  const custom = CUSTOM.exec(raw);
  if (!custom) return 'invalid';
  const tag = asArray(activity.tag).find((t) => isObject(t) && typeOf(t) === 'Emoji' && str(t.name)?.replace(/^:|:$/g, '') === custom[1]);
  const emojiUrl = isObject(tag) ? (isObject(tag.icon) ? urlOf(tag.icon.url) : urlOf(tag.icon)) : undefined;
  return { content: raw, ...(emojiUrl ? { emojiUrl } : {}) };
}
