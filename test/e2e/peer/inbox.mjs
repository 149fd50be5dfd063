// The Fedify peer's inbox: records every activity Fedify verified (and, separately, those it
// could not verify), answers Follows by policy, and keeps the relationship state the control
// API reports: followers, following states, who blocks the peer, which actors were deleted.

import { Accept, Activity, Announce, Block, Create, Delete, Follow, Like, Reject, Undo, Update } from '@fedify/vocab';
import { idOf } from './views.mjs';

/**
 * @param {object} deps
 * @param {import('@fedify/fedify').Federation} deps.federation
 * @param {string} deps.identifier
 * @param {object} deps.state       the peer's mutable state (see fedify-peer.mjs)
 * @param {object} deps.publisher   from createPublisher()
 * @param {() => string} deps.followPolicy  "accept" | "reject" | "ignore"
 * @param {(...parts: unknown[]) => void} deps.log
 */
export function registerInbox({ federation, identifier, state, publisher, followPolicy, log }) {
  async function record(ctx, activity, listenerType) {
    let raw = null;
    try {
      raw = await activity.toJsonLd({ contextLoader: ctx.contextLoader });
    } catch (error) {
      log('toJsonLd failed:', error);
    }
    const obj = raw?.object;
    const entry = {
      type: typeof raw?.type === 'string' ? raw.type : listenerType,
      id: activity.id?.href ?? null,
      actor: activity.actorId?.href ?? null,
      objectId: activity.objectId?.href ?? undefined,
      objectType: obj && typeof obj === 'object' && !Array.isArray(obj) && typeof obj.type === 'string' ? obj.type : undefined,
      recipient: ctx.recipient ?? null, // "peer" for the personal inbox, null for the shared inbox
      raw,
      ...(activity.id != null && state.inflight.has(activity.id.href) ? state.inflight.get(activity.id.href) : {}),
      receivedAt: new Date().toISOString(),
    };
    state.received.push(entry);
    log(`received ${entry.type} ${entry.id} from ${entry.actor}${entry.objectId ? ` (object ${entry.objectId})` : ''}`);
    return entry;
  }

  function noteFollowResponse(entry, response) {
    const followId = idOf(entry.raw?.object);
    for (const f of state.following.values()) {
      if (followId != null ? f.followId === followId : f.target === entry.actor) f.state = response;
    }
  }

  /** An actor deleted itself: forget every relationship with it. */
  function actorDeleted(actor, activityId, verified) {
    state.deletedActors.set(actor, { actor, activityId, verified, receivedAt: new Date().toISOString() });
    state.followers.delete(actor);
    state.following.delete(actor);
  }

  /** The type and object of the activity an Undo embeds (no fetch). */
  function undone(entry) {
    const inner = entry.raw?.object;
    return inner && typeof inner === 'object' ? { type: inner.type, object: idOf(inner.object) } : {};
  }

  const inbox = federation.setInboxListeners('/users/{identifier}/inbox', '/inbox');
  for (const cls of [Create, Update, Announce, Like]) {
    inbox.on(cls, async (ctx, activity) => {
      await record(ctx, activity, cls.name);
    });
  }
  for (const [cls, response] of [[Accept, 'accepted'], [Reject, 'rejected']]) {
    inbox.on(cls, async (ctx, activity) => noteFollowResponse(await record(ctx, activity, cls.name), response));
  }
  inbox.on(Delete, async (ctx, del) => {
    const entry = await record(ctx, del, 'Delete');
    if (entry.actor != null && entry.objectId === entry.actor) actorDeleted(entry.actor, entry.id, true);
  });
  inbox.on(Block, async (ctx, block) => {
    const entry = await record(ctx, block, 'Block');
    if (entry.actor == null || entry.objectId !== ctx.getActorUri(identifier).href) return;
    // Like Mastodon: being blocked ends follows both ways.
    state.blockedBy.set(entry.actor, { actor: entry.actor, blockId: entry.id, receivedAt: entry.receivedAt });
    state.followers.delete(entry.actor);
    state.following.delete(entry.actor);
  });
  inbox.on(Undo, async (ctx, undo) => {
    const entry = await record(ctx, undo, 'Undo');
    const inner = undone(entry);
    const me = ctx.getActorUri(identifier).href;
    if (entry.actor == null || (inner.object != null && inner.object !== me)) return;
    if (inner.type === 'Follow') state.followers.delete(entry.actor);
    if (inner.type === 'Block') state.blockedBy.delete(entry.actor);
  });
  inbox.on(Follow, async (ctx, follow) => {
    const entry = await record(ctx, follow, 'Follow');
    const me = ctx.getActorUri(identifier);
    if (follow.id == null || follow.actorId == null || follow.objectId?.href !== me.href) return;
    const policy = state.blocks.has(follow.actorId.href) ? 'reject' : followPolicy();
    if (policy === 'ignore') return;
    const follower = await follow.getActor(ctx);
    if (follower == null || follower.id == null || follower.inboxId == null) {
      log(`could not resolve follower ${follow.actorId.href}; not answering ${follow.id.href}`);
      return;
    }
    const followCopy = new Follow({ id: follow.id, actor: follow.actorId, object: follow.objectId });
    const cls = policy === 'accept' ? Accept : Reject;
    const response = new cls({ id: publisher.newActivityId(ctx, cls), actor: me, object: followCopy, to: follower.id });
    if (policy === 'accept') state.followers.set(follower.id.href, follower);
    publisher.storeActivity(response);
    // Queued (outbox queue with quick retries): the Accept is delivered after this inbox request
    // has been answered, like a production server would do it.
    await ctx.sendActivity({ identifier }, follower, response);
    await publisher.recordSent(response, follower);
    entry.answeredWith = response.id.href;
  });
  inbox.on(Activity, async (ctx, activity) => {
    // Catch-all for types without a dedicated listener (Move, Add, Remove, Flag, ...).
    await record(ctx, activity, 'Activity');
  });
  inbox.onError((_ctx, error) => {
    log('inbox listener error:', error);
  });
  inbox.onUnverifiedActivity(async (ctx, activity, reason) => {
    const entry = await recordUnverified(ctx, activity, reason);
    // Delete(actor) whose key is gone (410): the actor deleted itself before we could verify.
    // Mastodon takes that as the deletion; so does the peer, recorded as `verified: false`.
    const gone = reason.type === 'keyFetchError' && reason.result?.status === 410;
    if (gone && entry.type === 'Delete' && entry.actor != null && idOf(entry.raw?.object) === entry.actor) {
      actorDeleted(entry.actor, entry.id, false);
      return new Response(null, { status: 202 });
    }
  });

  async function recordUnverified(ctx, activity, reason) {
    let raw = null;
    try {
      raw = await activity.toJsonLd({ contextLoader: ctx.contextLoader });
    } catch {
      // keep null
    }
    const headers = {};
    for (const name of ['signature', 'signature-input', 'digest', 'content-digest', 'date', 'host']) {
      const v = ctx.request.headers.get(name);
      if (v != null) headers[name] = v;
    }
    const entry = {
      type: typeof raw?.type === 'string' ? raw.type : 'Activity',
      id: activity.id?.href ?? null,
      actor: activity.actorId?.href ?? null,
      reason: { type: reason.type, keyId: reason.keyId?.href ?? null, ...(reason.result ? { result: safeReason(reason.result) } : {}) },
      url: ctx.request.url,
      headers,
      raw,
      receivedAt: new Date().toISOString(),
    };
    state.unverified.push(entry);
    log(`unverified ${entry.type} ${entry.id} from ${entry.actor}: ${reason.type}`);
    return entry;
  }
}

function safeReason(result) {
  try {
    return JSON.parse(JSON.stringify(result, (_k, v) => (v instanceof URL ? v.href : v instanceof Error ? String(v) : v)));
  } catch {
    return String(result);
  }
}
