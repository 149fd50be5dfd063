// Inbound normalisation: documents/second through normalizeActivity's fast path and its jsonld
// path over the fixture corpus (../shared/fixtures/activities), each beside JSON.parse/second
// of the same documents' text, measured in the same run in alternating slices so that load
// from other processes hits both sides alike. Run: npm run bench:normalize  (BENCH_MS=2000).
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { normalizeActivity } from '../services/activitypub/jsonld/normalize';

const DIR = resolve(__dirname, '../../shared/fixtures/activities');
const MS = Number(process.env.BENCH_MS ?? 2000);
const SLICES = 8;

type Run = (i: number) => unknown;

/** Items per second of each run, over ~MS ms each, in SLICES alternating slices. */
async function rates(count: number, runs: Run[]): Promise<number[]> {
  const done = runs.map(() => 0);
  const spent = runs.map(() => 0n);
  for (let s = 0; s < SLICES; s++) {
    for (const [r, run] of runs.entries()) {
      const limit = BigInt(Math.round((MS / SLICES) * 1e6));
      const start = process.hrtime.bigint();
      let i = 0;
      while (process.hrtime.bigint() - start < limit) {
        await run(i % count);
        i++;
      }
      done[r] = done[r]! + i;
      spent[r] = spent[r]! + (process.hrtime.bigint() - start);
    }
  }
  return done.map((n, r) => n / (Number(spent[r]) / 1e9));
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main() {
  const texts = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort().map((f) => readFileSync(join(DIR, f), 'utf8'));
  const byPath = { fast: [] as string[], jsonld: [] as string[] };
  for (const text of texts) {
    const r = await normalizeActivity(JSON.parse(text));
    if (r.ok) byPath[r.path].push(text);
  }
  console.log(`normalizeActivity over ${texts.length} fixture documents: ${byPath.fast.length} take the fast path, ${byPath.jsonld.length} jsonld (Node ${process.version})`);
  console.log('| documents | normalizeActivity | docs/s | JSON.parse docs/s (same docs, baseline) | ratio |');
  console.log('|---|---|---|---|---|');
  // normalizeActivity neither changes nor caches on its input, so parsed documents are reused.
  const row = async (label: string, set: string[], forceJsonld: boolean) => {
    const docs = set.map((t) => JSON.parse(t) as unknown);
    const [parse, norm] = await rates(set.length, [(i) => JSON.parse(set[i]!), (i) => normalizeActivity(docs[i], { forceJsonld })]);
    console.log(`| ${label} (${set.length}) | ${forceJsonld ? 'jsonld path (forced)' : forceLabel(label)} | ${fmt(norm!)} | ${fmt(parse!)} | ${(norm! / parse!).toFixed(3)} |`);
  };
  const forceLabel = (label: string) => (label.startsWith('fast') ? 'fast path' : 'jsonld path');
  await row('fast-path documents', byPath.fast, false);
  await row('jsonld documents', byPath.jsonld, false);
  await row('fast-path documents', byPath.fast, true);
}

void main();
