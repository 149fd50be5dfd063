// The platform's callback endpoint, for tests: verifies X-Signature and records each callback.
// Every callback is checked against the contract's schemas: close() (every test file's
// afterAll) fails the file when one did not match, so all tests enforce the schemas.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkCallback } from '../../services/platform/callback-schemas';
import { verifyPayloadSignature } from '../../services/platform/hmac';

export interface SinkCallback {
  id: string;
  type: string;
  occurredAt: string;
  data: Record<string, any>;
}

export interface PlatformSink {
  url: string;
  callbacks: SinkCallback[];
  /** statuses answered before accepting (e.g. [503, 503] = down twice) */
  failures: number[];
  badSignatures: number;
  /** callback id of every POST, failed ones included: the id must be stable across retries */
  attempts: string[];
  /** accepted callbacks that do not match the contract's schema (services/platform/callback-schemas.ts) */
  schemaErrors: number;
  /** what was wrong with each, for the failure message */
  schemaProblems: Array<{ id: string; type: string; problems: string[] }>;
  /** stops the server; rejects listing the callbacks that broke the schemas, if any */
  close(): Promise<void>;
}

/** Callbacks the gateway sent that services/platform/callback-schemas.ts does not describe. */
export class SchemaBreachError extends Error {
  constructor(readonly problems: PlatformSink['schemaProblems']) {
    super(`${problems.length} callback(s) broke the callback schemas:\n${problems.map((p) => `  ${p.type} ${p.id}: ${p.problems.join('; ')}`).join('\n')}`);
  }
}

export async function startPlatformSink(secret: string): Promise<PlatformSink> {
  const sink: Omit<PlatformSink, 'url' | 'close'> = { callbacks: [], failures: [], badSignatures: 0, attempts: [], schemaErrors: 0, schemaProblems: [] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      try {
        sink.attempts.push((JSON.parse(body.toString('utf8')) as { id: string }).id);
      } catch {
        sink.attempts.push('<not json>');
      }
      const failWith = sink.failures.shift();
      if (failWith) {
        res.writeHead(failWith);
        return res.end();
      }
      if (!verifyPayloadSignature(secret, req.headers['x-signature'] as string | undefined, body).ok) {
        sink.badSignatures++;
        res.writeHead(401);
        return res.end();
      }
      const callback = JSON.parse(body.toString('utf8')) as SinkCallback;
      const checked = checkCallback(callback);
      if (!checked.ok) {
        sink.schemaErrors++;
        sink.schemaProblems.push({ id: callback.id, type: callback.type, problems: checked.problems });
      }
      sink.callbacks.push(callback);
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(sink, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`,
    async close() {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      if (sink.schemaProblems.length) throw new SchemaBreachError(sink.schemaProblems);
    },
  });
}
