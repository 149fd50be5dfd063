// The only reader of process.env: parsed once with zod into a frozen, typed Config.
import { type DomainClasses, parseDomainClasses } from '../services/remote/domain-class';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type ContentPolicy, ContentPolicySchema, EMPTY_POLICY } from '../services/moderation/content-policy';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const origin = z
  .url({ protocol: /^https?$/ })
  .transform((v) => new URL(v).origin);

/** Exported for the deploy manifests' test: every variable they set must be one of these. */
export const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  PUBLIC_ORIGIN: origin.default('http://localhost:8080'),
  HANDLE_DOMAIN: z.string().regex(/^[a-z0-9.-]+(:\d+)?$/i, 'a host name such as example.com').optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Seed nodes of a Redis Cluster, `host:port,host:port`: the gateway then uses the cluster instead of REDIS_URL. */
  REDIS_CLUSTER_NODES: z
    .string()
    .transform((v, ctx) => {
      const nodes = v.split(',').map((n) => n.trim()).filter((n) => n !== '');
      const bad = nodes.find((n) => !CLUSTER_NODE.test(n) || Number(n.slice(n.lastIndexOf(':') + 1)) > 65535);
      if (nodes.length && !bad) return nodes.map(clusterNode);
      ctx.addIssue({ code: 'custom', message: bad ? `"${bad}" is not host:port (a comma-separated list of host:port)` : 'at least one host:port' });
      return z.NEVER;
    })
    .optional(),
  PLATFORM_WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters'),
  PLATFORM_CALLBACK_URL: z.url({ protocol: /^https?$/ }),
  PLATFORM_CALLBACK_SECRET: z.string().min(16, 'at least 16 characters'),
  PLATFORM_API_TOKEN: z.string().min(16, 'at least 16 characters'),
  ADMIN_TOKEN: z.string().min(16, 'at least 16 characters'),
  ALLOW_PRIVATE_ADDRESSES: bool.default(false),
  /** Require a valid HTTP signature (any actor) on GETs of actors, collections and objects. */
  AUTHORIZED_FETCH: bool.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Prefix of every Redis key and queue: lets several gateways (or test files) share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('fg'),
  DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(50),
  /** Deliveries in flight per remote domain per worker process; more yield and come back shortly. */
  DELIVERY_DOMAIN_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(16),
  DELIVERY_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(20),
  /** Classes of servers for the delivery metrics: "large=mastodon.social,mastodon.online;relay=relay.example" (services/remote/domain-class.ts). */
  DELIVERY_DOMAIN_CLASSES: z.string().default('').superRefine((v, ctx) => {
    try {
      parseDomainClasses(v);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `class=domain,domain;class=domain… with lower-case class names: ${(e as Error).message}` });
    }
  }),
  /** Port of the local redis-server `npm start` runs when REDIS_URL is unset and nothing answers. */
  /** `worker` mode only: serve /healthz, /readyz and /metrics on this port (unset: no listener). */
  WORKER_OPS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  LOCAL_REDIS_PORT: z.coerce.number().int().min(1).max(65535).default(6379),
  /** How long a worker's claim on a job lasts unless renewed (every half of it): a crashed worker's jobs are free after this. */
  WORKER_LOCK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** How often workers look for jobs whose claim lapsed and hand them back to the queue. */
  WORKER_STALLED_CHECK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** Inbox POSTs one remote server may make per window (all gateway processes together); 0: no limit. */
  INBOX_RATE_LIMIT: z.coerce.number().int().min(0).max(1_000_000).default(3000),
  INBOX_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** JSON file of inbound content policy rules (services/moderation/content-policy.ts) */
  CONTENT_POLICY_FILE: z.string().optional(),
});

export interface Config {
  readonly port: number;
  readonly publicOrigin: string;
  readonly handleDomain: string;
  /** Undefined when unset: `npm start` may then start a local redis-server (unless a cluster is set). */
  readonly redisUrl: string | undefined;
  /** Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES); undefined for a single Redis. */
  readonly redisClusterNodes: ReadonlyArray<{ host: string; port: number }> | undefined;
  readonly redisPrefix: string;
  readonly webhookSecret: string;
  readonly callbackUrl: string;
  readonly callbackSecret: string;
  readonly apiToken: string;
  readonly adminToken: string;
  readonly allowPrivateAddresses: boolean;
  /** GETs of /users/… and /posts/… need a valid signature; discovery and /actor stay open */
  readonly authorizedFetch: boolean;
  readonly logLevel: string;
  readonly deliveryConcurrency: number;
  readonly deliveryDomainConcurrency: number;
  /** inboxes per fan-out delivery job (their first attempt; retries go one inbox per job) */
  readonly deliveryBatchSize: number;
  readonly deliveryDomainClasses: DomainClasses;
  readonly localRedisPort: number;
  /** lock of an active job; a worker killed mid-job frees it after at most this plus the stalled check */
  readonly workerLockMs: number;
  readonly workerStalledCheckMs: number;
  /** worker mode: port of the probes-and-metrics listener, if any */
  readonly workerOpsPort: number | undefined;
  /** inbox POSTs per remote server per window (0: unlimited) */
  readonly inboxRateLimit: number;
  readonly inboxRateWindowSeconds: number;
  /** inbound content policy rules read from CONTENT_POLICY_FILE (none without it) */
  readonly contentPolicy: ContentPolicy;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const localRedisUrl = (port: number) => `redis://127.0.0.1:${port}`;

const CLUSTER_NODE = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):\d{1,5}$/i;

/** `host:port` or `[v6]:port` → address (brackets dropped). */
function clusterNode(node: string): { host: string; port: number } {
  const colon = node.lastIndexOf(':');
  return { host: node.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(node.slice(colon + 1)) };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** Parses an environment (process.env by default); throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, as shells and compose files often leave them.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = i.path.join('.');
        return `${name}: ${name in present ? i.message : 'is required'}`;
      }),
    );
  }
  const e = parsed.data;
  // One or the other: a cluster client never talks to REDIS_URL, so both set is a mistake.
  if (e.REDIS_URL && e.REDIS_CLUSTER_NODES) throw new ConfigError(['REDIS_CLUSTER_NODES: set either REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a cluster), not both']);
  const contentPolicy = e.CONTENT_POLICY_FILE ? readContentPolicy(e.CONTENT_POLICY_FILE) : EMPTY_POLICY;
  return Object.freeze({
    port: e.PORT,
    publicOrigin: e.PUBLIC_ORIGIN,
    handleDomain: (e.HANDLE_DOMAIN ?? new URL(e.PUBLIC_ORIGIN).host).toLowerCase(),
    redisUrl: e.REDIS_URL,
    redisClusterNodes: e.REDIS_CLUSTER_NODES ? Object.freeze(e.REDIS_CLUSTER_NODES) : undefined,
    redisPrefix: e.REDIS_PREFIX,
    webhookSecret: e.PLATFORM_WEBHOOK_SECRET,
    callbackUrl: e.PLATFORM_CALLBACK_URL,
    callbackSecret: e.PLATFORM_CALLBACK_SECRET,
    apiToken: e.PLATFORM_API_TOKEN,
    adminToken: e.ADMIN_TOKEN,
    allowPrivateAddresses: e.ALLOW_PRIVATE_ADDRESSES,
    authorizedFetch: e.AUTHORIZED_FETCH,
    logLevel: e.LOG_LEVEL,
    deliveryConcurrency: e.DELIVERY_CONCURRENCY,
    deliveryDomainConcurrency: e.DELIVERY_DOMAIN_CONCURRENCY,
    deliveryBatchSize: e.DELIVERY_BATCH_SIZE,
    deliveryDomainClasses: parseDomainClasses(e.DELIVERY_DOMAIN_CLASSES),
    localRedisPort: e.LOCAL_REDIS_PORT,
    workerLockMs: e.WORKER_LOCK_MS,
    workerStalledCheckMs: e.WORKER_STALLED_CHECK_MS,
    workerOpsPort: e.WORKER_OPS_PORT,
    inboxRateLimit: e.INBOX_RATE_LIMIT,
    inboxRateWindowSeconds: e.INBOX_RATE_WINDOW_SECONDS,
    contentPolicy,
  });
}

/** The rules file, or a ConfigError naming the file and each problem (JSON pointer) in it. */
function readContentPolicy(path: string): ContentPolicy {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError([`CONTENT_POLICY_FILE: ${path}: ${(err as Error).message}`]);
  }
  const parsed = ContentPolicySchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `CONTENT_POLICY_FILE: ${path}: /${i.path.join('/')}: ${i.message}`));
  return parsed.data;
}
