/**
 * CRC-32 (the zlib / PNG polynomial, as Python's `zlib.crc32`), the one implementation of the
 * project's checksums: the `.bin` of old checkpoints (src/trainer/checkpointLegacy.ts) and the `crc32` in a
 * checkpoint's `.safetensors` `__metadata__` (src/trainer/weightFiles/safetensors.ts, checked by the panels too).
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** The running value to start crc32Update from. */
export const CRC_START = 0xffffffff;

/** The running CRC-32 after `bytes` (start from CRC_START, end with crc32Final). */
export function crc32Update(crc: number, bytes: Uint8Array): number {
  let c = crc;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return c;
}

export const crc32Final = (crc: number): number => (crc ^ 0xffffffff) >>> 0;

export function crc32(bytes: Uint8Array): number {
  return crc32Final(crc32Update(CRC_START, bytes));
}
