import * as fs from "node:fs";
import * as path from "node:path";
import { CHECKPOINT_FORMAT, CHECKPOINT_INDEX } from "../shared/runLayout";
import { removeStaleTemps, writeFileAtomic, writeFileAtomicWith, type ByteSink } from "./runFiles";

/**
 * Checkpoints: `checkpoints/e0003-s000125.json`, an index, and `e0003-s000125.bin`, the float32
 * values (little-endian) of every tensor one after another. Tensor names are PyTorch `state_dict`
 * names (`features.0.weight`, `bn1.running_mean`, ...); optimiser state is named
 * `optimizer.<param>.<slot>` (PyTorch's `exp_avg`, `exp_avg_sq`, `momentum_buffer`). The `.bin`
 * is written first, then the index, each to a temporary file renamed into place, so an index
 * always describes a complete `.bin`; a checkpoint whose `.bin` is missing or the wrong size or
 * checksum is ignored when resuming.
 */

export { CHECKPOINT_FORMAT };

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

/** Where training stands, and the running sums of the current epoch. */
export interface TrainingPosition {
  /** 1-based epoch of the last completed step (0 before any step). */
  epoch: number;
  /** Steps completed in that epoch (stepsPerEpoch when the epoch, with its evaluation, is done). */
  step: number;
  globalStep: number;
  /** The epoch's running sums so far (weighted by batch size). */
  lossSum: number;
  correct: number;
  correctTop5: number;
  seen: number;
  /** Lines of metrics.jsonl written up to this point. */
  metricsLines: number;
  /** Seconds of training so far (for the run's total time). */
  seconds: number;
}

export interface CheckpointIndex {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  model: string;
  writtenAt: string;
  reason: "epoch" | "stop";
  /** The epoch's validation results, for epoch checkpoints. */
  validation?: { loss: number; accuracy: number };
  bin: string;
  byteLength: number;
  crc32: number;
  position: TrainingPosition;
  optimizer: { name: string; scalars: Record<string, number> };
  /**
   * Random state. Every draw is counter-based: the data order of epoch e comes from
   * hash(seed, "shuffle", e), augmentation of step g from hash(seed, "augment", g), so the state is
   * the seed and the position.
   */
  rng: { seed: number; scheme: string };
  tensors: TensorEntry[];
}

export interface CheckpointTensor {
  name: string;
  kind: TensorEntry["kind"];
  shape: number[];
  data: Float32Array;
  torchDtype?: "int64";
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

const CRC_START = 0xffffffff;

/** The running CRC-32 after `bytes` (start from CRC_START, end with crc32Final). */
export function crc32Update(crc: number, bytes: Uint8Array): number {
  let c = crc;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return c;
}

const crc32Final = (crc: number): number => (crc ^ 0xffffffff) >>> 0;

export function crc32(bytes: Uint8Array): number {
  return crc32Final(crc32Update(CRC_START, bytes));
}

export function checkpointBase(epoch: number, step: number): string {
  return `e${String(epoch).padStart(4, "0")}-s${String(step).padStart(6, "0")}`;
}

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

export function writeCheckpoint(
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

export interface LoadedCheckpoint {
  file: string;
  index: CheckpointIndex;
  tensors: Map<string, CheckpointTensor>;
}

type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** The largest checkpoint index read (a real one is a few kB per hundred tensors). */
const MAX_INDEX_BYTES = 64 * 1024 * 1024;
/** Bytes read from a `.bin` at a time. */
const READ_CHUNK = 64 * 1024 * 1024;

const errorCode = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));

/** The index file, checked field by field (the tensor entries are checked against the data later). */
function readIndex(file: string): Checked<CheckpointIndex> {
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
  const p = index.position as unknown as Record<string, unknown> | undefined;
  const positionKeys: (keyof TrainingPosition)[] = ["epoch", "step", "globalStep", "lossSum", "correct", "correctTop5", "seen", "metricsLines", "seconds"];
  const badKey = typeof p !== "object" || p === null ? "position" : positionKeys.find((k) => typeof p[k] !== "number" || !Number.isFinite(p[k]));
  if (badKey !== undefined) return { ok: false, error: `${file}: the index has no valid ${badKey === "position" ? "position" : `position.${badKey}`}` };
  const opt = index.optimizer as unknown as { name?: unknown; scalars?: unknown } | undefined;
  if (typeof opt !== "object" || opt === null || typeof opt.name !== "string" || typeof opt.scalars !== "object" || opt.scalars === null) {
    return { ok: false, error: `${file}: the index has no valid optimizer state` };
  }
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

/** A checkpoint, checked whole: never throws; a damaged one is an error naming the file and why. */
export function readCheckpoint(file: string): Checked<LoadedCheckpoint> {
  const read = readIndex(file);
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

/**
 * Deletes old checkpoints, keeping the newest `keep` and the epoch checkpoint with the best
 * validation accuracy (earliest on ties), and the temporary files of interrupted writes
 * (removeStaleTemps). Returns the removed files; never throws.
 */
export function pruneCheckpoints(runDir: string, keep: number): string[] {
  const stale = removeStaleTemps(path.join(runDir, "checkpoints"));
  const all = listCheckpoints(runDir);
  if (all.length <= keep) return stale;
  let best: { file: string; accuracy: number } | null = null;
  for (const f of all) {
    try {
      if (fs.statSync(f).size > MAX_INDEX_BYTES) continue;
      const acc = (JSON.parse(fs.readFileSync(f, "utf8")) as Partial<CheckpointIndex>).validation?.accuracy;
      if (typeof acc === "number" && (best === null || acc > best.accuracy)) best = { file: f, accuracy: acc };
    } catch {
      // unreadable: not the best
    }
  }
  const removed: string[] = [...stale];
  for (const f of all.slice(0, all.length - keep)) {
    if (f === best?.file) continue;
    try {
      fs.rmSync(f.replace(/\.json$/, ".bin"), { force: true });
      fs.rmSync(f, { force: true });
      removed.push(f);
    } catch {
      // kept, then
    }
  }
  return removed;
}

/** Checkpoint indexes of a run, oldest first (by position). */
export function listCheckpoints(runDir: string): string[] {
  const dir = path.join(runDir, "checkpoints");
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => CHECKPOINT_INDEX.test(f))
      .sort()
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

/** The newest complete checkpoint of a run; damaged ones (a crash mid-write) are skipped, with the reasons. */
export function latestCheckpoint(runDir: string): { checkpoint: LoadedCheckpoint | null; skipped: string[] } {
  const skipped: string[] = [];
  for (const file of listCheckpoints(runDir).reverse()) {
    const r = readCheckpoint(file);
    if (r.ok) return { checkpoint: r.value, skipped };
    skipped.push(r.error);
  }
  return { checkpoint: null, skipped };
}
