import * as fs from "node:fs";
import * as path from "node:path";
import { CHECKPOINT_FORMAT } from "../shared/runLayout";
import { checkpointBase, metaProblem, type CheckpointMeta, type CheckpointTensor, type Checked, type LoadedCheckpoint } from "./checkpointMeta";
import { CRC_START, crc32, crc32Final, crc32Update } from "../shared/crc32";
import { writeFileAtomic, writeFileAtomicWith, type ByteSink } from "./runFiles";

/**
 * Checkpoints as they were before issue 15, still read (resume, panels, pruning): `checkpoints/e0003-s000125.json`,
 * an index, and `e0003-s000125.bin`, the float32 values (little-endian) of every tensor one after
 * another. Tensor names are PyTorch `state_dict` names (`features.0.weight`, `bn1.running_mean`,
 * ...); optimiser state is named `optimizer.<param>.<slot>` (PyTorch's `exp_avg`, `exp_avg_sq`,
 * `momentum_buffer`). The `.bin` is written first, then the index, each to a temporary file renamed
 * into place, so an index always describes a complete `.bin`; a checkpoint whose `.bin` is missing
 * or the wrong size or checksum is ignored when resuming. (writeLegacyCheckpoint stays for the
 * tests of those readers.)
 */

export interface TensorEntry {
  name: string;
  kind: "parameter" | "buffer" | "optimizer";
  shape: number[];
  dtype: "float32";
  /** PyTorch's dtype where it is not float32 (`num_batches_tracked` is int64). */
  torchDtype?: "int64";
  /** Offset and length in float32 values. */
  offset: number;
  length: number;
}

export interface CheckpointIndex extends CheckpointMeta {
  version: 1;
  bin: string;
  byteLength: number;
  crc32: number;
  tensors: TensorEntry[];
}

export { crc32, crc32Update };

/** Bytes handed to the sink at a time when writing a `.bin`. */
export const WRITE_CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * Writes the tensors' float32 values one after another (little-endian) to `sink`, at most
 * `chunkBytes` at a time, with no buffer of them all (a checkpoint may pass 2 GiB); returns their
 * index entries, the byte count and the CRC-32.
 */
export function writeTensorData(
  tensors: readonly CheckpointTensor[],
  sink: ByteSink,
  chunkBytes = WRITE_CHUNK_BYTES,
): { entries: TensorEntry[]; byteLength: number; crc32: number } {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error("checkpoints are little-endian; this machine is big-endian");
  const entries: TensorEntry[] = [];
  let offset = 0;
  let crc = CRC_START;
  for (const t of tensors) {
    entries.push({
      name: t.name,
      kind: t.kind,
      shape: t.shape,
      dtype: "float32",
      ...(t.torchDtype ? { torchDtype: t.torchDtype } : {}),
      offset,
      length: t.data.length,
    });
    offset += t.data.length;
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    for (let at = 0; at < bytes.length; at += chunkBytes) {
      const piece = bytes.subarray(at, Math.min(at + chunkBytes, bytes.length));
      crc = crc32Update(crc, piece);
      sink(piece);
    }
  }
  return { entries, byteLength: offset * 4, crc32: crc32Final(crc) };
}

export function writeLegacyCheckpoint(
  dir: string,
  meta: Omit<CheckpointIndex, "format" | "version" | "writtenAt" | "bin" | "byteLength" | "crc32" | "tensors">,
  tensors: readonly CheckpointTensor[],
  chunkBytes = WRITE_CHUNK_BYTES,
): string {
  fs.mkdirSync(dir, { recursive: true });
  const base = checkpointBase(meta.position.epoch, meta.position.step);
  const data = writeFileAtomicWith(path.join(dir, `${base}.bin`), (sink) => writeTensorData(tensors, sink, chunkBytes));
  const index: CheckpointIndex = {
    format: CHECKPOINT_FORMAT,
    version: 1,
    writtenAt: new Date().toISOString(),
    bin: `${base}.bin`,
    byteLength: data.byteLength,
    crc32: data.crc32,
    ...meta,
    tensors: data.entries,
  };
  const file = path.join(dir, `${base}.json`);
  writeFileAtomic(file, JSON.stringify(index, null, 1) + "\n");
  return file;
}

/** The largest checkpoint index read (a real one is a few kB per hundred tensors). */
export const MAX_INDEX_BYTES = 64 * 1024 * 1024;
/** Bytes read from a `.bin` at a time. */
const READ_CHUNK = 64 * 1024 * 1024;

const errorCode = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));

/** The index file, checked field by field (the tensor entries are checked against the data later). */
export function readLegacyIndex(file: string): Checked<CheckpointIndex> {
  let index: CheckpointIndex;
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_INDEX_BYTES) return { ok: false, error: `${file}: the index has ${size} bytes, more than a checkpoint index can have (${MAX_INDEX_BYTES})` };
    index = JSON.parse(fs.readFileSync(file, "utf8")) as CheckpointIndex;
  } catch (e) {
    return { ok: false, error: `${file}: unreadable checkpoint index (${e instanceof Error ? e.message : String(e)})` };
  }
  if (typeof index !== "object" || index === null || index.format !== CHECKPOINT_FORMAT || index.version !== 1 || !Array.isArray(index.tensors)) {
    return { ok: false, error: `${file}: not a ${CHECKPOINT_FORMAT} version 1 index` };
  }
  const problem = metaProblem(index as unknown as Record<string, unknown>, `${file}: the index`);
  if (problem !== null) return { ok: false, error: problem };
  const n: unknown = index.byteLength;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0 || n % 4 !== 0) {
    return { ok: false, error: `${file}: byteLength ${JSON.stringify(n)} is not a whole number of float32 values (a multiple of 4 bytes)` };
  }
  if (typeof index.crc32 !== "number") return { ok: false, error: `${file}: the index has no crc32` };
  return { ok: true, value: index };
}

/** The `.bin`'s values, its size checked before reading and its checksum while reading (in chunks: files over 2 GiB too). */
function readValues(binFile: string, index: CheckpointIndex): Checked<Float32Array> {
  let fd: number;
  try {
    fd = fs.openSync(binFile, "r");
  } catch (e) {
    return { ok: false, error: `${binFile}: cannot read the checkpoint data (${errorCode(e)})` };
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size !== index.byteLength) return { ok: false, error: `${binFile}: expected ${index.byteLength} bytes, the file has ${size}` };
    const values = new Float32Array(size / 4);
    const bytes = new Uint8Array(values.buffer);
    let crc = CRC_START;
    for (let at = 0; at < size;) {
      const n = fs.readSync(fd, bytes, at, Math.min(READ_CHUNK, size - at), at);
      if (n === 0) return { ok: false, error: `${binFile}: the file ended at byte ${at} of ${size}` };
      crc = crc32Update(crc, bytes.subarray(at, at + n));
      at += n;
    }
    const computed = crc32Final(crc);
    if (computed !== index.crc32) return { ok: false, error: `${binFile}: checksum mismatch (expected ${index.crc32}, computed ${computed})` };
    return { ok: true, value: values };
  } catch (e) {
    return { ok: false, error: `${binFile}: cannot read the checkpoint data (${errorCode(e)})` };
  } finally {
    fs.closeSync(fd);
  }
}

/** A checkpoint of the old format (its `.json` index), checked whole: never throws; a damaged one is an error naming the file and why. */
export function readLegacyCheckpoint(file: string): Checked<LoadedCheckpoint<CheckpointIndex>> {
  const read = readLegacyIndex(file);
  if (!read.ok) return read;
  const index = read.value;
  const binFile = path.join(path.dirname(file), path.basename(String(index.bin)));
  const values = readValues(binFile, index);
  if (!values.ok) return values;
  const tensors = new Map<string, CheckpointTensor>();
  for (const e of index.tensors) {
    if (
      typeof e !== "object" ||
      e === null ||
      typeof e.name !== "string" ||
      !Array.isArray(e.shape) ||
      !e.shape.every((d) => Number.isInteger(d) && d >= 0) ||
      !Number.isInteger(e.offset) ||
      !Number.isInteger(e.length)
    ) {
      return { ok: false, error: `${file}: a tensor entry is malformed (${JSON.stringify(e).slice(0, 120)})` };
    }
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (size !== e.length || e.offset < 0 || e.offset + e.length > values.value.length) {
      return {
        ok: false,
        error: `${file}: tensor ${e.name} of shape [${e.shape.join(", ")}] does not fit the data (offset ${e.offset}, length ${e.length}, ${values.value.length} values)`,
      };
    }
    tensors.set(e.name, {
      name: e.name,
      kind: e.kind,
      shape: e.shape,
      data: values.value.subarray(e.offset, e.offset + e.length),
      ...(e.torchDtype ? { torchDtype: e.torchDtype } : {}),
    });
  }
  return { ok: true, value: { file, index, tensors } };
}
