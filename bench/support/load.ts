// Closed-loop HTTP load: `concurrency` connections, each sending the next prepared request as
// soon as its previous one is answered. Requests are built (and signed) before the clock starts,
// so the generator's own cost is parsing answers, not crypto.
import { Pool } from 'undici';

export interface PreparedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  /** answers by status code */
  statuses: Record<number, number>;
}

export async function runLoad(origin: string, requests: PreparedRequest[], concurrency: number): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  const statuses: Record<number, number> = {};
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const r = requests[next++]!;
        const res = await pool.request({ method: 'POST', path: r.path, headers: r.headers, body: r.body });
        await res.body.dump();
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await pool.close();
  return { requests: requests.length, seconds, statuses };
}

/** Throws unless every answer had this status: a figure over refused requests means nothing. */
export function expectAll(result: LoadResult, status: number, what: string): void {
  if (result.statuses[status] !== result.requests) throw new Error(`${what}: expected ${result.requests} × ${status}, got ${JSON.stringify(result.statuses)}`);
}

export const fmtRate = (x: number, unit: string) => `${Math.round(x).toLocaleString('en-US').padStart(8)} ${unit}`;

/** Value at quantile q (0..1) of already sorted numbers, nearest rank. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
