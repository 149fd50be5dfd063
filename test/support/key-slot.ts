// Redis Cluster's hash slot of a key (CRC16/XMODEM of its hash tag, or of the whole key, mod
// 16384), so tests on a single Redis can tell which commands a cluster would refuse.

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let b = 0; b < 8; b++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
    t[i] = c & 0xffff;
  }
  return t;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc;
}

/** The part of the key that decides its slot: the first non-empty `{…}`, else the whole key. */
export function hashTagOf(key: Buffer): Buffer {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.subarray(open + 1, close) : key;
}

export function keySlot(key: string | Buffer): number {
  return crc16(hashTagOf(Buffer.isBuffer(key) ? key : Buffer.from(key))) % 16384;
}
