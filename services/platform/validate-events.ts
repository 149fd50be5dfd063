// Validates a request body (one event or {events: [...]}) into events or a list of field problems.
import { EventSchema, MAX_BATCH, type PlatformEvent } from './event-schemas';

export interface FieldProblem {
  /** JSON pointer into the request body, e.g. /events/2/data/post/visibility */
  pointer: string;
  message: string;
  /** id of the event the field belongs to, when it had a string id */
  eventId?: string;
}

export type BatchValidation =
  | { ok: true; events: PlatformEvent[] }
  | { ok: false; problems: FieldProblem[] };

const escapePointer = (s: string | number) => String(s).replace(/~/g, '~0').replace(/\//g, '~1');
export const toPointer = (path: ReadonlyArray<PropertyKey>) =>
  path.map((p) => '/' + escapePointer(typeof p === 'symbol' ? String(p) : p)).join('');

function validateOne(raw: unknown, base: (string | number)[]): { event?: PlatformEvent; problems: FieldProblem[] } {
  const parsed = EventSchema.safeParse(raw);
  if (parsed.success) return { event: parsed.data, problems: [] };
  const eventId = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : undefined;
  return {
    problems: parsed.error.issues.map((issue) => ({
      pointer: toPointer([...base, ...issue.path]),
      message: issue.message,
      ...(eventId !== undefined ? { eventId } : {}),
    })),
  };
}

export function validateEventBody(body: unknown): BatchValidation {
  const isBatch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'events' in body;
  if (!isBatch) {
    const { event, problems } = validateOne(body, []);
    return event ? { ok: true, events: [event] } : { ok: false, problems };
  }
  const list = (body as { events: unknown }).events;
  if (!Array.isArray(list) || list.length === 0) {
    return { ok: false, problems: [{ pointer: '/events', message: 'must be a non-empty array' }] };
  }
  if (list.length > MAX_BATCH) {
    return { ok: false, problems: [{ pointer: '/events', message: `at most ${MAX_BATCH} events per batch` }] };
  }
  const events: PlatformEvent[] = [];
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  list.forEach((raw, i) => {
    const r = validateOne(raw, ['events', i]);
    problems.push(...r.problems);
    if (!r.event) return;
    // A batch naming one id twice is ambiguous: which one is the event?
    if (seen.has(r.event.id)) {
      problems.push({ pointer: `/events/${i}/id`, message: 'repeats an earlier id in this batch', eventId: r.event.id });
    }
    seen.add(r.event.id);
    events.push(r.event);
  });
  return problems.length ? { ok: false, problems } : { ok: true, events };
}
