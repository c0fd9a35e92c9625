import * as path from "node:path";
import { ROOT } from "../helpers/paths";

/** The zip reader of scripts/zip.cjs (the one scripts/package-vsix.mjs uses), typed for the tests. */

export interface ZipEntry {
  name: string;
  size: number;
  compressed: number;
  method: number;
  local: number;
}

interface ZipReader {
  zipEntries(buf: Buffer): ZipEntry[];
  zipRead(buf: Buffer, entry: ZipEntry): Buffer;
}

const reader = require(path.join(ROOT, "scripts", "zip.cjs")) as ZipReader;

export const zipEntries: (buf: Buffer) => ZipEntry[] = reader.zipEntries;
export const zipRead: (buf: Buffer, entry: ZipEntry) => Buffer = reader.zipRead;
