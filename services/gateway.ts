// Builds the gateway's dependencies once per process: Redis clients, queues, stores, clients.
import type { KeyObject } from 'node:crypto';
import { DEFAULT_REDIS_URL, type Config } from '../config/env';
import { type RedisKeys, redisKeys } from '../config/redis-keys';
import { type Uris, uris } from './activitypub/uris';
import type { Logger } from './logger';
import { type Metrics, createMetrics } from './metrics';
import { type Queues, closeQueues, createQueues } from './queue/queues';
import type { Signer } from './queue/jobs';
import { type ActorResolver, createActorResolver } from './remote/actor-resolver';
import { createHttpAgent } from './remote/http-agent';
import { type FetchDocument, createFetcher } from './remote/signed-fetch';
import { privateKeyFromPem } from './signatures/keys';
import { LruMap } from './signatures/lru';
import { type AccountPostStore, accountPostStore } from './store/account-posts';
import { type AccountStore, accountStore } from './store/accounts';
import { type BlockStore, blockStore } from './store/blocks';
import { type InteractionStore, interactionStore } from './store/interactions';
import { type ActivityStore, activityStore } from './store/activities';
import { type DedupeStore, dedupeStore } from './store/dedupe';
import { type DomainBlockStore, domainBlockStore } from './store/domain-blocks';
import { type CompiledPolicy, compilePolicy } from './moderation/content-policy';
import { type FollowerStore, followerStore } from './store/followers';
import { type FollowingStore, followingStore } from './store/following';
import { type PostStore, postStore } from './store/posts';
import { type PostReceiptStore, postReceiptStore } from './store/post-receipts';
import { type FanoutPlanStore, fanoutPlanStore } from './store/fanout-plans';
import { type AccountIndexedRemoteNoteStore, accountIndexedRemoteNoteStore } from './store/remote-note-erasure';
import { type SignatureSchemeStore, signatureSchemeStore } from './store/signature-schemes';
import { type DomainHealthStore, domainHealthStore } from './store/domain-health';
import { type InboxRateStore, inboxRateStore } from './store/inbox-rate';
import { type DomainLimiter, createDomainLimiter } from './remote/domain-limiter';
import { type RedisClient, type RedisTarget, createRedis } from './store/redis';
import type { Agent } from 'undici';

export const VERSION = '0.1.0';

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
}

export interface Gateway {
  config: Config;
  logger: Logger;
  /** fails fast: used on request paths so Redis outages answer 503 */
  redis: RedisClient;
  /** waits out outages: used by queues and workers */
  queueRedis: RedisClient;
  keys: RedisKeys;
  uris: Uris;
  queues: Queues;
  accounts: AccountStore;
  posts: PostStore;
  /** per post and inbox: where its Create and Delete stand (ordering and federation receipts) */
  postReceipts: PostReceiptStore;
  fanoutPlans: FanoutPlanStore;
  /** per-account post indexes: the outbox and the list erasure walks */
  accountPosts: AccountPostStore;
  followers: FollowerStore;
  /** local accounts' follows of remote actors */
  following: FollowingStore;
  /** remote notes passed to the platform, and as what */
  remoteNotes: AccountIndexedRemoteNoteStore;
  activities: ActivityStore;
  dedupe: DedupeStore;
  /** local accounts' likes, reposts and blocks, in occurredAt order */
  interactions: InteractionStore;
  /** remote actors local accounts block */
  blocks: BlockStore;
  /** domains the operator blocks: nothing comes in from or goes out to them */
  domainBlocks: DomainBlockStore;
  /** the operator's inbound content policy (CONTENT_POLICY_FILE) */
  contentPolicy: CompiledPolicy;
  /** per-domain failure days, unavailability and circuit breaker (shared by all processes) */
  domainHealth: DomainHealthStore;
  /** inbox POSTs per remote server in the current window (all processes) */
  inboxRate: InboxRateStore;
  /** which signature scheme each server took after a 401 (double-knocking) */
  signatureSchemes: SignatureSchemeStore;
  /** deliveries in flight per domain in this process */
  domainLimiter: DomainLimiter;
  /** outbound to the fediverse: SSRF-guarded */
  agent: Agent;
  /** to the operator-configured platform callback URL, which is private by design: unguarded */
  platformAgent: Agent;
  fetchDocument: FetchDocument;
  actors: ActorResolver;
  metrics: Metrics;
  userAgent: string;
  signingKey(signer: Signer): Promise<SigningKey | undefined>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** PEM of an extra CA to trust for outbound https (in-process tests; processes use NODE_EXTRA_CA_CERTS) */
  extraCaPem?: string;
}

/** The cluster when REDIS_CLUSTER_NODES is set, else the one Redis at REDIS_URL. */
export function redisTarget(config: Pick<Config, 'redisUrl' | 'redisClusterNodes'>): RedisTarget {
  return config.redisClusterNodes ? { clusterNodes: config.redisClusterNodes } : { url: config.redisUrl ?? DEFAULT_REDIS_URL };
}

export function createGateway(config: Config, logger: Logger, opts: GatewayOptions = {}): Gateway {
  const target = redisTarget(config);
  const redis = createRedis(target, 'request');
  const queueRedis = createRedis(target, 'worker');
  const keys = redisKeys(config.redisPrefix);
  const u = uris(config.publicOrigin);
  const queues = createQueues(queueRedis, config.redisPrefix);
  // Queues emit connection errors; without a listener they would be printed on every retry.
  for (const [name, queue] of Object.entries(queues)) {
    queue.on('error', (err: Error) => logger.warn({ queue: name, err: err.message }, 'queue connection error'));
  }
  // Stores use the fail-fast client: during an outage a request answers 503 at once and a job
  // fails and is retried by BullMQ, whose own connection waits the outage out.
  const accounts = accountStore(redis, keys);
  const domainHealth = domainHealthStore(redis, keys);
  const userAgent = `fedigate/${VERSION} (+${config.publicOrigin}/)`;
  // Enough connections per origin that a delivery holding a domain slot never waits for a socket.
  const connectionsPerOrigin = Math.max(8, config.deliveryDomainConcurrency);
  const agent = createHttpAgent({ allowPrivateAddresses: config.allowPrivateAddresses, connectionsPerOrigin, ...(opts.extraCaPem ? { extraCaPem: opts.extraCaPem } : {}) });
  const platformAgent = createHttpAgent({ allowPrivateAddresses: true, connectionsPerOrigin: 32 });

  const instanceKey = async (): Promise<SigningKey> => {
    const pair = await accounts.instanceKeys();
    return { keyId: u.instanceKey, privateKey: privateKeyFromPem(pair.privateKeyPem) };
  };
  // Signing keys per account for a minute: deliveries of one fan-out share one Redis read.
  const SIGNING_KEY_TTL_MS = 60_000;
  const signingKeys = new LruMap<string, { key: SigningKey; until: number }>(10_000);
  const domainBlocks = domainBlockStore(redis, keys);
  const signatureSchemes = signatureSchemeStore(redis, keys);
  const fetchDocument = createFetcher({ agent, allowPrivateAddresses: config.allowPrivateAddresses, userAgent, instanceKey, schemes: signatureSchemes, blockOfUrl: domainBlocks.blockOfUrl });

  return {
    config,
    logger,
    redis,
    queueRedis,
    keys,
    uris: u,
    queues,
    accounts,
    posts: postStore(redis, keys),
    postReceipts: postReceiptStore(redis, keys),
    fanoutPlans: fanoutPlanStore(redis, keys),
    accountPosts: accountPostStore(redis, keys),
    followers: followerStore(redis, keys),
    following: followingStore(redis, keys),
    remoteNotes: accountIndexedRemoteNoteStore(redis, keys),
    activities: activityStore(redis, keys),
    dedupe: dedupeStore(redis, keys),
    interactions: interactionStore(redis, keys),
    blocks: blockStore(redis, keys),
    domainBlocks,
    contentPolicy: compilePolicy(config.contentPolicy),
    domainHealth,
    inboxRate: inboxRateStore(redis, keys),
    signatureSchemes,
    domainLimiter: createDomainLimiter(config.deliveryDomainConcurrency),
    agent,
    platformAgent,
    fetchDocument,
    actors: createActorResolver(redis, keys, fetchDocument),
    metrics: createMetrics(queues, domainHealth),
    userAgent,
    async signingKey(signer) {
      if ('instance' in signer) return instanceKey();
      const hit = signingKeys.get(signer.accountId);
      if (hit && hit.until > Date.now()) return hit.key;
      const [stored, pair] = await Promise.all([accounts.get(signer.accountId), accounts.keys(signer.accountId)]);
      // An erased account has no profile but still signs its Delete(Person) while that is retried.
      const username = stored?.account.username ?? (await accounts.signer(signer.accountId)).username;
      if (!username || !pair) return undefined;
      const key = { keyId: u.key(username), privateKey: privateKeyFromPem(pair.privateKeyPem) };
      signingKeys.set(signer.accountId, { key, until: Date.now() + SIGNING_KEY_TTL_MS });
      return key;
    },
    async close() {
      await closeQueues(queues);
      await agent.close();
      await platformAgent.close();
      redis.disconnect();
      queueRedis.disconnect();
    },
  };
}
