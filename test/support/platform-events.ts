// Builds and POSTs signed platform events, as the platform's backend would.
import { type Dispatcher, fetch } from 'undici';
import { signPayload } from '../../services/platform/hmac';
import { TEST_SECRETS } from './test-config';

let seq = 0;
export const eventId = (label: string) => `${label}-${Date.now().toString(36)}-${++seq}`;

export function accountData(id: string, username: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    username,
    displayName: `${username} display`,
    summary: `Hello, I am ${username} #intro`,
    profileUrl: `https://platform.example/@${username}`,
    manuallyApprovesFollowers: false,
    discoverable: true,
    indexable: true,
    createdAt: '2026-01-02T03:04:05Z',
    ...extra,
  };
}

export function postData(id: string, accountId: string, extra: Record<string, unknown> = {}) {
  return { id, accountId, createdAt: '2026-11-01T10:00:00Z', text: `post ${id} #tag https://example.com/x`, visibility: 'public', ...extra };
}

export const at = (secondsFromBase: number) => new Date(Date.UTC(2026, 10, 1, 10, 0, secondsFromBase)).toISOString();

export function sendEvents(baseUrl: string, body: unknown, opts: { secret?: string; t?: number; raw?: string; dispatcher?: Dispatcher } = {}) {
  const raw = opts.raw ?? JSON.stringify(body);
  return fetch(`${baseUrl}/platform/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': signPayload(opts.secret ?? TEST_SECRETS.PLATFORM_WEBHOOK_SECRET, raw, opts.t) },
    body: raw,
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
  });
}
