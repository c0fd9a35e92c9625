import * as fs from "node:fs";
import * as zlib from "node:zlib";
import type { Read } from "./stateDict";

/**
 * A read-only zip archive, as `torch.save` writes it (miniz: STORED entries, data aligned to 64
 * bytes by padding in the local header's extra field, zip64 for large files). The central
 * directory is read and every offset and size checked against the file's size before an entry's
 * bytes are read; a DEFLATEd entry (an archive re-packed by a zip tool) is inflated to exactly its
 * declared size, never more. Entries are read one at a time, on demand.
 */

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export interface ZipArchive {
  file: string;
  fileSize: number;
  entries: Map<string, ZipEntry>;
  /** The entry's bytes, checked against its CRC. */
  read(entry: ZipEntry): Read<Buffer>;
  close(): void;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
/** The largest entry inflated: a DEFLATEd entry declaring more is refused before any allocation. */
export const MAX_INFLATED_BYTES = 2 ** 31 - 1;

type Fail = { ok: false; error: string };

function fail(file: string, what: string): Fail {
  return { ok: false, error: `${file}: ${what}` };
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

interface Directory {
  offset: number;
  size: number;
  count: number;
}

/** The end-of-central-directory record (and its zip64 form): where the central directory is. */
function findDirectory(fd: number, file: string, fileSize: number): Read<Directory> {
  if (fileSize < EOCD_SIZE) return fail(file, `${fileSize} bytes, too short for a zip archive`);
  const tailLength = Math.min(fileSize, EOCD_SIZE + MAX_COMMENT);
  const tailStart = fileSize - tailLength;
  const tail = readAt(fd, tailStart, tailLength);
  let at = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE && i + EOCD_SIZE + tail.readUInt16LE(i + 20) === tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) return fail(file, "the zip archive has no end-of-central-directory record (the file is truncated or not a zip archive)");
  let dir: Directory = { count: tail.readUInt16LE(at + 10), size: tail.readUInt32LE(at + 12), offset: tail.readUInt32LE(at + 16) };
  const locatorAt = tailStart + at - 20;
  if ((dir.count === 0xffff || dir.size === 0xffffffff || dir.offset === 0xffffffff) && locatorAt >= 0) {
    const locator = readAt(fd, locatorAt, 20);
    if (locator.length === 20 && locator.readUInt32LE(0) === ZIP64_LOCATOR_SIGNATURE) {
      const recordAt = Number(locator.readBigUInt64LE(8));
      if (recordAt + 56 > fileSize) return fail(file, `the zip64 end record at byte ${recordAt} is past the end of the file (${fileSize} bytes)`);
      const record = readAt(fd, recordAt, 56);
      if (record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) return fail(file, `no zip64 end record at byte ${recordAt} (the archive is damaged)`);
      dir = { count: Number(record.readBigUInt64LE(32)), size: Number(record.readBigUInt64LE(40)), offset: Number(record.readBigUInt64LE(48)) };
    }
  }
  if (dir.offset + dir.size > fileSize)
    return fail(file, `the zip central directory (bytes ${dir.offset}..${dir.offset + dir.size}) is past the end of the file (${fileSize} bytes): truncated?`);
  return { ok: true, value: dir };
}

/** The zip64 extended-information extra field's 64-bit values, for the fields the fixed header marks 0xffffffff. */
function applyZip64(extra: Buffer, entry: ZipEntry): void {
  let i = 0;
  while (i + 4 <= extra.length) {
    const id = extra.readUInt16LE(i);
    const length = extra.readUInt16LE(i + 2);
    if (id === 0x0001) {
      let at = i + 4;
      const next = (): number | undefined => {
        if (at + 8 > i + 4 + length || at + 8 > extra.length) return undefined;
        const v = Number(extra.readBigUInt64LE(at));
        at += 8;
        return v;
      };
      if (entry.size === 0xffffffff) entry.size = next() ?? entry.size;
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next() ?? entry.compressedSize;
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next() ?? entry.localHeaderOffset;
      return;
    }
    i += 4 + length;
  }
}

function parseDirectory(bytes: Buffer, dir: Directory, file: string, fileSize: number): Read<Map<string, ZipEntry>> {
  const entries = new Map<string, ZipEntry>();
  let at = 0;
  for (let n = 0; n < dir.count; n++) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== CENTRAL_SIGNATURE)
      return fail(file, `the zip central directory is damaged at entry ${n + 1} of ${dir.count}`);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > bytes.length) return fail(file, `the zip central directory is damaged at entry ${n + 1} of ${dir.count}`);
    const entry: ZipEntry = {
      name: bytes.toString("utf8", at + 46, at + 46 + nameLength),
      flags: bytes.readUInt16LE(at + 8),
      method: bytes.readUInt16LE(at + 10),
      crc: bytes.readUInt32LE(at + 16),
      compressedSize: bytes.readUInt32LE(at + 20),
      size: bytes.readUInt32LE(at + 24),
      localHeaderOffset: bytes.readUInt32LE(at + 42),
    };
    applyZip64(bytes.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength), entry);
    if (entry.localHeaderOffset + 30 + entry.compressedSize > fileSize)
      return fail(
        file,
        `the zip entry ${entry.name} (${entry.compressedSize} bytes at ${entry.localHeaderOffset}) is past the end of the file (${fileSize} bytes): truncated?`,
      );
    if (entries.has(entry.name)) return fail(file, `the zip archive has two entries named ${entry.name}`);
    entries.set(entry.name, entry);
    at = end;
  }
  return { ok: true, value: entries };
}

export function openZip(file: string): Read<ZipArchive> {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    return fail(file, `cannot open (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    const fileSize = fs.fstatSync(fd).size;
    const dir = findDirectory(fd, file, fileSize);
    if (!dir.ok) {
      fs.closeSync(fd);
      return dir;
    }
    const entries = parseDirectory(readAt(fd, dir.value.offset, dir.value.size), dir.value, file, fileSize);
    if (!entries.ok) {
      fs.closeSync(fd);
      return entries;
    }
    const zipFd = fd;
    return {
      ok: true,
      value: { file, fileSize, entries: entries.value, read: (entry) => readEntry(zipFd, file, fileSize, entry), close: () => fs.closeSync(zipFd) },
    };
  } catch (e) {
    fs.closeSync(fd);
    return fail(file, `cannot read (${e instanceof Error ? e.message : String(e)})`);
  }
}

function readEntry(fd: number, file: string, fileSize: number, entry: ZipEntry): Read<Buffer> {
  const where = `the zip entry ${entry.name}`;
  if (entry.flags & 1) return fail(file, `${where} is encrypted`);
  if (entry.method !== 0 && entry.method !== 8)
    return fail(file, `${where} is compressed with method ${entry.method}; only stored and deflated entries are read`);
  const local = readAt(fd, entry.localHeaderOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_SIGNATURE)
    return fail(file, `${where} has no local header at byte ${entry.localHeaderOffset} (the archive is damaged)`);
  const dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (dataStart + entry.compressedSize > fileSize)
    return fail(file, `${where} (${entry.compressedSize} bytes at ${dataStart}) is past the end of the file (${fileSize} bytes): truncated?`);
  if (entry.method === 0 && entry.compressedSize !== entry.size)
    return fail(file, `${where} is stored but declares ${entry.size} bytes in ${entry.compressedSize} (the archive is damaged)`);
  if (entry.method === 8 && entry.size > MAX_INFLATED_BYTES) return fail(file, `${where} would inflate to ${entry.size} bytes, more than this reader allows`);
  const raw = readAt(fd, dataStart, entry.compressedSize);
  let data = raw;
  if (entry.method === 8) {
    try {
      data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
    } catch (e) {
      return fail(file, `${where} does not inflate to its declared ${entry.size} bytes (${e instanceof Error ? e.message : String(e)})`);
    }
    if (data.length !== entry.size) return fail(file, `${where} inflates to ${data.length} bytes, not its declared ${entry.size}`);
  }
  if (zlib.crc32(data) !== entry.crc) return fail(file, `${where} fails its CRC check (the file is damaged)`);
  return { ok: true, value: data };
}
