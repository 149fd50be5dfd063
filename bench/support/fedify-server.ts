// Drives bench/peers/fedify-server.mjs (Fedify is ESM and wants Node 22 builtins: it runs in its
// own process with the e2e peer's polyfill). One command at a time.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { forkChild, nextMessage } from './processes';

const POLYFILL = resolve(__dirname, '../../test/e2e/peer/polyfill.mjs');

export interface FedifyServer {
  origin: string;
  setFollowers(inboxes: string[]): Promise<void>;
  /** Resolves once Fedify has queued the Create for the followers. */
  post(id: string): Promise<void>;
  /** activities the inbox listeners have seen */
  received(): Promise<number>;
}

export async function startFedifyServer(): Promise<FedifyServer> {
  const child = forkChild(resolve(__dirname, '../peers/fedify-server.mjs'), {}, ['--import', pathToFileURL(POLYFILL).href]);
  const { origin } = await nextMessage<{ origin: string }>(child, (m) => typeof m === 'object' && m !== null && 'ready' in m);
  const call = async <T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> => {
    const answer = nextMessage<T & { error?: string }>(child, (m) => typeof m === 'object' && m !== null && (m as { cmd?: string }).cmd === cmd);
    child.send({ cmd, ...args });
    const a = await answer;
    if (a.error) throw new Error(`fedify-server ${cmd}: ${a.error}`);
    return a;
  };
  return {
    origin,
    setFollowers: async (inboxes) => void (await call('followers', { inboxes })),
    post: async (id) => void (await call('post', { id })),
    received: async () => (await call<{ received: number }>('count')).received,
  };
}
