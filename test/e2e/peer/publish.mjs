// What the Fedify peer sends on control calls: every activity is built with Fedify's vocab and
// signed and delivered by Fedify itself (`ctx.sendActivity`, `immediate: true` so a delivery
// failure surfaces in the control response).  Followers are reached through Fedify's
// followers dispatcher (`"followers"` recipients).

import { randomUUID } from 'node:crypto';
import { SendActivityError } from '@fedify/fedify';
import {
  Announce,
  Block,
  Create,
  Delete,
  Follow,
  isActor,
  Like,
  Link,
  Mention,
  Note,
  Tombstone,
  Undo,
  Update,
} from '@fedify/vocab';
import { Temporal } from '@js-temporal/polyfill';
import { HttpError } from './control-input.mjs';
import { audienceFor, PUBLIC } from './views.mjs';

/** FEP-e232 media type of a Link tag pointing at an ActivityStreams object. */
const AS_MEDIA_TYPE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

export function describeError(error) {
  if (error instanceof SendActivityError) {
    return { error: error.message, inbox: error.inbox?.href, statusCode: error.statusCode, responseBody: error.responseBody };
  }
  return { error: String(error?.message ?? error) };
}

/**
 * @param {object} deps
 * @param {string} deps.identifier  the peer's actor identifier
 * @param {object} deps.state       the peer's mutable state (see fedify-peer.mjs)
 */
export function createPublisher({ identifier, state }) {
  const sender = { identifier };
  const now = () => Temporal.Now.instant();

  function newActivityId(ctx, cls) {
    return ctx.getObjectUri(cls, { id: randomUUID() });
  }

  function storeActivity(activity) {
    const [, segment, id] = activity.id.pathname.split('/');
    state.activities.set(`${segment}/${id}`, activity);
  }

  async function recordSent(activity, recipient, via) {
    let raw = null;
    try {
      raw = await activity.toJsonLd();
    } catch {
      // keep null
    }
    state.sent.push({
      type: typeof raw?.type === 'string' ? raw.type : activity.constructor.name,
      id: activity.id?.href ?? null,
      to: recipient?.id?.href ?? null,
      inbox: recipient?.inboxId?.href ?? null,
      ...(via ? { via } : {}),
      raw,
      sentAt: new Date().toISOString(),
    });
  }

  async function resolveActor(ctx, target) {
    let actor;
    try {
      actor = await ctx.lookupObject(target);
    } catch (error) {
      throw new HttpError(502, `lookup of ${target} failed: ${error?.message ?? error}`);
    }
    if (actor == null) throw new HttpError(404, `could not resolve ${target} (WebFinger/dereference returned nothing)`);
    if (!isActor(actor)) throw new HttpError(422, `${target} is not an actor`);
    if (actor.id == null || actor.inboxId == null) throw new HttpError(422, `${target} has no id or inbox`);
    return actor;
  }

  async function resolveActors(ctx, targets) {
    const actors = [];
    for (const t of targets) actors.push(await resolveActor(ctx, t));
    return actors;
  }

  /** The author of a remote object (dereferenced with a signed GET), or `explicit` if given. */
  async function resolveAuthor(ctx, objectUri, explicit) {
    if (explicit != null) return await resolveActor(ctx, explicit);
    let object;
    try {
      object = await ctx.lookupObject(objectUri, { documentLoader: await ctx.getDocumentLoader(sender) });
    } catch (error) {
      throw new HttpError(502, `fetching ${objectUri.href} failed: ${error?.message ?? error}`);
    }
    const author = object?.attributionId;
    if (author == null) throw new HttpError(422, `${objectUri.href} could not be fetched or names no attributedTo (pass its author explicitly)`);
    return await resolveActor(ctx, author.href);
  }

  async function sendTo(ctx, recipients, activity, via) {
    if (recipients === 'followers' ? state.followers.size === 0 : recipients.length === 0) return [];
    const snapshot = recipients === 'followers' ? [...state.followers.values()] : recipients;
    try {
      await ctx.sendActivity(sender, recipients, activity, { immediate: true });
    } catch (error) {
      const info = describeError(error);
      throw new HttpError(502, `delivery of ${activity.id?.href} failed: ${info.error}`, info);
    }
    for (const r of snapshot) await recordSent(activity, r, via);
    return snapshot.map((r) => r.inboxId.href);
  }

  /**
   * Delivers to the followers (unless `followers: false`) and to `recipients` (Fedify actors or
   * `{ id, inboxId }` records), each inbox once.  Returns the inbox URLs delivered to.
   */
  async function deliver(ctx, activity, { followers = false, recipients = [] }) {
    storeActivity(activity);
    const delivered = followers ? await sendTo(ctx, 'followers', activity, 'followers') : [];
    const seen = new Set(delivered);
    const rest = [];
    for (const r of recipients) {
      if (seen.has(r.inboxId.href)) continue;
      seen.add(r.inboxId.href);
      rest.push(r);
    }
    return [...delivered, ...(await sendTo(ctx, rest, activity))];
  }

  function ownNote(noteId) {
    const url = noteId instanceof URL ? noteId : new URL(noteId);
    const localId = url.pathname.startsWith('/notes/') ? url.pathname.slice('/notes/'.length) : null;
    const entry = localId == null ? undefined : state.notes.get(localId);
    if (entry == null) throw new HttpError(404, `${url.href} is not a note this peer posted`);
    if (entry.deleted) throw new HttpError(409, `${url.href} was deleted`);
    return entry;
  }

  function mentionOf(actor) {
    return new Mention({ href: actor.id, name: actor.preferredUsername ? `@${actor.preferredUsername}@${actor.id.host}` : actor.id.href });
  }

  /**
   * Create(Note).  `to`: actors addressed by name (and mentioned); `mentions`: actors mentioned
   * (cc, or to when direct); `quote`: URI of a quoted post, whose author is cc'd and told.
   */
  async function createNote(ctx, { content, inReplyTo, to = [], mentions = [], visibility = 'public', quote, quoteAuthor }) {
    const me = ctx.getActorUri(identifier);
    const direct = await resolveActors(ctx, to);
    const mentioned = await resolveActors(ctx, mentions);
    const quoted = quote == null ? null : await resolveAuthor(ctx, quote, quoteAuthor);
    const { to: toUris, cc: ccUris } = audienceFor(visibility, {
      followersUri: ctx.getFollowersUri(identifier).href,
      direct: direct.map((a) => a.id.href),
      mentioned: mentioned.map((a) => a.id.href),
      extraCc: quoted == null ? [] : [quoted.id.href],
    });
    const localId = randomUUID();
    const noteId = ctx.getObjectUri(Note, { id: localId });
    const published = now();
    const tags = [...direct, ...mentioned].filter((a, i, all) => all.findIndex((b) => b.id.href === a.id.href) === i).map(mentionOf);
    if (quote != null) tags.push(new Link({ href: quote, mediaType: AS_MEDIA_TYPE, name: `RE: ${quote.href}` }));
    const note = new Note({
      id: noteId,
      attribution: me,
      content,
      replyTarget: inReplyTo ?? null,
      published,
      url: noteId,
      tos: toUris.map((u) => new URL(u)),
      ccs: ccUris.map((u) => new URL(u)),
      tags,
      // Fedify writes `quoteUrl` as quoteUrl + _misskey_quote + quoteUri (compat), `quote` as FEP-044f.
      ...(quote == null ? {} : { quote, quoteUrl: quote }),
    });
    const recipients = [...direct, ...mentioned, ...(quoted == null ? [] : [quoted])];
    const entry = { localId, note, visibility, recipients, deleted: false };
    state.notes.set(localId, entry);
    const create = new Create({ id: newActivityId(ctx, Create), actor: me, object: note, published, tos: note.toIds, ccs: note.ccIds });
    const deliveredTo = await deliver(ctx, create, { followers: visibility !== 'direct', recipients });
    return { noteId: noteId.href, activityId: create.id.href, visibility, to: toUris, cc: ccUris, deliveredTo };
  }

  /** Update(Note): new content, `updated` set, same audience as the original. */
  async function updateNote(ctx, { noteId, content }) {
    const entry = ownNote(noteId);
    const me = ctx.getActorUri(identifier);
    const updated = now();
    entry.note = entry.note.clone({ content, updated });
    const update = new Update({ id: newActivityId(ctx, Update), actor: me, object: entry.note, published: updated, tos: entry.note.toIds, ccs: entry.note.ccIds });
    const deliveredTo = await deliver(ctx, update, { followers: entry.visibility !== 'direct', recipients: entry.recipients });
    return { noteId: entry.note.id.href, activityId: update.id.href, updated: updated.toString(), deliveredTo };
  }

  /** Delete(Tombstone) to the note's audience; the note then answers 410 Gone. */
  async function deleteNote(ctx, { noteId }) {
    const entry = ownNote(noteId);
    const me = ctx.getActorUri(identifier);
    const del = new Delete({
      id: newActivityId(ctx, Delete),
      actor: me,
      object: new Tombstone({ id: entry.note.id, deleted: now() }),
      tos: entry.note.toIds,
      ccs: entry.note.ccIds,
    });
    entry.deleted = true;
    const deliveredTo = await deliver(ctx, del, { followers: entry.visibility !== 'direct', recipients: entry.recipients });
    return { noteId: entry.note.id.href, activityId: del.id.href, deliveredTo };
  }

  /** Announce(object) to Public, cc followers + the object's author; delivered to both. */
  async function announce(ctx, { object, author, to = [] }) {
    const me = ctx.getActorUri(identifier);
    const authorActor = await resolveAuthor(ctx, object, author);
    const extra = await resolveActors(ctx, to);
    const announceActivity = new Announce({
      id: newActivityId(ctx, Announce),
      actor: me,
      object,
      published: now(),
      tos: [new URL(PUBLIC)],
      ccs: [ctx.getFollowersUri(identifier), authorActor.id, ...extra.map((a) => a.id)],
    });
    const recipients = [authorActor, ...extra];
    state.announces.set(announceActivity.id.href, { announce: announceActivity, recipients, undone: false });
    const deliveredTo = await deliver(ctx, announceActivity, { followers: true, recipients });
    return { activityId: announceActivity.id.href, object: object.href, author: authorActor.id.href, deliveredTo };
  }

  async function unannounce(ctx, { activityId }) {
    const known = state.announces.get(activityId.href);
    if (known == null) throw new HttpError(404, `${activityId.href} is not an Announce this peer sent`);
    const me = ctx.getActorUri(identifier);
    const a = known.announce;
    const undo = new Undo({ id: newActivityId(ctx, Undo), actor: me, object: a, tos: a.toIds, ccs: a.ccIds });
    known.undone = true;
    const deliveredTo = await deliver(ctx, undo, { followers: true, recipients: known.recipients });
    return { activityId: undo.id.href, undoId: undo.id.href, announceId: a.id.href, deliveredTo };
  }

  /** Block(actor), sent to that actor only; like Mastodon, ends follows both ways locally. */
  async function block(ctx, { target }) {
    const me = ctx.getActorUri(identifier);
    const actor = await resolveActor(ctx, target);
    const blockActivity = new Block({ id: newActivityId(ctx, Block), actor: me, object: actor.id, to: actor.id });
    state.blocks.set(actor.id.href, { blockId: blockActivity.id.href, actor });
    state.followers.delete(actor.id.href);
    state.following.delete(actor.id.href);
    await deliver(ctx, blockActivity, { recipients: [actor] });
    return { activityId: blockActivity.id.href, target: actor.id.href, inbox: actor.inboxId.href };
  }

  async function unblock(ctx, { target, blockId }) {
    const me = ctx.getActorUri(identifier);
    const actor = await resolveActor(ctx, target);
    const id = blockId ?? (state.blocks.has(actor.id.href) ? new URL(state.blocks.get(actor.id.href).blockId) : null);
    if (id == null) throw new HttpError(409, `not blocking ${actor.id.href} (and no blockId given)`);
    const undo = new Undo({
      id: newActivityId(ctx, Undo),
      actor: me,
      object: new Block({ id, actor: me, object: actor.id }),
      to: actor.id,
    });
    await deliver(ctx, undo, { recipients: [actor] });
    state.blocks.delete(actor.id.href);
    return { activityId: undo.id.href, undoId: undo.id.href, blockId: id.href, target: actor.id.href };
  }

  /**
   * Delete(actor) to followers, the given actors and inboxes; then the actor (and WebFinger)
   * answer 410 Gone.  Sent before the flip, so receivers can still fetch the signing key,
   * unless `goneFirst`: then the actor is gone when the Delete arrives (its key answers 410).
   */
  async function deleteSelf(ctx, { to = [], inboxes = [], goneFirst = false }) {
    const me = ctx.getActorUri(identifier);
    const actors = await resolveActors(ctx, to);
    const del = new Delete({
      id: newActivityId(ctx, Delete),
      actor: me,
      object: me,
      tos: [new URL(PUBLIC)],
      ccs: [ctx.getFollowersUri(identifier)],
    });
    const recipients = [...actors, ...inboxes.map((inboxId) => ({ id: inboxId, inboxId }))];
    const gone = { activityId: del.id.href, deletedAt: new Date().toISOString() };
    if (goneFirst) state.selfDeleted = gone;
    const deliveredTo = await deliver(ctx, del, { followers: true, recipients });
    state.selfDeleted = gone;
    return { activityId: del.id.href, actor: me.href, deliveredTo };
  }

  async function follow(ctx, { target }) {
    const me = ctx.getActorUri(identifier);
    const actor = await resolveActor(ctx, target);
    const f = new Follow({ id: newActivityId(ctx, Follow), actor: me, object: actor.id, to: actor.id });
    state.following.set(actor.id.href, { target: actor.id.href, followId: f.id.href, inbox: actor.inboxId.href, state: 'pending' });
    await deliver(ctx, f, { recipients: [actor] });
    return { followId: f.id.href, target: actor.id.href, inbox: actor.inboxId.href };
  }

  async function unfollow(ctx, { target, followId }) {
    const me = ctx.getActorUri(identifier);
    const actor = await resolveActor(ctx, target);
    const known = state.following.get(actor.id.href);
    const id = followId ?? (known ? new URL(known.followId) : null);
    if (id == null) throw new HttpError(409, `not following ${actor.id.href} (and no followId given)`);
    const undo = new Undo({ id: newActivityId(ctx, Undo), actor: me, object: new Follow({ id, actor: me, object: actor.id }), to: actor.id });
    await deliver(ctx, undo, { recipients: [actor] });
    state.following.delete(actor.id.href);
    return { undoId: undo.id.href, activityId: undo.id.href, followId: id.href, target: actor.id.href };
  }

  async function like(ctx, { object, to }) {
    const me = ctx.getActorUri(identifier);
    const actor = await resolveActor(ctx, to);
    const l = new Like({ id: newActivityId(ctx, Like), actor: me, object, to: actor.id });
    await deliver(ctx, l, { recipients: [actor] });
    return { activityId: l.id.href };
  }

  async function unlike(ctx, { activityId, object, to }) {
    const me = ctx.getActorUri(identifier);
    const actor = await resolveActor(ctx, to);
    const undo = new Undo({ id: newActivityId(ctx, Undo), actor: me, object: new Like({ id: activityId, actor: me, object }), to: actor.id });
    await deliver(ctx, undo, { recipients: [actor] });
    return { activityId: undo.id.href, undoId: undo.id.href };
  }

  return {
    newActivityId,
    storeActivity,
    recordSent,
    resolveActor,
    deliver,
    follow,
    unfollow,
    like,
    unlike,
    createNote,
    updateNote,
    deleteNote,
    announce,
    unannounce,
    block,
    unblock,
    deleteSelf,
  };
}
