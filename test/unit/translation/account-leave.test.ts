// An account leaving, and paged collections, as remote servers see them: golden documents.
import { actorTombstone, deleteActorActivity } from '../../../services/activitypub/actor-leave';
import { orderedCollection, orderedCollectionPage } from '../../../services/activitypub/collections';
import { uris } from '../../../services/activitypub/uris';
import { expectGolden } from './golden';

const u = uris('https://gw.example');

test('Delete(Person): actor and object are the actor, addressed to Public', () => {
  expectGolden('delete-person', deleteActorActivity('alice', 'ev9', u));
});

test('the Tombstone a left actor answers with', () => {
  expectGolden('actor-tombstone', actorTombstone('alice', u, '2026-11-01T10:00:20.000Z'));
  expect(actorTombstone('alice', u)).not.toHaveProperty('deleted');
});

test('a paged OrderedCollection and its pages', () => {
  const id = u.followers('alice');
  expectGolden('followers-collection', orderedCollection(id, 2, `${id}?cursor=0`));
  expectGolden('followers-page', orderedCollectionPage(id, `${id}?cursor=0`, ['https://a.example/users/b'], `${id}?cursor=17`, 2));
  expect(orderedCollectionPage(id, `${id}?cursor=17`, [])).not.toHaveProperty('next');
});
