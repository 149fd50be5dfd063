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
