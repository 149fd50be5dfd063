// Inbound ActivityPub JSON → the standard compact form the gateway reads, or a named refusal.
// Documents already in that form (most traffic) pass as they are; the rest are compacted by
// jsonld against the standard context, with every remote context served from the preloaded
// copies (unknown ones read as empty) and nothing fetched.
import * as jsonld from 'jsonld';
import type { Json, JsonObject } from '../as-read';
import { isObject } from '../as-read';
import { offlineDocumentLoader } from './document-loader';
import { type ShapeRefusal, inspectDocument } from './document-shape';
import { compactionContextFor } from './compaction-context';
import { hasStandardContext } from './fast-path';
import { plainCompact } from './plain-compact';
import { AS_CONTEXT_URL } from './preloaded-contexts';

export type NormalizeRefusal = ShapeRefusal | 'not_an_object' | 'jsonld_too_large' | 'jsonld_invalid' | 'jsonld_not_one_object';

/**
 * jsonld costs about a second per megabyte of document: past this many values (twenty times
 * the largest real activity in the fixture corpus) a document is refused rather than compacted.
 */
export const MAX_JSONLD_NODES = 10_000;

export type NormalizeResult =
  | { ok: true; doc: JsonObject; path: 'fast' | 'jsonld'; /** remote contexts read as empty */ unknownContexts: string[] }
  | { ok: false; reason: NormalizeRefusal; detail: string };

export interface NormalizeOptions {
  /** compact with jsonld even when the document is already standard (benchmarks, equivalence tests) */
  forceJsonld?: boolean;
}

const refuse = (reason: NormalizeRefusal, detail: string): NormalizeResult => ({ ok: false, reason, detail });

export async function normalizeActivity(doc: unknown, opts: NormalizeOptions = {}): Promise<NormalizeResult> {
  if (!isObject(doc as Json)) return refuse('not_an_object', `a ${Array.isArray(doc) ? 'array' : typeof doc}, not a JSON object`);
  const activity = doc as JsonObject;
  const shape = inspectDocument(activity);
  if (!shape.ok) return refuse(shape.reason, shape.detail);
  if (!opts.forceJsonld && !shape.keywordKeys && [activity['@context'], ...shape.embeddedContexts].every(hasStandardContext)) {
    return { ok: true, doc: activity, path: 'fast', unknownContexts: [] };
  }
  if (shape.nodes > MAX_JSONLD_NODES) return refuse('jsonld_too_large', `${shape.nodes} values need JSON-LD processing (at most ${MAX_JSONLD_NODES})`);
  const unknownContexts = new Set<string>();
  let compacted: Record<string, unknown>;
  try {
    compacted = await jsonld.compact(withoutDefaultLanguage(activity), compactionContextFor(activity['@context']), {
      documentLoader: offlineDocumentLoader(unknownContexts),
      // ActivityStreams: a document without the AS context is read as if it had it.
      expandContext: { '@context': AS_CONTEXT_URL },
    });
  } catch (err) {
    return refuse('jsonld_invalid', describeError(err));
  }
  if ('@graph' in compacted) return refuse('jsonld_not_one_object', 'the document holds several top-level objects');
  // The context it was compacted against says what its keys mean.
  const normalized = { '@context': compacted['@context'] as Json, ...(plainCompact(compacted as JsonObject) as JsonObject) };
  return { ok: true, doc: normalized, path: 'jsonld', unknownContexts: [...unknownContexts] };
}

/**
 * A copy without the default language of its contexts (Pleroma sends `{"@language": "und"}`):
 * with it, every string would come out as a language map (`contentMap`, `nameMap`) instead of
 * the `content` and `name` it was written as.
 */
function withoutDefaultLanguage(doc: JsonObject): JsonObject {
  const strip = (ctx: Json): Json => {
    if (Array.isArray(ctx)) return ctx.map(strip);
    if (!isObject(ctx)) return ctx;
    return Object.fromEntries(Object.entries(ctx).filter(([k]) => k !== '@language' && k !== '@direction').map(([k, v]) => [k, strip(v)]));
  };
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isObject(v)) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === '@context' ? strip(x) : walk(x)]));
  };
  return walk(doc) as JsonObject;
}

function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string; details?: { code?: string } };
  const text = `${e.details?.code ?? e.name ?? 'error'}: ${e.message ?? String(err)}`;
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
