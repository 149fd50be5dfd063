// Zod schemas of the platform contract §1: the same schemas validate requests and feed OpenAPI.
import { z } from 'zod';

const id = z.string().min(1).max(200);
const rfc3339 = z.iso.datetime({ offset: true });
const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);

export const MediaSchema = z.object({
  kind: z.enum(['image', 'video', 'audio', 'gif']),
  url: httpUrl,
  mediaType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'a MIME type such as image/png'),
  alt: z.string().max(5000).optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  durationSec: z.number().nonnegative().optional(),
  blurhash: z.string().max(200).optional(),
  transcript: z.string().max(100000).optional(),
});

export const RefSchema = z.union([z.object({ postId: id }).strict(), z.object({ uri: httpUrl }).strict()]);

export const ActorRefSchema = z.union([
  z.object({ accountId: id }).strict(),
  z.object({ handle: z.string().regex(/^@?[^@\s]+@[^@\s]+$/, 'a handle such as @bob@example.social') }).strict(),
  z.object({ uri: httpUrl }).strict(),
]);

export const AccountSchema = z.object({
  id,
  username: z.string().regex(/^[A-Za-z0-9_]{1,30}$/, 'letters, digits and _ (1-30)'),
  displayName: z.string().max(200),
  summary: z.string().max(5000),
  avatar: MediaSchema.optional(),
  header: MediaSchema.optional(),
  profileUrl: httpUrl,
  manuallyApprovesFollowers: z.boolean(),
  discoverable: z.boolean(),
  indexable: z.boolean(),
  fields: z.array(z.object({ name: z.string().max(255), value: z.string().max(2048) })).max(16).optional(),
  createdAt: rfc3339,
});

export const PostSchema = z.object({
  id,
  accountId: id,
  createdAt: rfc3339,
  updatedAt: rfc3339.optional(),
  text: z.string().max(100000),
  visibility: z.enum(['public', 'unlisted', 'followers', 'mentioned']),
  inReplyTo: RefSchema.optional(),
  quoteOf: RefSchema.optional(),
  attachments: z.array(MediaSchema).max(20).optional(),
  mentions: z.array(ActorRefSchema).max(100).optional(),
  hashtags: z.array(z.string().regex(/^[\p{L}\p{N}_]+$/u, 'letters, digits and _')).max(100).optional(),
  sensitive: z.boolean().optional(),
  spoilerText: z.string().max(5000).optional(),
  language: z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'a BCP 47 tag').optional(),
  federate: z.boolean().optional(),
});

// Data of the relationship and interaction events (contract §1). Each joins EventSchema below
// together with the code that applies it, so no type is ever accepted and then dropped.
export const RepostSchema = z.object({ id, accountId: id, of: RefSchema });
export const LikeSchema = z.object({ id, accountId: id, of: RefSchema });
export const FollowSchema = z.object({ id, accountId: id, target: ActorRefSchema });
export const BlockSchema = z.object({ id, accountId: id, target: ActorRefSchema });
export const ReportSchema = z.object({
  id,
  accountId: id.optional(),
  target: ActorRefSchema,
  objects: z.array(RefSchema).max(100),
  comment: z.string().max(5000),
});
export const AccountFollowerSchema = z.object({ accountId: id, follower: ActorRefSchema });
export const AccountIdSchema = z.object({ accountId: id });

const envelope = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({ id, type: z.literal(type), occurredAt: rfc3339, data });

/** The event types this gateway applies now; others are refused (never accepted and dropped). */
export const EventSchema = z.discriminatedUnion('type', [
  envelope('account.enabled', z.object({ account: AccountSchema })),
  envelope('account.updated', z.object({ account: AccountSchema })),
  envelope('post.created', z.object({ post: PostSchema })),
  envelope('post.updated', z.object({ post: PostSchema })),
  envelope('post.deleted', z.object({ postId: id, accountId: id })),
  // Account leaving (services/federation/apply-account-leave.ts)
  envelope('account.disabled', AccountIdSchema),
  envelope('account.deleted', AccountIdSchema),
  // reactions, relationships, moderation
  envelope('like.created', z.object({ like: LikeSchema })),
  envelope('like.deleted', z.object({ like: LikeSchema })),
  envelope('repost.created', z.object({ repost: RepostSchema })),
  envelope('repost.deleted', z.object({ repost: RepostSchema })),
  envelope('follow_request.approved', AccountFollowerSchema),
  envelope('follow_request.rejected', AccountFollowerSchema),
  envelope('follower.removed', AccountFollowerSchema),
  envelope('block.created', z.object({ block: BlockSchema })),
  envelope('block.deleted', z.object({ block: BlockSchema })),
  envelope('report.created', z.object({ report: ReportSchema })),
  // follows of remote actors (services/federation/apply-follow.ts)
  envelope('follow.created', z.object({ follow: FollowSchema })),
  envelope('follow.deleted', z.object({ follow: FollowSchema })),
]);

export const MAX_BATCH = 500;

export type PlatformEvent = z.infer<typeof EventSchema>;
export type Account = z.infer<typeof AccountSchema>;
export type Post = z.infer<typeof PostSchema>;
export type Media = z.infer<typeof MediaSchema>;
export type Ref = z.infer<typeof RefSchema>;
export type ActorRef = z.infer<typeof ActorRefSchema>;
export type Follow = z.infer<typeof FollowSchema>;
