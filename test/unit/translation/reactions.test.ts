// Emoji reactions: one emoji of any Unicode shape, or a custom :shortcode: with its image.
import type { Json } from '../../../services/activitypub/as-read';
import { reactionOf } from '../../../services/activitypub/reactions';

test.each([
  ['👩‍👩‍👧', { content: '👩‍👩‍👧' }],
  ['🇯🇵', { content: '🇯🇵' }],
  ['1️⃣', { content: '1️⃣' }],
  ['❤', { content: '❤' }],
  ['👍🏽', { content: '👍🏽' }],
  ['like', { content: '👍' }],
  [':blob@misskey.example:', { content: ':blob@misskey.example:' }],
])('%s is one reaction', (raw, expected) => {
  expect(reactionOf({ type: 'Like', _misskey_reaction: raw })).toEqual(expected);
});

test.each(['👍👍', 'ok', 'a👍', ':not a shortcode:'])('%s is not one emoji', (raw) => {
  expect(reactionOf({ type: 'EmojiReact', content: raw })).toBe('invalid');
});

test('a plain Like carries no reaction; a custom emoji takes its image from the matching Emoji tag only', () => {
  expect(reactionOf({ type: 'Like' })).toBeUndefined();
  const tag: Json = [
    { type: 'Emoji', name: ':other:', icon: { url: 'https://x.example/other.png' } },
    { type: 'Emoji', name: ':blob:', icon: { type: 'Image', url: 'https://x.example/blob.png' } },
  ];
  expect(reactionOf({ type: 'EmojiReact', content: ':blob:', tag })).toEqual({ content: ':blob:', emojiUrl: 'https://x.example/blob.png' });
});
