// structured-headers (RFC 8941/9651, the parser http-message-signatures uses) ships its CommonJS
// types as cjs/index.d.cts behind an `exports` map, which moduleResolution "node" cannot see:
// the types are taken from that file and the code from the package's own `require` entry.
import type * as StructuredHeaders from 'structured-headers/cjs/index.cjs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sf = require('structured-headers') as typeof StructuredHeaders;

export const { parseDictionary, serializeItem, serializeList, isInnerList } = sf;
export type { Dictionary, InnerList, Item } from 'structured-headers/cjs/index.cjs';
