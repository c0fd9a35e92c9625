import * as fs from "node:fs";
import * as path from "node:path";
import { constants as zlibConstants, gunzipSync } from "node:zlib";
import { formatBytes } from "../../shared/format";
import { fail, ok, type Result } from "./types";

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
const errorCode = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? String(e);
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The most a file may hold once decompressed, and why (for the message). */
export interface ByteLimit {
  bytes: number;
  why: string;
}

/**
 * Reads a file, gunzipping it when it is gzipped (by its magic bytes, whatever its name), never
 * holding more than `limit.bytes` of its data: a larger plain file is refused before it is read, and
 * gunzip stops at the limit (a decompression bomb costs at most the limit, not what it inflates to).
 */
export function readMaybeGzip(file: string, limit: ByteLimit): Result<Buffer> {
  let bytes: Buffer;
  try {
    const size = fs.statSync(file).size;
    if (size > limit.bytes) return fail(`${file}: ${formatBytes(size)}, more than the ${formatBytes(limit.bytes)} ${limit.why}`);
    bytes = fs.readFileSync(file);
  } catch (e) {
    return fail(`cannot read ${file} (${errorCode(e)})`);
  }
  if (!isGzip(bytes)) return ok(bytes);
  try {
    return ok(gunzipSync(bytes, { maxOutputLength: Math.max(1, limit.bytes) }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      return fail(`${file}: decompresses to more than the ${formatBytes(limit.bytes)} ${limit.why} (${formatBytes(bytes.length)} gzipped); not read further`);
    }
    return fail(`${file}: corrupt gzip data (${errorText(e)})`);
  }
}

/** Compressed bytes read to find a gzipped file's first bytes: at most about 1,000 times that once inflated. */
const HEAD_READS = [512, 64 * 1024];

/**
 * The first `n` bytes of a file's data (gunzipped when gzipped), without reading or inflating the
 * rest; fewer when the file is shorter or its start is damaged (the full read says why).
 */
export function readHead(file: string, n: number): Result<Buffer> {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    return fail(`cannot read ${file} (${errorCode(e)})`);
  }
  try {
    let head = Buffer.alloc(0);
    for (const want of HEAD_READS) {
      const raw = Buffer.alloc(Math.max(want, n));
      const got = fs.readSync(fd, raw, 0, raw.length, 0);
      const start = raw.subarray(0, got);
      if (!isGzip(start)) return ok(start.subarray(0, n));
      try {
        // a truncated stream inflates as far as it goes
        head = gunzipSync(start, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 2 ** 27 });
      } catch {
        return ok(Buffer.alloc(0));
      }
      if (head.length >= n || got < raw.length) break;
    }
    return ok(head.subarray(0, n));
  } catch (e) {
    return fail(`cannot read ${file} (${errorCode(e)})`);
  } finally {
    fs.closeSync(fd);
  }
}

/** A folder that must exist, as an error value otherwise. */
export function checkDir(dir: string, what: string): Result<string[]> {
  try {
    if (!fs.statSync(dir).isDirectory()) return fail(`${what} ${dir} is not a folder`);
    return ok(fs.readdirSync(dir));
  } catch (e) {
    return fail(`cannot read the ${what} ${dir} (${errorCode(e)})`);
  }
}

/** The first of several names that exists in the folder's listing (case-insensitive), as a full path. */
export function findIn(dir: string, listing: readonly string[], names: readonly string[]): string | undefined {
  for (const n of names) {
    const hit = listing.find((f) => f.toLowerCase() === n.toLowerCase());
    if (hit !== undefined) return path.join(dir, hit);
  }
  return undefined;
}
