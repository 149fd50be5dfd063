// Every Redis key the gateway writes, built in one place so a newcomer can list them.
//
// Redis Cluster: a MULTI, a script or a multi-key command must stay in one hash slot. Keys used
// together carry the same hash tag, the `{…}` part, which alone decides their slot:
//   {a:<accountId>}  the account's hashes and indexes (profile, keys, followers, requests,
//                    following, blocks, posts index, outbox, erasure indexes)
//   {p:<postId>}     a post and the inboxes its Create reached
//   {i:<activityId>} an inbound Follow/Like/Announce id: its Undo marker and the record it maps to
//   {d:<domain>}     a remote domain's failure days and circuit breaker
// so data still spreads over the nodes entity by entity. Indexes that cross entities (a remote
// actor's followedBy, localFollowersOf, blockersOf; username → account; actor → activities;
// ids → follows) live in their own slots and are written in separate steps, each ordered so
// that a crash in between is repaired by the job's retry (see the stores). The tag comes after
// the key's kind (fg:followers:{a:…}), so `<prefix>:{` stays the BullMQ queues' own (config/queues.ts).
// Tags start with a kind letter, so none is empty whatever the id; an id containing '}' cuts its
// tag short, identically in every key of that entity.

export type RedisKeys = ReturnType<typeof redisKeys>;

/** The hash tag of an entity: `{a:acc-1}`. */
const tag = (kind: 'a' | 'p' | 'i' | 'd', id: string) => `{${kind}:${id}}`;

export function redisKeys(prefix: string) {
  const k = (...parts: string[]) => [prefix, ...parts].join(':');
  const acc = (id: string) => tag('a', id);
  const act = (id: string) => tag('i', id);
  return {
    /** hash: profile (JSON), state, version (occurredAt ms), username, stateAt (ms of the last enable/disable/delete), leaveActivity, pending:<eventId> */
    account: (accountId: string) => k('account', acc(accountId)),
    /** hash: publicKeyPem, privateKeyPem — never copied into job data */
    accountKeys: (accountId: string) => k('account-keys', acc(accountId)),
    /** hash: id (the account holding a lower-cased username), at (occurredAt ms of the profile that claimed it) */
    username: (username: string) => k('username-owner', username.toLowerCase()),
    /** set: account ids ever enabled (NodeInfo user count) */
    enabledAccounts: () => k('accounts', 'enabled'),
    /** hash: the instance actor's key pair */
    instanceKeys: () => k('instance', 'keys'),
    /** hash: post (JSON), state, version, federated, accountId, refs (JSON: resolved mentions, parent, quote, thread), quoteAuth (JSON {uri, authorization}), pending:<eventId> */
    post: (postId: string) => k('post', tag('p', postId)),
    /** string: postId of our FEP-044f QuoteRequest (by its activity id), so its Accept can be mapped */
    quoteRequest: (activityId: string) => k('quote-request', activityId),
    /** hash: every inbox the post reached → where its Create and Delete stand there (services/store/post-receipts.ts): the audience of its Updates and Delete, per-inbox ordering, federation receipts */
    postReceipts: (postId: string) => k('post', tag('p', postId), 'receipts'),
    /** hash: remote follower actor URI → JSON {inbox, sharedInbox, followId, since} */
    followers: (accountId: string) => k('followers', acc(accountId)),
    /** hash: pending follow requests, same shape as followers */
    followRequests: (accountId: string) => k('follow-requests', acc(accountId)),
    /** hash: one fan-out's plan: inbox → batch number, 'b:<n>' → the batch's inboxes, 'n' → batches so far (services/store/fanout-plans.ts) */
    fanoutPlan: (activityId: string) => k('fanout-plan', activityId),
    /** string: JSON of an outbound activity; jobs carry only its id */
    activity: (activityId: string) => k('activity', activityId),
    /** string: marks a platform event id applied (idempotency) */
    eventApplied: (eventId: string) => k('event', eventId),
    /** string: marks an inbound activity processed (replay protection), by its replay key: a digest of signer and id (services/inbox/replay-key.ts) */
    inboxSeen: (replayKey: string) => k('inbox-seen', replayKey),
    // --- inbox replay and early Undos (fix-inbox) ---
    /**
     * hash: actor URI → '1' of each actor that undid this Follow/Like/Announce id before it was
     * processed; 'storing:<actor>' while that actor's Follow of this id is being stored (TTL a day)
     */
    undoneInteraction: (activityId: string) => k('undone-interaction', act(activityId)),
    /** string: cached remote actor document (JSON) */
    remoteActor: (uri: string) => k('remote-actor', uri),
    /** string: cached remote public key JSON {owner, publicKeyPem} */
    remoteKey: (keyId: string) => k('remote-key', keyId),
    /** string: JSON {accountId, actor} of a remote Follow, so an Undo naming only its id can be mapped */
    remoteFollow: (followId: string) => k('remote-follow', act(followId)),
    /** string: JSON {postId, actor} of a remote Like, so its Undo can be mapped */
    remoteLike: (activityId: string) => k('remote-like', act(activityId)),
    /** string: actor URI a lower-cased @user@host handle resolved to (WebFinger cache) */
    webfinger: (handle: string) => k('webfinger', handle),
    /** hash: remote actor URI → JSON FollowingRecord of a local account's outbound follow */
    following: (accountId: string) => k('following', acc(accountId)),
    /** string: JSON {accountId, target} of an outbound Follow activity, so Accept/Reject by id can be mapped */
    outboundFollow: (activityId: string) => k('outbound-follow', activityId),
    /** set: local account ids whose follow of this remote actor was accepted */
    localFollowersOf: (remoteActor: string) => k('local-followers', remoteActor),
    // Account leaving (disable / delete), the outbox and erasure.
    /** set: every inbox an activity signed by this account was queued for (who knows the actor) */
    accountInboxes: (accountId: string) => k('account', acc(accountId), 'inboxes'),
    /** hash: every post id the gateway holds of this account → id of its Create ('' if none went out) */
    accountPosts: (accountId: string) => k('account', acc(accountId), 'posts'),
    /** sorted set: public federated post ids of this account by createdAt ms (the outbox) */
    outbox: (accountId: string) => k('account', acc(accountId), 'outbox'),
    /** set: ids of stored outbound activities whose actor is this actor URI (erased with the account) */
    actorActivities: (actorUri: string) => k('actor-activities', actorUri),
    // Erasure indexes (sorted sets scored by the indexed record's expiry ms; services/store/erasure-index.ts)
    /** zset: 'like:<id>' | 'repost:<id>' | 'block:<id>' of this account's interaction ledger entries */
    accountInteractions: (accountId: string) => k('account', acc(accountId), 'interactions'),
    /** zset: 'like:<activityId>' | 'announce:<activityId>' of remote Likes / Announces of this account's posts */
    accountInboundReactions: (accountId: string) => k('account', acc(accountId), 'inbound-reactions'),
    /** zset: URIs of remote notes whose role lists name this account */
    accountRemoteNotes: (accountId: string) => k('account', acc(accountId), 'remote-notes'),
    // --- reactions, relationships, moderation ---
    /** set: local account ids this remote actor follows (or asked to follow): the reverse of followers */
    followedBy: (remoteActor: string) => k('followed-by', remoteActor),
    /** hash: state, version, lastEventId, action, record (JSON) of a local like/repost/block, in occurredAt order */
    interaction: (kind: string, id: string) => k('interaction', kind, id),
    /** hash: remote actor URI → JSON BlockRecord of a local account's block */
    blocks: (accountId: string) => k('blocks', acc(accountId)),
    /** set: personal inboxes of actors a local account blocks: its deliveries skip them */
    blockedInboxes: (accountId: string) => k('blocked-inboxes', acc(accountId)),
    /** set: local account ids that block this remote actor (the reverse of blocks): one read per note */
    blockersOf: (remoteActor: string) => k('blockers', remoteActor),
    /** string: JSON of a remote Announce seen (post or local post it shared), so its Undo can be mapped */
    remoteAnnounce: (activityId: string) => k('remote-announce', act(activityId)),
    /** string: JSON {accountId, target} of a platform follow id, so follow.deleted needs no lookup */
    platformFollow: (followId: string) => k('platform-follow', followId),
    /** string: a platform follow id deleted before its follow.created was applied */
    deletedFollow: (followId: string) => k('deleted-follow', followId),
    /** hash: what a remote note was passed to the platform as (author, thread root, roles, version, deleted) */
    remoteNote: (noteUri: string) => k('remote-note', noteUri),
    /** string (TTL): 'rfc9421' or 'cavage', the signature scheme a server's origin took after a 401 for the other */
    signatureScheme: (origin: string) => k('sig-scheme', origin),
    /** zset: job ids of the undelivered callbacks about one object (hash of services/activitypub/callback-objects.ts's key), scored by ms queued */
    callbackOrder: (objectKeyHash: string) => k('callback-order', objectKeyHash),
    // --- moderation (domain blocks) ---
    /** hash: blocked domain (lower-case host, optional port) → JSON DomainBlock */
    domainBlocks: () => k('domain-blocks'),
    // --- per-domain delivery health (services/store/domain-health.ts) ---
    /** set: UTC days ('YYYY-MM-DD') on which deliveries to this domain failed (TTL refreshed per failure) */
    domainFailureDays: (domain: string) => k('domain-failure-days', tag('d', domain.toLowerCase())),
    /** hash: domain → JSON {since, reason} of each domain skipped at fan-out */
    unavailableDomains: () => k('domains', 'unavailable'),
    /** string (TTL: the breaker window): consecutive network failures of deliveries to this domain */
    domainBreakerFailures: (domain: string) => k('domain-breaker', tag('d', domain.toLowerCase()), 'failures'),
    /** string (TTL: the cool-down): ms until which the domain's breaker is open */
    domainBreakerOpen: (domain: string) => k('domain-breaker', tag('d', domain.toLowerCase()), 'open'),
    // --- inbox rate limit (services/store/inbox-rate.ts) ---
    /** string (TTL: the window, from the first POST in it): inbox POSTs from this server ('signed': verified; 'unverified': self-Deletes without a checkable key) */
    inboxRate: (host: string, bucket: 'signed' | 'unverified') => k('inbox-rate', bucket, host.toLowerCase()),
  };
}
