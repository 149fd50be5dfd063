// The OpenAPI 3.1 document of the platform API (contract §1-3), generated from the zod schemas
// that validate requests, so it cannot drift from them: a new event type or callback schema
// appears here by itself. Callbacks are OpenAPI `webhooks`.
import { z } from 'zod';
import { VERSION } from '../gateway';
import { CALLBACK_SCHEMAS, type CallbackType, DeletedRemotePostSchema, RemoteActorSchema, RemotePostSchema, UnresolvedActorSchema } from '../platform/callback-schemas';
import { EventSchema, MAX_BATCH } from '../platform/event-schemas';
import { DomainBlockBodySchema, DomainBlockListSchema, DomainBlockSchema } from '../moderation/admin-schemas';
import { FailedJobListSchema, FailedJobSchema, FailedQuerySchema, QUEUE_LIST, QueueCountsListSchema, QueueCountsSchema, RetryBodySchema, RetryResultSchema } from '../queue/admin-schemas';
import { AccountFederationSchema, ActorLookupQuerySchema, LookedUpActorSchema, PostFederationSchema } from '../platform/query-schemas';

const ProblemSchema = z.looseObject({
  type: z.string(),
  status: z.number().int(),
  title: z.string(),
  detail: z.string().optional(),
  errors: z
    .array(z.looseObject({ pointer: z.string().optional(), parameter: z.string().optional(), message: z.string(), eventId: z.string().optional() }))
    .optional()
    .meta({ description: 'each bad field: a JSON pointer into the body, or the query parameter' }),
});

const EventBatchSchema = z.object({ events: z.array(EventSchema).min(1).max(MAX_BATCH) });
const EventsAcceptedSchema = z.object({ accepted: z.array(z.string()), duplicates: z.array(z.string()) });

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ 'application/json': { schema: ref(id) } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const callbackComponent = (type: string) => `Callback.${type}`;

function components() {
  const registry = z.registry<{ id: string }>();
  const add = (schema: z.ZodType, id: string) => registry.add(schema, { id });
  add(EventSchema, 'PlatformEvent');
  add(EventBatchSchema, 'PlatformEventBatch');
  add(EventsAcceptedSchema, 'EventsAccepted');
  add(ProblemSchema, 'Problem');
  add(RemoteActorSchema, 'RemoteActor');
  add(RemotePostSchema, 'RemotePost');
  add(DeletedRemotePostSchema, 'DeletedRemotePost');
  add(UnresolvedActorSchema, 'UnresolvedActor');
  add(LookedUpActorSchema, 'LookedUpActor');
  add(AccountFederationSchema, 'AccountFederation');
  add(PostFederationSchema, 'PostFederation');
  add(DomainBlockSchema, 'DomainBlock');
  add(DomainBlockBodySchema, 'DomainBlockBody');
  add(DomainBlockListSchema, 'DomainBlockList');
  add(QueueCountsSchema, 'QueueCounts');
  add(QueueCountsListSchema, 'QueueCountsList');
  add(FailedJobSchema, 'FailedJob');
  add(FailedJobListSchema, 'FailedJobList');
  add(RetryBodySchema, 'RetryBody');
  add(RetryResultSchema, 'RetryResult');
  for (const [type, schema] of Object.entries(CALLBACK_SCHEMAS)) add(schema, callbackComponent(type));
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, io: 'input' });
  // Components are plain schemas of the document's own dialect (JSON Schema 2020-12).
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema]));
}

function queryParameters(schema: z.ZodObject) {
  const js = z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, { description?: string }>; required?: string[] };
  return Object.entries(js.properties).map(([name, { description, ...s }]) => ({
    name,
    in: 'query',
    required: js.required?.includes(name) ?? false,
    ...(description ? { description } : {}),
    schema: s,
  }));
}

const bearer = [{ platformToken: [] }];
const admin = [{ adminToken: [] }];
const queueParameter = { name: 'queue', in: 'path', required: true, schema: { type: 'string', enum: QUEUE_LIST } };
const domainParameter = { name: 'domain', in: 'path', required: true, description: 'fully qualified host name, optionally with :port, in canonical form (lower case; a Unicode name is stored in punycode; no default port, no wildcard)', schema: { type: 'string' } };

// The operator's queues and domain blocks (not part of the platform contract, but the same conventions).
const adminPaths = {
  '/admin/jobs': {
    get: { operationId: 'listQueueCounts', summary: 'Jobs per queue and state', security: admin, responses: { '200': { description: 'one entry per queue', content: json('QueueCountsList') }, '401': problem('admin token missing or wrong'), '503': problem('store unreachable') } },
  },
  '/admin/jobs/{queue}/failed': {
    get: {
      operationId: 'listFailedJobs',
      summary: 'The most recently failed jobs of a queue',
      security: admin,
      parameters: [queueParameter, ...queryParameters(FailedQuerySchema)],
      responses: { '200': { description: 'newest first', content: json('FailedJobList') }, '400': problem('queue or limit is wrong (the parameter is named)'), '401': problem('admin token missing or wrong'), '503': problem('store unreachable') },
    },
  },
  '/admin/jobs/{queue}/retry': {
    post: {
      operationId: 'retryFailedJobs',
      summary: 'Run failed jobs again (named ones, or all), with their attempts reset',
      security: admin,
      parameters: [queueParameter],
      requestBody: { required: true, content: json('RetryBody') },
      responses: {
        '200': { description: 'how many went back to waiting, and which requested jobs were not failed', content: json('RetryResult') },
        '400': problem('queue is wrong, or the body is (JSON pointer)'),
        '401': problem('admin token missing or wrong'),
        '503': problem('store unreachable'),
      },
    },
  },
  '/admin/domain-blocks': {
    get: { operationId: 'listDomainBlocks', summary: 'Every blocked domain', security: admin, responses: { '200': { description: 'the blocks', content: json('DomainBlockList') }, '401': problem('admin token missing or wrong') } },
  },
  '/admin/domain-blocks/{domain}': {
    get: {
      operationId: 'getDomainBlock',
      summary: 'One block',
      security: admin,
      parameters: [domainParameter],
      responses: { '200': { description: 'the block', content: json('DomainBlock') }, '400': problem('domain is not a host name'), '401': problem('admin token missing or wrong'), '404': problem('not blocked') },
    },
    put: {
      operationId: 'putDomainBlock',
      summary: "Block a domain and its subdomains: refused at the inbox, nothing delivered or fetched there; a new block drops the domain's followers (in the background)",
      security: admin,
      parameters: [domainParameter],
      requestBody: { required: false, content: json('DomainBlockBody') },
      responses: {
        '200': { description: 'updated', content: json('DomainBlock') },
        '201': { description: 'created', content: json('DomainBlock') },
        '400': problem('domain is not a host name, or the body is wrong (JSON pointer)'),
        '401': problem('admin token missing or wrong'),
      },
    },
    delete: {
      operationId: 'deleteDomainBlock',
      summary: 'Lift a block (dropped followers stay dropped)',
      security: admin,
      parameters: [domainParameter],
      responses: { '204': { description: 'lifted' }, '400': problem('domain is not a host name'), '401': problem('admin token missing or wrong'), '404': problem('not blocked') },
    },
  },
};

export function openApiDocument(publicOrigin: string) {
  const webhooks = Object.fromEntries(
    (Object.keys(CALLBACK_SCHEMAS) as CallbackType[]).map((type) => [
      type,
      {
        post: {
          summary: type,
          description: 'POSTed to PLATFORM_CALLBACK_URL, signed with X-Signature (secret PLATFORM_CALLBACK_SECRET); retried for at least 24 hours on 5xx or no answer.',
          parameters: [{ name: 'X-Signature', in: 'header', required: true, schema: { type: 'string', pattern: '^t=\\d+,v1=[0-9a-f]{64}$' } }],
          requestBody: { required: true, content: json(callbackComponent(type)) },
          responses: { '2XX': { description: 'received (dedupe by id)' } },
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: { title: 'fedigate platform API', version: VERSION, description: 'Events in, queries, and the callbacks (webhooks) the gateway sends. See platform-contract.md.' },
    servers: [{ url: publicOrigin }],
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths: {
      '/platform/events': {
        post: {
          operationId: 'postEvents',
          summary: 'One event, or a batch of up to 500',
          parameters: [
            { name: 'X-Signature', in: 'header', required: true, description: 't=<unix seconds>,v1=<hex HMAC-SHA256(PLATFORM_WEBHOOK_SECRET, "<t>.<raw body>")>', schema: { type: 'string' } },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: { oneOf: [ref('PlatformEvent'), ref('PlatformEventBatch')] } } } },
          responses: {
            '202': { description: 'every event is durably queued', content: json('EventsAccepted') },
            '400': problem('the batch was refused whole: each bad event and the JSON pointer of each bad field'),
            '401': problem('X-Signature missing, wrong or older than 5 minutes'),
            '413': problem('body over 1 MiB'),
            '503': { ...problem('store unreachable; nothing was queued: retry'), headers: { 'Retry-After': { schema: { type: 'integer' } } } },
          },
        },
      },
      '/platform/actors/lookup': {
        get: {
          operationId: 'lookupActor',
          summary: 'Find a fediverse actor by handle, actor URI or profile URL (WebFinger and actor fetch, cached)',
          security: bearer,
          parameters: queryParameters(ActorLookupQuerySchema),
          responses: {
            '200': { description: 'the actor', content: json('LookedUpActor') },
            '400': problem('q is missing or neither a handle nor an http(s) URL'),
            '401': problem('bearer token missing or wrong'),
            '404': problem('no such actor'),
            '502': problem("the actor's server failed"),
          },
        },
      },
      '/platform/accounts/{id}/federation': {
        get: {
          operationId: 'accountFederation',
          summary: "An account's federation state and counts",
          security: bearer,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 200 } }],
          responses: {
            '200': { description: 'state and counts', content: json('AccountFederation') },
            '401': problem('bearer token missing or wrong'),
            '404': problem('the gateway never heard of this account'),
          },
        },
      },
      '/platform/posts/{id}/federation': {
        get: {
          operationId: 'postFederation',
          summary: "A post's federation receipts: which servers accepted its Create, which failed, which acknowledged its Delete",
          security: bearer,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 200 } }],
          responses: {
            '200': { description: 'receipts per server and totals', content: json('PostFederation') },
            '401': problem('bearer token missing or wrong'),
            '404': problem('the gateway never heard of this post'),
          },
        },
      },
      ...adminPaths,
    },
    webhooks,
    components: {
      schemas: components(),
      securitySchemes: { platformToken: { type: 'http', scheme: 'bearer', description: 'PLATFORM_API_TOKEN' }, adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' } },
    },
  };
}
