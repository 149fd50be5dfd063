// Zod schemas of the platform's queries (contract §3): the same schemas check the requests and
// feed the OpenAPI document.
import { z } from 'zod';
import { RemoteActorSchema } from './callback-schemas';

export const ActorLookupQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .min(1, 'required: a handle such as @bob@example.social, an actor URI or a profile URL')
    .max(2048)
    .meta({ description: 'a handle (@bob@example.social), an actor URI or a profile URL', examples: ['@bob@example.social'] }),
});

export const LookedUpActorSchema = RemoteActorSchema.and(
  z.object({ accountId: z.string().optional().meta({ description: 'set when the actor is one of the platform\'s own accounts' }) }),
).meta({ id: 'LookedUpActor' });

export const AccountIdParamSchema = z.object({ id: z.string().min(1).max(200) });

export const AccountFederationSchema = z
  .object({
    accountId: z.string(),
    enabled: z.boolean().meta({ description: 'published to the fediverse now' }),
    state: z.enum(['enabled', 'pending', 'disabled', 'deleted']).meta({
      description: 'pending: known from an update, not enabled yet; disabled: opted out; deleted: erased (only a tombstone remains)',
    }),
    remoteFollowers: z.number().int().nonnegative(),
    following: z.number().int().nonnegative().meta({ description: 'remote actors this account follows or asked to follow' }),
    followRequests: z.number().int().nonnegative().meta({ description: 'remote follow requests waiting for approval' }),
  })
  .meta({ id: 'AccountFederation' });

export type AccountFederation = z.infer<typeof AccountFederationSchema>;

export const PostIdParamSchema = z.object({ id: z.string().min(1).max(200) });

const CreateCountsSchema = z.object({
  accepted: z.number().int().nonnegative().meta({ description: 'inboxes that answered 2xx to the Create' }),
  failed: z.number().int().nonnegative().meta({ description: 'inboxes that refused it for good or stayed down through every retry' }),
  pending: z.number().int().nonnegative().meta({ description: 'inboxes the Create is still on its way to (queued, retrying or in flight)' }),
  cancelled: z.number().int().nonnegative().meta({ description: 'inboxes it never reached because the post was deleted first: nothing was sent there' }),
});
const DeleteCountsSchema = z.object({
  acknowledged: z.number().int().nonnegative().meta({ description: 'inboxes that answered 2xx to the Delete' }),
  failed: z.number().int().nonnegative().meta({ description: 'inboxes that refused the Delete or stayed down: they may still hold the post' }),
});

export const ServerReceiptSchema = z.object({
  domain: z.string(),
  inboxes: z.number().int().nonnegative(),
  create: CreateCountsSchema,
  delete: DeleteCountsSchema,
});

export const PostFederationSchema = z
  .object({
    postId: z.string(),
    state: z.enum(['live', 'deleted']),
    federated: z.boolean().meta({ description: 'live and published to the fediverse now' }),
    totals: z.object({ servers: z.number().int().nonnegative(), inboxes: z.number().int().nonnegative(), create: CreateCountsSchema, delete: DeleteCountsSchema }),
    stillHeldBy: z.array(z.string()).meta({
      description: 'for a deleted post: servers that accepted the Create and have not acknowledged the Delete (it may still live there)',
    }),
    servers: z.array(ServerReceiptSchema).meta({ description: 'per server, by domain' }),
  })
  .meta({ id: 'PostFederation' });

export type PostFederation = z.infer<typeof PostFederationSchema>;
