// How steady raw signing is on this machine: RSA-2048 crypto.sign (cached KeyObject) back to back
// in WINDOWS windows of WINDOW_MS each, printed in order with their spread. Why bench:fanout
// samples its baseline during the fan-out instead of taking it beforehand.
// Run: npm run bench:raw-sign-windows  (WINDOWS=60, WINDOW_MS=200 by default).
import { newRsaKey, rawSignsPerSecond } from './support/raw-sign';

const WINDOWS = Number(process.env.WINDOWS ?? 60);
const WINDOW_MS = Number(process.env.WINDOW_MS ?? 200);

const key = newRsaKey();
const rates = Array.from({ length: WINDOWS }, () => Math.round(rawSignsPerSecond(key, WINDOW_MS)));
const sorted = [...rates].sort((a, b) => a - b);
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
console.log(`raw crypto.sign/s in ${WINDOWS} windows of ${WINDOW_MS} ms, in order: ${rates.join(' ')}`);
console.log(`  min ${sorted[0]}, p25 ${at(0.25)}, median ${at(0.5)}, p75 ${at(0.75)}, max ${sorted[sorted.length - 1]} (max/min ${(sorted[sorted.length - 1]! / sorted[0]!).toFixed(2)})`);
