// The Fedify peer's control API (JSON in/out, loopback clients only): what the test drives the
// peer with.  Each operation is documented on FedifyPeer in test/e2e/support/fedify-peer.ts.

import { MemoryKvStore } from '@fedify/fedify';
import {
  HttpError,
  oneOf,
  optionalString,
  optionalUrl,
  requireString,
  requireUrl,
  stringList,
  urlList,
} from './control-input.mjs';
import { seenNotes, VISIBILITIES } from './views.mjs';

export const FOLLOW_POLICIES = ['accept', 'reject', 'ignore'];

/**
 * @param {object} deps
 * @param {import('@fedify/fedify').Federation} deps.federation
 * @param {string} deps.identifier
 * @param {object} deps.state
 * @param {object} deps.publisher
 * @param {() => object} deps.info       static facts for GET /control/info
 * @param {object} deps.settings         { followPolicy } (mutable)
 * @param {(kv: MemoryKvStore) => void} deps.replaceKv
 */
export function createControl({ federation, identifier, state, publisher, info, settings, replaceKv }) {
  const p = publisher;

  /** Operations that act as the peer's actor are refused once it deleted itself. */
  function requireAlive() {
    if (state.selfDeleted != null) throw new HttpError(409, 'the peer deleted its actor (deleteSelf)');
  }

  return async function handleControl(method, path, body, origin) {
    const ctx = federation.createContext(new URL(origin), undefined);
    const me = ctx.getActorUri(identifier);
    const route = `${method} ${path}`;
    if (method === 'POST' && !['POST /control/reset', 'POST /control/follow-policy'].includes(route)) requireAlive();

    switch (route) {
      case 'GET /control/info':
      case 'GET /control/health':
        return {
          ready: true,
          ...info(),
          actor: me.href,
          inbox: ctx.getInboxUri(identifier).href,
          sharedInbox: ctx.getInboxUri().href,
          followers: ctx.getFollowersUri(identifier).href,
          keyIds: (await ctx.getActorKeyPairs(identifier)).map((k) => k.keyId.href),
          followPolicy: settings.followPolicy,
        };

      case 'POST /control/follow':
        return await p.follow(ctx, { target: requireString(body, 'target') });

      case 'POST /control/unfollow':
        return await p.unfollow(ctx, { target: requireString(body, 'target'), followId: optionalUrl(body, 'followId') });

      case 'POST /control/reply':
        return await p.createNote(ctx, {
          content: requireString(body, 'content'),
          inReplyTo: requireUrl(body, 'inReplyTo'),
          to: [requireString(body, 'to')],
          visibility: oneOf(body, 'visibility', VISIBILITIES, 'public'),
        });

      case 'POST /control/post':
        return await p.createNote(ctx, {
          content: requireString(body, 'content'),
          inReplyTo: optionalUrl(body, 'inReplyTo'),
          to: stringList(body, 'to'),
          mentions: stringList(body, 'mentions'),
          visibility: oneOf(body, 'visibility', VISIBILITIES, 'public'),
          quote: optionalUrl(body, 'quote'),
          quoteAuthor: optionalString(body, 'quoteAuthor'),
        });

      case 'POST /control/update':
        return await p.updateNote(ctx, { noteId: requireUrl(body, 'noteId'), content: requireString(body, 'content') });

      case 'POST /control/delete':
        return await p.deleteNote(ctx, { noteId: requireUrl(body, 'noteId') });

      case 'POST /control/announce':
        return await p.announce(ctx, {
          object: requireUrl(body, 'object'),
          author: optionalString(body, 'author'),
          to: stringList(body, 'to'),
        });

      case 'POST /control/unannounce':
        return await p.unannounce(ctx, { activityId: requireUrl(body, 'activityId') });

      case 'POST /control/block':
        return await p.block(ctx, { target: requireString(body, 'target') });

      case 'POST /control/unblock':
        return await p.unblock(ctx, { target: requireString(body, 'target'), blockId: optionalUrl(body, 'blockId') });

      case 'POST /control/delete-self':
        return await p.deleteSelf(ctx, {
          to: stringList(body, 'to'),
          inboxes: urlList(body, 'inboxes'),
          goneFirst: oneOf(body, 'goneFirst', [true, false], false),
        });

      case 'POST /control/like':
        return await p.like(ctx, { object: requireUrl(body, 'object'), to: requireString(body, 'to') });

      case 'POST /control/unlike':
        return await p.unlike(ctx, { activityId: requireUrl(body, 'activityId'), object: requireUrl(body, 'object'), to: requireString(body, 'to') });

      case 'GET /control/received':
        return state.received;

      case 'GET /control/unverified':
        return state.unverified;

      case 'GET /control/sent':
        return state.sent;

      case 'GET /control/seen':
        return seenNotes(state.received);

      case 'GET /control/state':
        return {
          followers: [...state.followers.keys()],
          following: [...state.following.values()].map(({ target, followId, inbox, state: s }) => ({ target, followId, inbox, state: s })),
          notes: [...state.notes.values()].filter((n) => !n.deleted).map((n) => n.note.id.href),
          ownNotes: [...state.notes.values()].map((n) => ({ id: n.note.id.href, visibility: n.visibility, deleted: n.deleted, updated: n.note.updated?.toString() ?? null })),
          announces: [...state.announces.values()].map((a) => ({ id: a.announce.id.href, object: a.announce.objectId.href, undone: a.undone })),
          blocks: [...state.blocks.entries()].map(([target, b]) => ({ target, blockId: b.blockId })),
          blockedBy: [...state.blockedBy.values()],
          deletedActors: [...state.deletedActors.values()],
          selfDeleted: state.selfDeleted,
          followPolicy: settings.followPolicy,
        };

      case 'POST /control/follow-policy': {
        settings.followPolicy = oneOf(body, 'policy', FOLLOW_POLICIES);
        return { followPolicy: settings.followPolicy };
      }

      case 'POST /control/reset': {
        state.received = [];
        state.unverified = [];
        state.sent = [];
        // Forget cached remote documents/keys, remembered signature specs and idempotence keys.
        if (body?.cache === true) replaceKv(new MemoryKvStore());
        return { ok: true };
      }

      default:
        throw new HttpError(404, `unknown control endpoint ${method} ${path}`);
    }
  };
}
