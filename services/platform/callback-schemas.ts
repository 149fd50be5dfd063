// Zod schemas of the callbacks the gateway sends the platform (contract §2). They feed the
// OpenAPI `webhooks` and let tests check every callback sent. Objects are open (extra fields
// are allowed, as the contract says fields may be added); the named ones are checked.
import { z } from 'zod';
import { MediaSchema, RefSchema } from './event-schemas';

const id = z.string().min(1);
const uri = z.url({ protocol: /^https?$/ });
const rfc3339 = z.iso.datetime({ offset: true });

export const RemoteActorSchema = z
  .looseObject({
    uri,
    handle: z.string().regex(/^@[^@\s]+@[^@\s]+$/, 'a handle such as @bob@example.social'),
    name: z.string(),
    summaryHtml: z.string(),
    avatarUrl: uri.optional(),
    url: uri.optional(),
    software: z.string().optional(),
  })
  .meta({ id: 'RemoteActor', description: 'A fediverse actor as the platform sees it.' });

export const RemotePostSchema = z
  .looseObject({
    uri,
    url: uri.optional(),
    author: RemoteActorSchema,
    contentHtml: z.string().meta({ description: 'sanitized HTML' }),
    text: z.string(),
    language: z.string().optional(),
    sensitive: z.boolean(),
    spoilerText: z.string().optional(),
    attachments: z.array(MediaSchema),
    inReplyTo: RefSchema.optional(),
    quoteOf: RefSchema.optional(),
    mentions: z.array(z.union([RemoteActorSchema, z.looseObject({ accountId: id })])),
    hashtags: z.array(z.string()),
    publishedAt: rfc3339,
    updatedAt: rfc3339.optional(),
  })
  .meta({ id: 'RemotePost', description: 'A fediverse post as the platform sees it.' });

// A Delete names only the note (a Tombstone): its content is gone, so the `.deleted` callbacks
// carry what identifies the platform's copy, and the thread it was in.
export const DeletedRemotePostSchema = z
  .looseObject({ uri, author: RemoteActorSchema, inReplyTo: RefSchema.optional() })
  .meta({ id: 'DeletedRemotePost', description: 'A fediverse post its author deleted: what identifies it.' });

// A follow the gateway refuses before anything is sent (no such actor, an invalid one): the
// target as follow.created named it, since there is no actor document to describe.
export const UnresolvedActorSchema = z
  .union([z.looseObject({ uri }), z.looseObject({ handle: z.string().regex(/^@[^@\s]+@[^@\s]+$/) }), z.looseObject({ accountId: id })])
  .meta({ id: 'UnresolvedActor', description: "An actor that could not be resolved: the ActorRef of the platform's event." });

const follower = z.looseObject({ accountId: id, follower: RemoteActorSchema });
const followerRemoved = follower.extend({
  reason: z.enum(['gone', 'domain_blocked']).optional().meta({ description: 'absent: the follower undid its Follow; gone: its inbox answered 410 (the actor no longer exists); domain_blocked: the operator blocked its domain' }),
});
const followAccepted = z.looseObject({ followId: id, accountId: id, target: RemoteActorSchema });
const followRejected = z.looseObject({
  followId: id,
  accountId: id,
  target: z.union([RemoteActorSchema, UnresolvedActorSchema]),
  reason: z.string().optional().meta({ description: 'rejected (by the remote side), not_found, invalid, blocked_target (the account blocks it)' }),
  detail: z.string().optional(),
});
const accountIds = z.array(id).meta({ description: 'the local accounts the note concerns in this role' });
const postForAccounts = z.looseObject({
  post: RemotePostSchema,
  accountIds,
  policy: z
    .looseObject({ rule: z.string(), action: z.enum(['mark_sensitive']) })
    .optional()
    .meta({ description: "the operator's content policy rule that changed the post (e.g. marked its media sensitive)" }),
});
const deletedPostForAccounts = z.looseObject({ post: DeletedRemotePostSchema, accountIds });
const interaction = z.looseObject({ postId: id, actor: RemoteActorSchema, activityId: uri });
const actor = z.looseObject({ actor: RemoteActorSchema });
const moved = z.looseObject({
  actor: RemoteActorSchema.and(z.looseObject({ movedTo: RemoteActorSchema })),
  accountIds: z.array(id).meta({ description: 'local accounts following the actor that moved' }),
});
const blocked = z.looseObject({ accountId: id, actor: RemoteActorSchema });
const report = z.looseObject({ report: z.looseObject({ activityId: uri, actor: RemoteActorSchema, targets: z.array(z.union([RefSchema, z.looseObject({ accountId: id })])), comment: z.string() }) });

/** Every callback type of contract §2 and its data (mention and quote get .updated/.deleted too). */
export const CALLBACK_DATA = {
  'fediverse.follower.added': follower,
  'fediverse.follower.removed': followerRemoved,
  'fediverse.follow_request.received': follower,
  'fediverse.follow.accepted': followAccepted,
  'fediverse.follow.rejected': followRejected,
  'fediverse.reply.created': postForAccounts,
  'fediverse.reply.updated': postForAccounts,
  'fediverse.reply.deleted': deletedPostForAccounts,
  'fediverse.mention.created': postForAccounts,
  'fediverse.mention.updated': postForAccounts,
  'fediverse.mention.deleted': deletedPostForAccounts,
  'fediverse.quote.created': postForAccounts,
  'fediverse.quote.updated': postForAccounts,
  'fediverse.quote.deleted': deletedPostForAccounts,
  'fediverse.post.created': postForAccounts,
  'fediverse.post.updated': postForAccounts,
  'fediverse.post.deleted': deletedPostForAccounts,
  'fediverse.like.created': interaction,
  'fediverse.like.deleted': interaction,
  'fediverse.repost.created': interaction,
  'fediverse.repost.deleted': interaction,
  'fediverse.actor.updated': actor,
  'fediverse.actor.deleted': actor,
  'fediverse.actor.moved': moved,
  'fediverse.block.received': blocked,
  'fediverse.report.received': report,
} as const;

export type CallbackType = keyof typeof CALLBACK_DATA;

const callbackEnvelope = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.looseObject({ id: id.meta({ description: 'stable across retries: dedupe by it' }), type: z.literal(type), occurredAt: rfc3339, data });

export const CALLBACK_SCHEMAS: Record<CallbackType, z.ZodType> = Object.fromEntries(
  Object.entries(CALLBACK_DATA).map(([type, data]) => [type, callbackEnvelope(type, data)]),
) as unknown as Record<CallbackType, z.ZodType>;

/** Validates one callback body: its type must be one of §2 and its data that type's shape. */
export function checkCallback(body: unknown): { ok: true } | { ok: false; problems: string[] } {
  const type = (body as { type?: unknown })?.type;
  const schema = typeof type === 'string' && Object.hasOwn(CALLBACK_SCHEMAS, type) ? CALLBACK_SCHEMAS[type as CallbackType] : undefined;
  if (!schema) return { ok: false, problems: [`/type: ${String(type)} is not a callback type of the contract`] };
  const parsed = schema.safeParse(body);
  return parsed.success ? { ok: true } : { ok: false, problems: parsed.error.issues.map((i) => `/${i.path.join('/')}: ${i.message}`) };
}
