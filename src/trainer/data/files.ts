import * as fs from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { fail, ok, type Result } from "./types";

/** Reads a file, gunzipping it when it is gzipped (by its magic bytes, whatever its name). */
export function readMaybeGzip(file: string): Result<Buffer> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    return fail(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return ok(gunzipSync(bytes));
    } catch (e) {
      return fail(`${file}: corrupt gzip data (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  return ok(bytes);
}

/** A folder that must exist, as an error value otherwise. */
export function checkDir(dir: string, what: string): Result<string[]> {
  try {
    if (!fs.statSync(dir).isDirectory()) return fail(`${what} ${dir} is not a folder`);
    return ok(fs.readdirSync(dir));
  } catch (e) {
    return fail(`cannot read the ${what} ${dir} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
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
