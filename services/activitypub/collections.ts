// Paged OrderedCollections (outbox, followers, following), pure: the route supplies the items
// of one page and where the next one starts.
import { AS } from './contexts';

/** The collection itself: its size and a link to its first page (items are only on pages). */
export function orderedCollection(id: string, totalItems: number, firstPage: string) {
  return { '@context': AS, id, type: 'OrderedCollection', totalItems, first: firstPage };
}

export function orderedCollectionPage<T>(collectionId: string, pageId: string, items: T[], nextPage?: string, totalItems?: number) {
  return {
    '@context': AS,
    id: pageId,
    type: 'OrderedCollectionPage',
    partOf: collectionId,
    ...(totalItems !== undefined ? { totalItems } : {}),
    orderedItems: items,
    ...(nextPage ? { next: nextPage } : {}),
  };
}
