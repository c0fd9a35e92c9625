// A small reader of zip files (a VSIX is one): the central directory, and stored or deflated
// entries. The one reader of the repository: scripts/package-vsix.mjs prints a VSIX's contents
// with it, and the tests read VSIX files with it (test/extension/zip.ts gives it types).
"use strict";
const { inflateRawSync } = require("node:zlib");

/**
 * @typedef {{ name: string, size: number, compressed: number, method: number, local: number }} ZipEntry
 */

/**
 * The entries of the zip file in `buf`, from its central directory.
 * @param {Buffer} buf
 * @returns {ZipEntry[]}
 */
function zipEntries(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("not a zip file: no end-of-central-directory record");
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  /** @type {ZipEntry[]} */
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory: entry ${n} at byte ${p}`);
    const nameLen = buf.readUInt16LE(p + 28);
    entries.push({
      method: buf.readUInt16LE(p + 10),
      compressed: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      local: buf.readUInt32LE(p + 42),
      name: buf.toString("utf8", p + 46, p + 46 + nameLen),
    });
    p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return entries;
}

/**
 * The contents of one entry (stored, or deflated: method 8).
 * @param {Buffer} buf
 * @param {ZipEntry} entry
 * @returns {Buffer}
 */
function zipRead(buf, entry) {
  const start = entry.local + 30 + buf.readUInt16LE(entry.local + 26) + buf.readUInt16LE(entry.local + 28);
  const data = buf.subarray(start, start + entry.compressed);
  return entry.method === 8 ? inflateRawSync(data) : Buffer.from(data);
}

module.exports = { zipEntries, zipRead };
