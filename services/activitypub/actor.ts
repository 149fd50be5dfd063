// Platform account → ActivityStreams Person; and the instance actor that signs fetches and reports.
import type { Account, Media } from '../platform/event-schemas';
import { ACTOR_CONTEXT } from './contexts';
import { renderText } from './render';
import type { Uris } from './uris';

const image = (m: Media | undefined) =>
  m ? { type: 'Image', mediaType: m.mediaType, url: m.url, ...(m.alt ? { name: m.alt } : {}) } : undefined;

export function actorDocument(account: Account, publicKeyPem: string, u: Uris) {
  const id = u.actor(account.username);
  const icon = image(account.avatar);
  const header = image(account.header);
  return {
    '@context': ACTOR_CONTEXT,
    id,
    type: 'Person',
    preferredUsername: account.username,
    name: account.displayName,
    summary: renderText(account.summary, u).html,
    url: account.profileUrl,
    inbox: u.inbox(account.username),
    outbox: u.outbox(account.username),
    followers: u.followers(account.username),
    following: u.following(account.username),
    endpoints: { sharedInbox: u.sharedInbox },
    manuallyApprovesFollowers: account.manuallyApprovesFollowers,
    discoverable: account.discoverable,
    indexable: account.indexable,
    published: new Date(account.createdAt).toISOString(),
    ...(icon ? { icon } : {}),
    ...(header ? { image: header } : {}),
    attachment: (account.fields ?? []).map((f) => ({
      type: 'PropertyValue',
      name: f.name,
      value: renderText(f.value, u).html.replace(/^<p>|<\/p>$/g, ''),
    })),
    publicKey: { id: u.key(account.username), owner: id, publicKeyPem },
  };
}

export type ActorDocument = ReturnType<typeof actorDocument>;

export function instanceActorDocument(publicKeyPem: string, handleDomain: string, u: Uris) {
  return {
    '@context': ACTOR_CONTEXT,
    id: u.instanceActor,
    type: 'Application',
    preferredUsername: handleDomain,
    name: handleDomain,
    inbox: u.instanceInbox,
    outbox: `${u.instanceActor}/outbox`,
    endpoints: { sharedInbox: u.sharedInbox },
    manuallyApprovesFollowers: true,
    url: `${u.origin}/`,
    publicKey: { id: u.instanceKey, owner: u.instanceActor, publicKeyPem },
  };
}
