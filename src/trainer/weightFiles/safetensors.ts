import * as fs from "node:fs";
import { CRC_START, crc32Final, crc32Update } from "../../shared/crc32";
import { writeFileAtomicWith, type ByteSink } from "../runFiles";
import { withOpenFile } from "./openFile";
import { DTYPE_BYTES, isStoredDtype, type Read, type StateDict, type StoredDtype, type WeightTensor } from "./stateDict";

/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length, a JSON header `{ "__metadata__": {string: string}, name: { dtype, shape,
 * data_offsets: [begin, end] } }` padded with spaces to 8 bytes, then the tensors' bytes. The
 * header is checked whole against the file size before a byte of data is read: offsets inside the
 * data, contiguous without holes or overlaps, and each exactly its shape's size.
 */

/** The largest header read, as the reference implementation's limit. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface HeaderEntry {
  name: string;
  dtype: StoredDtype;
  shape: number[];
  begin: number;
  end: number;
}

export function readSafetensors(file: string): Read<StateDict> {
  return withOpenFile(file, (fd) => {
    const size = fs.fstatSync(fd).size;
    const header = readHeader(fd, file, size);
    if (!header.ok) return header;
    const { entries, metadata, dataStart } = header.value;
    const read = new Map<string, WeightTensor>();
    const converted = new Map<StoredDtype, number>();
    let crc = CRC_START;
    // in the order of the data, for its checksum (checkLayout made them contiguous)
    for (const e of [...entries].sort((a, b) => a.begin - b.begin)) {
      const bytes = Buffer.alloc(e.end - e.begin);
      fs.readSync(fd, bytes, 0, bytes.length, dataStart + e.begin);
      crc = crc32Update(crc, bytes);
      read.set(e.name, { name: e.name, shape: e.shape, dtype: e.dtype, values: toFloat32(bytes, e.dtype) });
      if (e.dtype !== "F32") converted.set(e.dtype, (converted.get(e.dtype) ?? 0) + 1);
    }
    const mismatch = checksumProblem(file, metadata, crc32Final(crc));
    if (mismatch !== null) return { ok: false, error: mismatch };
    const tensors = new Map(entries.map((e) => [e.name, read.get(e.name)!] as const));
    const notes = [...converted].map(([dtype, n]) => `${n} ${n === 1 ? "tensor" : "tensors"} stored as ${dtype} converted to float32`);
    return { ok: true, value: { file, tensors, notes, metadata } };
  });
}

/**
 * The `__metadata__` key of the CRC-32 of a file's data (all bytes after the header), a decimal
 * string: CNN Studio's checkpoint files carry it (both engines write it) and every full read checks
 * it; files without it (a Hugging Face `.safetensors`) are read without the check.
 */
export const CRC32_KEY = "crc32";

/** Why the data's CRC-32 `computed` is not the one `metadata` records, or null (also when it records none). */
function checksumProblem(file: string, metadata: Record<string, string>, computed: number): string | null {
  const recorded = metadata[CRC32_KEY];
  if (recorded === undefined) return null;
  if (!/^\d{1,10}$/.test(recorded) || Number(recorded) > 0xffffffff)
    return `${file}: its __metadata__ ${CRC32_KEY} ${JSON.stringify(recorded.slice(0, 40))} is not a CRC-32 (a decimal number below 2^32)`;
  if (Number(recorded) !== computed)
    return `${file}: checksum mismatch: __metadata__ ${CRC32_KEY} is ${recorded}, the data's CRC-32 is ${computed} (the file is damaged)`;
  return null;
}

/** A file's header alone, checked whole against the file's size (no tensor data is read): its entries, metadata and where the data starts. */
export function readSafetensorsHeader(file: string): Read<{ entries: HeaderEntry[]; metadata: Record<string, string>; dataStart: number; size: number }> {
  return withOpenFile(file, (fd) => {
    const size = fs.fstatSync(fd).size;
    const header = readHeader(fd, file, size);
    return header.ok ? { ok: true, value: { ...header.value, size } } : header;
  });
}

function readHeader(fd: number, file: string, size: number): Read<{ entries: HeaderEntry[]; metadata: Record<string, string>; dataStart: number }> {
  if (size < 8) return { ok: false, error: `${file}: ${size} bytes, too short for a safetensors file (it starts with an 8-byte header length)` };
  const lengthBytes = Buffer.alloc(8);
  fs.readSync(fd, lengthBytes, 0, 8, 0);
  const headerLength = lengthBytes.readBigUInt64LE(0);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, size - 8)))
    return {
      ok: false,
      error: `${file}: the header length ${headerLength} is more than the file (${size} bytes) or the limit (${MAX_HEADER_BYTES}): not a safetensors file`,
    };
  const n = Number(headerLength);
  const text = Buffer.alloc(n);
  fs.readSync(fd, text, 0, n, 8);
  let json: unknown;
  try {
    json = JSON.parse(text.toString("utf8"));
  } catch (e) {
    return { ok: false, error: `${file}: the header is not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return { ok: false, error: `${file}: the header is not a JSON object` };
  const parsed = parseEntries(json as Record<string, unknown>, file);
  if (!parsed.ok) return parsed;
  const dataStart = 8 + n;
  const checked = checkLayout(parsed.value.entries, size - dataStart, file);
  if (!checked.ok) return checked;
  return { ok: true, value: { ...parsed.value, dataStart } };
}

function parseEntries(json: Record<string, unknown>, file: string): Read<{ entries: HeaderEntry[]; metadata: Record<string, string> }> {
  const entries: HeaderEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json)) {
    if (name === "__metadata__") {
      if (typeof raw !== "object" || raw === null || Object.values(raw).some((v) => typeof v !== "string"))
        return { ok: false, error: `${file}: __metadata__ must map strings to strings` };
      metadata = raw as Record<string, string>;
      continue;
    }
    const r = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    const dtype = r?.dtype;
    if (typeof dtype !== "string" || !isStoredDtype(dtype))
      return { ok: false, error: `${file}: ${name} has dtype ${JSON.stringify(dtype)}, not one this reader knows (${Object.keys(DTYPE_BYTES).join(", ")})` };
    const shape = r?.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0))
      return { ok: false, error: `${file}: ${name} has shape ${JSON.stringify(shape)}, not a list of sizes` };
    const offsets = r?.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0))
      return { ok: false, error: `${file}: ${name} has data_offsets ${JSON.stringify(offsets)}, not [begin, end]` };
    entries.push({ name, dtype, shape: shape as number[], begin: offsets[0] as number, end: offsets[1] as number });
  }
  return { ok: true, value: { entries, metadata } };
}

/** Each tensor's bytes are its shape's size, inside the data, and together they cover it without holes or overlaps. */
function checkLayout(entries: HeaderEntry[], dataBytes: number, file: string): Read<null> {
  for (const e of entries) {
    const expected = e.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[e.dtype];
    if (e.end < e.begin || e.end - e.begin !== expected)
      return {
        ok: false,
        error: `${file}: ${e.name} [${e.shape.join(", ")}] ${e.dtype} needs ${expected} bytes but its data_offsets [${e.begin}, ${e.end}] hold ${e.end - e.begin}`,
      };
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) return { ok: false, error: `${file}: ${e.name}'s data starts at byte ${e.begin}, expected ${at} (tensors overlap or leave a hole)` };
    at = e.end;
  }
  if (at !== dataBytes)
    return { ok: false, error: `${file}: the tensors hold ${at} bytes but the file has ${dataBytes} after the header (truncated or padded?)` };
  return { ok: true, value: null };
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

type ElementReader = (bytes: Buffer, i: number) => number;

/** How to read element i of each dtype that is not float32 or bfloat16 (those go by bits). */
const READ_ELEMENT: Record<Exclude<StoredDtype, "F32" | "BF16">, ElementReader> = {
  F64: (b, i) => b.readDoubleLE(i * 8),
  F16: (b, i) => halfToFloat(b.readUInt16LE(i * 2)),
  I64: (b, i) => Number(b.readBigInt64LE(i * 8)),
  I32: (b, i) => b.readInt32LE(i * 4),
  I16: (b, i) => b.readInt16LE(i * 2),
  I8: (b, i) => b.readInt8(i),
  U8: (b, i) => b.readUInt8(i),
  BOOL: (b, i) => (b.readUInt8(i) === 0 ? 0 : 1),
};

/** The little-endian values of `bytes` as float32 (int64 values beyond 2^24 round, as PyTorch's `.float()` does). */
export function toFloat32(bytes: Buffer, dtype: StoredDtype): Float32Array {
  const n = bytes.length / DTYPE_BYTES[dtype];
  const out = new Float32Array(n);
  if (dtype === "F32") {
    new Uint8Array(out.buffer).set(bytes);
  } else if (dtype === "BF16") {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = bytes.readUInt16LE(i * 2) << 16;
  } else {
    const read = READ_ELEMENT[dtype];
    for (let i = 0; i < n; i++) out[i] = read(bytes, i);
  }
  return out;
}

/** A tensor to write: float32 values, stored as F32, or as I64 (PyTorch's `num_batches_tracked`). */
export interface TensorToWrite {
  name: string;
  shape: number[];
  values: Float32Array;
  dtype?: "F32" | "I64";
}

/** The header's bytes, padded with spaces to a multiple of 8 as the reference writer does. */
function headerBytes(tensors: readonly TensorToWrite[], metadata: Record<string, string>): Buffer {
  const header: Record<string, unknown> = Object.keys(metadata).length > 0 ? { __metadata__: metadata } : {};
  let at = 0;
  for (const t of tensors) {
    const bytes = t.values.length * DTYPE_BYTES[t.dtype ?? "F32"];
    header[t.name] = { dtype: t.dtype ?? "F32", shape: t.shape, data_offsets: [at, at + bytes] };
    at += bytes;
  }
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, 0x20);
  json.copy(padded);
  return padded;
}

/** A tensor's bytes as stored: float32 as it is, I64 as 8-byte integers (little-endian). */
function storedBytes(t: TensorToWrite): Uint8Array {
  if ((t.dtype ?? "F32") === "F32") return new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength);
  const ints = Buffer.alloc(t.values.length * 8);
  t.values.forEach((v, i) => ints.writeBigInt64LE(BigInt(Math.round(v)), i * 8));
  return ints;
}

/** The CRC-32 of the data section the tensors make (in the given order), as CRC32_KEY records it. */
export function dataCrc32(tensors: readonly TensorToWrite[]): number {
  let crc = CRC_START;
  for (const t of tensors) crc = crc32Update(crc, storedBytes(t));
  return crc32Final(crc);
}

/**
 * Writes the tensors (in the given order) to `sink`: the format's header, then their bytes. With
 * `checksum`, the metadata gets CRC32_KEY, the CRC-32 of the data (a first pass over the tensors).
 */
export function writeSafetensorsTo(
  sink: ByteSink,
  tensors: readonly TensorToWrite[],
  metadata: Record<string, string> = {},
  options: { checksum?: boolean } = {},
): void {
  if (new Set(tensors.map((t) => t.name)).size !== tensors.length) throw new Error("safetensors: two tensors with one name");
  const header = headerBytes(tensors, options.checksum === true ? { ...metadata, [CRC32_KEY]: String(dataCrc32(tensors)) } : metadata);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  sink(length);
  sink(header);
  for (const t of tensors) sink(storedBytes(t));
}

/** Writes a `.safetensors` file atomically (a temporary file renamed into place). */
export function writeSafetensors(file: string, tensors: readonly TensorToWrite[], metadata: Record<string, string> = {}): void {
  writeFileAtomicWith(file, (sink) => writeSafetensorsTo(sink, tensors, metadata));
}
