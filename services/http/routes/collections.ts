// An actor's outbox, followers and following as paged OrderedCollections (contract §4).
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { orderedCollection, orderedCollectionPage } from '../../activitypub/collections';
import { noteActivity, noteObject } from '../../activitypub/outbound';
import type { Gateway } from '../../gateway';
import type { StoredAccount } from '../../store/accounts';
import type { FollowerRecord } from '../../store/followers';
import type { FollowingRecord } from '../../store/following';
import { hashPage } from '../../store/hash-page';
import { sendActivityJson } from '../negotiate';
import { sendProblem } from '../problem';

const OUTBOX_PAGE_SIZE = 20;
/** a hint to HSCAN: pages hold about this many actors */
const ACTORS_PAGE_SIZE = 100;

export const OutboxQuerySchema = z.object({ page: z.coerce.number().int().min(1).max(100000).optional() });
export const ActorsQuerySchema = z.object({ cursor: z.string().regex(/^\d{1,20}$/, 'a cursor from a previous page').optional() });

export function collectionsRouter(g: Gateway): Router {
  const router = Router();
  const u = g.uris;

  /** The enabled account a collection belongs to; otherwise answers 404, or 410 once it left. */
  async function owner(req: Request, res: Response): Promise<StoredAccount | undefined> {
    const name = String(req.params.username);
    const stored = await g.accounts.getByUsername(name);
    if (stored?.state === 'enabled') return stored;
    const left = await g.accounts.stateByUsername(name);
    if (left?.state === 'disabled' || left?.state === 'deleted') sendProblem(res, { status: 410, title: 'Gone', detail: 'this account left the fediverse' });
    else sendProblem(res, { status: 404, title: 'Not Found' });
    return undefined;
  }

  function badQuery(res: Response, error: z.ZodError) {
    const issue = error.issues[0]!;
    sendProblem(res, { status: 400, title: 'Bad Request', detail: `${String(issue.path[0])}: ${issue.message}`, errors: error.issues.map((i) => ({ parameter: String(i.path[0]), message: i.message })) });
  }

  router.get('/users/:username/outbox', async (req, res) => {
    const query = OutboxQuerySchema.safeParse(req.query);
    if (!query.success) return badQuery(res, query.error);
    const stored = await owner(req, res);
    if (!stored) return;
    const { id: accountId, username } = stored.account;
    const id = u.outbox(username);
    const total = await g.accountPosts.outboxCount(accountId);
    if (!query.data.page) return sendActivityJson(res, orderedCollection(id, total, `${id}?page=1`));
    const page = query.data.page;
    const postIds = await g.accountPosts.outboxPage(accountId, (page - 1) * OUTBOX_PAGE_SIZE, OUTBOX_PAGE_SIZE);
    const createIds = await g.accountPosts.createActivityIds(accountId, postIds);
    const items = [];
    for (const [i, postId] of postIds.entries()) {
      const post = await g.posts.get(postId);
      // The index follows the post store; re-check so a page never shows what just went private.
      if (post?.state !== 'live' || !post.federated || post.post?.visibility !== 'public') continue;
      const { '@context': _context, ...create } = noteActivity('Create', noteObject(post.post, username, u), postId, u);
      items.push({ ...create, id: createIds[i] ?? `${u.post(postId)}#create` });
    }
    const more = page * OUTBOX_PAGE_SIZE < total;
    sendActivityJson(res, orderedCollectionPage(id, `${id}?page=${page}`, items, more ? `${id}?page=${page + 1}` : undefined, total));
  });

  router.get('/users/:username/followers', async (req, res) => {
    const query = ActorsQuerySchema.safeParse(req.query);
    if (!query.success) return badQuery(res, query.error);
    const stored = await owner(req, res);
    if (!stored) return;
    const id = u.followers(stored.account.username);
    const total = await g.followers.count(stored.account.id);
    if (query.data.cursor === undefined) return sendActivityJson(res, orderedCollection(id, total, `${id}?cursor=0`));
    const page = await hashPage<FollowerRecord>(g.redis, g.keys.followers(stored.account.id), query.data.cursor, ACTORS_PAGE_SIZE);
    const next = page.next ? `${id}?cursor=${page.next}` : undefined;
    sendActivityJson(res, orderedCollectionPage(id, `${id}?cursor=${query.data.cursor}`, page.items.map((r) => r.actor), next, total));
  });

  router.get('/users/:username/following', async (req, res) => {
    const query = ActorsQuerySchema.safeParse(req.query);
    if (!query.success) return badQuery(res, query.error);
    const stored = await owner(req, res);
    if (!stored) return;
    const id = u.following(stored.account.username);
    // Pending follows are not relationships yet. Counting the accepted ones walks the hash:
    // an account follows thousands at most, unlike followers.
    let total = 0;
    for await (const records of g.following.pages(stored.account.id)) total += records.filter((r) => r.state === 'accepted').length;
    if (query.data.cursor === undefined) return sendActivityJson(res, orderedCollection(id, total, `${id}?cursor=0`));
    const page = await hashPage<FollowingRecord>(g.redis, g.keys.following(stored.account.id), query.data.cursor, ACTORS_PAGE_SIZE);
    const next = page.next ? `${id}?cursor=${page.next}` : undefined;
    const items = page.items.filter((r) => r.state === 'accepted').map((r) => r.target);
    sendActivityJson(res, orderedCollectionPage(id, `${id}?cursor=${query.data.cursor}`, items, next, total));
  });

  return router;
}
