// Authenticates an inbox POST before it is answered: a valid draft-cavage or RFC 9421 signature
// (the headers present decide which) whose key belongs to the activity's actor. Failures are
// values with the reason sent back in the 401.
import { createHash } from 'node:crypto';
import { type JsonObject, firstId, idOf, isObject, sameOrigin } from '../activitypub/as-read';
import { translateActorLifecycle } from '../activitypub/inbound-interactions';
import type { Gateway } from '../gateway';
import { parseJson } from '../http/raw-body';
import { claimedKeyIds } from './claimed-key-ids';
import { verifySignedRequest } from './verify-signed-request';
import { type InboxReplayKey, inboxReplayKey } from './replay-key';

export type InboxAuth =
  | { ok: true; activity: JsonObject; activityId: string; signer: string; replayKey: InboxReplayKey; unverifiedGoneActor?: true }
  | { ok: false; status: 400 | 401 | 403; reason: string; detail?: string };

export interface RawInboxRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export async function authenticateInbox(g: Gateway, req: RawInboxRequest): Promise<InboxAuth> {
  // Nesting past the limit is refused before parsing: queueing it would overflow the stack.
  const json = parseJson(req.body);
  if (!json.ok) return { ok: false, status: 400, reason: json.reason === 'empty_body' ? 'malformed_json' : json.reason, detail: json.detail };
  const activity = json.value;
  if (!isObject(activity)) return { ok: false, status: 400, reason: 'not_an_object' };
  const actor = firstId(activity.actor);
  if (!actor) return { ok: false, status: 400, reason: 'missing_actor' };

  // The signature covers Host: it must name us, or a request signed for another server could be replayed here.
  const host = typeof req.headers.host === 'string' ? req.headers.host.toLowerCase() : undefined;
  if (host !== new URL(g.config.publicOrigin).host) return { ok: false, status: 401, reason: 'wrong_host', detail: `signed for ${host ?? 'no host'}` };

  // --- moderation: a blocked domain is refused before any key is fetched from it ---
  const domainBlock = await blockedSender(g, actor, req.headers);
  if (domainBlock) return { ok: false, status: 403, reason: 'domain_blocked', detail: `domain ${domainBlock} is blocked` };

  const { verified, owner } = await verifySignedRequest(g, req);
  // A deleted actor's key is gone with it, so its own Delete cannot be verified: it is queued
  // marked unverified and applied only once the actor's URI is seen to answer 410 (as Mastodon does).
  if (!verified.ok && verified.reason === 'unknown_key' && isSelfDelete(activity, actor) && sameOrigin(verified.detail ?? '', actor)) {
    // Its replay key is the actor's alone (replay-key.ts): an unverifiable copy cannot pre-empt
    // the actor's own signed Delete, and repeated copies are queued once.
    const unverified = { activityId: idOf(activity) ?? bytesId(req.body), signer: actor, unverifiedGoneActor: true as const };
    return { ok: true, activity, ...unverified, replayKey: inboxReplayKey(unverified) };
  }
  if (!verified.ok) return { ok: false, status: 401, reason: verified.reason, ...(verified.detail ? { detail: verified.detail } : {}) };
  if (owner !== actor) return { ok: false, status: 401, reason: 'key_not_owned_by_actor', detail: `key of ${owner} signed an activity of ${actor}` };

  // An actor names only its own server's activities: a foreign id is refused here, before it is
  // deduplicated or queued, so it cannot take the replay key of that server's activity.
  const ownId = idOf(activity);
  if (ownId !== undefined && !sameOrigin(ownId, owner)) return { ok: false, status: 401, reason: 'id_origin_mismatch', detail: `activity id ${ownId} is not on the server of ${owner}` };
  // Activities without an id (some servers' Deletes) are deduplicated by their bytes.
  const signed = { activityId: ownId ?? bytesId(req.body), signer: owner };
  return { ok: true, activity, ...signed, replayKey: inboxReplayKey(signed) };
}

/** The block covering the actor's or the signing key's host (keyId of draft-cavage or RFC 9421), if any. */
async function blockedSender(g: Gateway, actor: string, headers: RawInboxRequest['headers']): Promise<string | undefined> {
  for (const url of [actor, ...claimedKeyIds(headers)]) {
    const block = await g.domainBlocks.blockOfUrl(url);
    if (block) return block;
  }
  return undefined;
}

const bytesId = (body: Buffer) => `urn:sha256:${createHash('sha256').update(body).digest('hex')}`;

const isSelfDelete = (activity: JsonObject, actor: string) => {
  const r = translateActorLifecycle('Delete', activity, actor);
  return activity.type === 'Delete' && r?.ok === true && r.command.kind === 'actor-delete';
};
