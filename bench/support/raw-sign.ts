// The physical limit of delivery: RSA-2048 crypto.sign with a cached KeyObject, per second on one
// core, of a draft-cavage signature base the size a delivery signs.
import { type KeyObject, generateKeyPairSync, sign } from 'node:crypto';

const data = Buffer.from('(request-target): post /users/u1/inbox\nhost: 127.0.0.1:8080\ndate: Tue, 01 Dec 2026 12:00:00 GMT\ndigest: SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\ncontent-type: application/activity+json');

export function rawSignsPerSecond(privateKey: KeyObject, ms = 1000): number {
  const start = process.hrtime.bigint();
  const limit = BigInt(ms * 1e6);
  let n = 0;
  while (process.hrtime.bigint() - start < limit) {
    sign('sha256', data, privateKey);
    n++;
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

export const newRsaKey = (): KeyObject => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

export interface RawSigningSample {
  /** raw crypto.sign per second over the slices' timed signs */
  rate: number;
  /** seconds the slices held the event loop (not the measured work's) */
  seconds: number;
  /** process CPU (all threads) while the slices ran, in µs */
  cpuMicros: number;
  /** mean µs of a slice's first, untimed sign, and of its timed ones */
  firstSignUs: number;
  timedSignUs: number;
}

/**
 * Raw signing measured during the work it is the baseline of, not before it: this machine's speed
 * swings by up to 2x between 200 ms windows (a shared host), so a baseline taken beforehand says
 * little about the seconds that follow. Every `everyMs` the event loop runs crypto.sign back to
 * back on the same core as the work: one untimed (the first of a slice runs 20-60 % slower, so
 * counting it would flatter the work), then `signs` timed. Each slice holds the loop for about
 * (signs + 1) × 0.35 ms; callers subtract `seconds` from the work's time.
 */
export function sampleRawSigning(privateKey: KeyObject, opts: { everyMs?: number; signs?: number } = {}): () => RawSigningSample {
  const signs = opts.signs ?? 10;
  let timedNs = 0n;
  let heldNs = 0n;
  let cpuMicros = 0;
  let slices = 0;
  const timer = setInterval(() => {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    sign('sha256', data, privateKey);
    const t1 = process.hrtime.bigint();
    for (let i = 0; i < signs; i++) sign('sha256', data, privateKey);
    const t2 = process.hrtime.bigint();
    const cpu = process.cpuUsage(cpu0);
    cpuMicros += cpu.user + cpu.system;
    timedNs += t2 - t1;
    heldNs += t2 - t0;
    slices++;
  }, opts.everyMs ?? 100);
  return () => {
    clearInterval(timer);
    const timed = signs * slices;
    return {
      rate: slices ? timed / (Number(timedNs) / 1e9) : NaN,
      seconds: Number(heldNs) / 1e9,
      cpuMicros,
      firstSignUs: slices ? Number(heldNs - timedNs) / 1e3 / slices : NaN,
      timedSignUs: slices ? Number(timedNs) / 1e3 / timed : NaN,
    };
  };
}

/**
 * Times every crypto.sign this process makes with any key but `exclude` (the baseline's) from now
 * on: the gateway's own signing, at the moments it signs. The share of a fan-out's time spent
 * there is its ratio to raw signing at those very moments. Works because the code under test
 * reads `sign` off the module at each call (`import { sign }` compiles to a property read).
 */
export function timeProcessSigns(exclude: KeyObject): () => { calls: number; seconds: number } {
  const crypto = require('node:crypto') as { sign: typeof sign };
  const original = crypto.sign;
  let calls = 0;
  let ns = 0n;
  crypto.sign = ((algorithm: string | null, data: NodeJS.ArrayBufferView, key: KeyObject, callback?: never) => {
    if (callback || key === exclude) return original(algorithm, data, key, callback as never);
    const t0 = process.hrtime.bigint();
    const signature = original(algorithm, data, key);
    ns += process.hrtime.bigint() - t0;
    calls++;
    return signature;
  }) as typeof sign;
  return () => ({ calls, seconds: Number(ns) / 1e9 });
}
