// The part of the jsonld 9 API the gateway uses (@types/jsonld describes 1.x and rejects plain
// JSON contexts, so it is not used).
declare module 'jsonld' {
  export interface RemoteDocument {
    contextUrl?: string;
    documentUrl: string;
    document: unknown;
  }
  export type DocumentLoader = (url: string) => Promise<RemoteDocument>;
  export interface CompactOptions {
    documentLoader?: DocumentLoader;
    /** a context applied before the document's own (ActivityStreams says AS is implied) */
    expandContext?: unknown;
    base?: string | null;
    compactArrays?: boolean;
    compactToRelative?: boolean;
  }
  export interface JsonLdError extends Error {
    details?: { code?: string } & Record<string, unknown>;
  }
  export function compact(input: unknown, ctx: unknown, options?: CompactOptions): Promise<Record<string, unknown>>;
}
