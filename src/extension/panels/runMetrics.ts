import * as fs from "node:fs";
import * as path from "node:path";
import type { CheckpointInfo, Tensor } from "../../shared/webview/common";
import { EPOCH_KEYS, STEP_KEYS, type EpochColumns, type RunInfo, type StepColumns } from "../../shared/webview/curves";
import { CRC_START, crc32Final, crc32Update } from "../../shared/crc32";
import { LineTail } from "../runs/lineTail";
import type { SafetensorsEntry } from "../runs/checkpointHeader";
import { listRunCheckpoints, listRunFolders, readRunCheckpoint, readRunConfig, readRunStatus } from "../runs/runFolder";

/**
 * What the panels read of the trainer's run folders (no `vscode` import; tested directly): a run
 * as the curves panel lists it, its metrics.jsonl followed by offset, the checkpoints of a model
 * and one tensor of a checkpoint. Run folders and checkpoints are found and read by the one
 * reader the Runs view uses too (../runs/runFolder.ts). Formats: src/trainer/runFiles.ts and
 * src/trainer/checkpoint.ts.
 */

function field(o: unknown, ...keys: string[]): unknown {
  let v = o;
  for (const k of keys) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

const numOr = <T>(v: unknown, fallback: T): number | T => (typeof v === "number" ? v : fallback);

export function readRunInfo(runDir: string): RunInfo {
  const config = readRunConfig(runDir);
  return {
    id: runDir,
    name: path.basename(runDir),
    status: readRunStatus(runDir)?.state ?? "unknown",
    model: config?.model ?? "",
    dataset: config?.dataset ?? "",
    epochs: config?.epochs ?? null,
    stepsPerEpoch: null,
    batchSize: config?.batchSize ?? null,
    optimizer: config?.optimizer ?? null,
    lr: config?.lr ?? null,
  };
}

/** Growable columns of numbers. */
class Columns<K extends string> {
  private data: Record<string, number[]> = {};
  constructor(private readonly keys: readonly K[]) {
    for (const k of keys) this.data[k] = [];
  }
  push(row: Record<K, number>): void {
    for (const k of this.keys) this.data[k]!.push(row[k]);
  }
  get length(): number {
    return this.data[this.keys[0]!]!.length;
  }
  take(): Record<K, Float64Array> {
    const out = {} as Record<K, Float64Array>;
    for (const k of this.keys) {
      out[k] = Float64Array.from(this.data[k]!);
      this.data[k] = [];
    }
    return out;
  }
}

/** A record's `time` (ISO 8601) in milliseconds since 1970; NaN when absent or unreadable. */
function timeOf(o: unknown): number {
  const t = field(o, "time");
  return typeof t === "string" ? Date.parse(t) : NaN;
}

/** A metric value as JSON carries it: NaN and Infinity arrive as null. */
const metric = (v: unknown): number => (typeof v === "number" ? v : NaN);

export interface MetricsChunk {
  /** True when the file was rewritten (a resumed run rewinds it): the chunk replaces everything before. */
  reset: boolean;
  steps: StepColumns;
  epochs: EpochColumns;
  stepsPerEpoch: number | null;
}

/**
 * Follows a run's metrics.jsonl: each `read()` returns the lines appended since the last one
 * (a torn last line waits for its end), read in bounded chunks (LineTail).
 */
export class MetricsTail {
  private readonly lines: LineTail;
  private lastGlobalStep = 0;
  private stepsPerEpoch: number | null = null;
  constructor(
    readonly runDir: string,
    chunkBytes?: number,
  ) {
    this.lines = new LineTail(path.join(runDir, "metrics.jsonl"), chunkBytes);
  }

  get file(): string {
    return this.lines.file;
  }

  /** The records appended since the last read; null when nothing changed (or there is no file). */
  async read(): Promise<MetricsChunk | null> {
    const steps = new Columns(STEP_KEYS);
    const epochs = new Columns(EPOCH_KEYS);
    const r = await this.lines.read(
      (line) => this.record(line, steps, epochs),
      () => (this.lastGlobalStep = 0),
    );
    if (r === null || !r.changed) return null;
    return { reset: r.reset, steps: steps.take(), epochs: epochs.take(), stepsPerEpoch: this.stepsPerEpoch };
  }

  private record(line: string, steps: Columns<(typeof STEP_KEYS)[number]>, epochs: Columns<(typeof EPOCH_KEYS)[number]>): void {
    if (line.trim() === "") return;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      return;
    }
    const type = field(o, "type");
    if (type === "step" || type === "progress") {
      const globalStep = numOr(field(o, "globalStep"), NaN);
      if (!(globalStep > 0)) return;
      const epoch = numOr(field(o, "epoch"), NaN);
      const step = numOr(field(o, "step"), NaN);
      if (step > 0 && epoch > 1 && this.stepsPerEpoch === null) this.stepsPerEpoch = (globalStep - step) / (epoch - 1);
      this.lastGlobalStep = globalStep;
      steps.push({
        globalStep,
        epoch,
        loss: metric(field(o, "loss")),
        accuracy: metric(field(o, "accuracy")),
        lr: metric(field(o, "lr")),
        imagesPerSecond: metric(field(o, "imagesPerSecond")),
        time: timeOf(o),
      });
    } else if (type === "epoch" || type === "epochEnd") {
      const epoch = numOr(field(o, "epoch"), NaN);
      if (!(epoch > 0)) return;
      epochs.push({
        epoch,
        globalStep: numOr(field(o, "globalStep"), this.lastGlobalStep),
        trainLoss: metric(field(o, "trainLoss")),
        trainAccuracy: metric(field(o, "trainAccuracy")),
        valLoss: metric(field(o, "valLoss")),
        valAccuracy: metric(field(o, "valAccuracy")),
        lr: metric(field(o, "lr")),
        time: timeOf(o),
      });
    }
  }
}

// ---- checkpoints -------------------------------------------------------------------------------

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

const count = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** A tensor entry of an index, or null when it is not one (its shape's size must be its length). */
function tensorEntry(v: unknown): TensorEntry | null {
  const name = field(v, "name");
  const shape = field(v, "shape");
  const offset = field(v, "offset");
  const length = field(v, "length");
  if (typeof name !== "string" || !Array.isArray(shape) || !shape.every(count) || !count(offset) || !count(length)) return null;
  return shape.reduce((a: number, b: number) => a * b, 1) === length ? { name, shape: [...shape], offset, length } : null;
}

function sameFile(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b);
}

/**
 * Checkpoints of the runs of one model (the runs whose config.json names this file and model),
 * newest first (runFolder.ts: only indexes and `.bin`s inside their run folder).
 */
export async function listCheckpoints(runsDir: string, file: string, model: string): Promise<CheckpointInfo[]> {
  const out: CheckpointInfo[] = [];
  for (const run of listRunFolders(runsDir)) {
    const config = readRunConfig(run);
    if (config === null || config.model !== model) continue;
    if (config.file !== null && file !== "" && !sameFile(config.file, file)) continue;
    const runName = path.basename(run);
    for (const c of await listRunCheckpoints(run)) {
      out.push({
        id: c.index,
        run,
        runName,
        epoch: c.epoch,
        globalStep: c.globalStep,
        // the useful part first (menus cut long labels); the run by its start time (the panel is one model's)
        label: `epoch ${c.epoch}, step ${c.globalStep} · ${runName.endsWith(`-${model}`) ? runName.slice(0, -model.length - 1) : runName}`,
      });
    }
  }
  return out.sort((a, b) => (a.run === b.run ? b.globalStep - a.globalStep : a.run < b.run ? 1 : -1));
}

/**
 * One tensor (by PyTorch `state_dict` name) of a listed checkpoint, or null when it has none of
 * that name. Its place in the `.bin` is checked against the file's size before anything is
 * allocated; a `.bin` outside the run folder is refused.
 */
export async function readCheckpointTensor(checkpoint: Pick<CheckpointInfo, "id" | "run">, name: string): Promise<Tensor | null> {
  const index = await readRunCheckpoint(checkpoint.run, checkpoint.id);
  if (!index) throw new Error(`${checkpoint.id} is not a checkpoint of ${checkpoint.run} (any more), or its data file is missing or outside the run folder.`);
  if (index.layout === "safetensors") {
    const tensor = await readSafetensorsTensor(checkpoint.id, index.bin, index.tensors, name);
    if (tensor !== null && index.crc32 !== null) await checkDataCrc(checkpoint.id, index.bin, index.dataStart, index.crc32);
    return tensor;
  }
  const raw = index.tensors.find((t) => field(t, "name") === name);
  if (raw === undefined) return null;
  const entry = tensorEntry(raw);
  if (!entry) throw new Error(`${checkpoint.id}: the entry of "${name}" is malformed (${JSON.stringify(raw).slice(0, 120)}).`);
  const fh = await fs.promises.open(index.bin, "r");
  try {
    const size = (await fh.stat()).size;
    const bytes = entry.length * 4;
    if ((entry.offset + entry.length) * 4 > size) {
      throw new Error(
        `${checkpoint.id}: "${name}" (offset ${entry.offset}, length ${entry.length} values) lies beyond the end of ${path.basename(index.bin)} (${size} bytes).`,
      );
    }
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, entry.offset * 4);
    if (bytesRead !== bytes) throw new Error(`${checkpoint.id}: ${path.basename(index.bin)} ended while reading "${name}".`);
    const data = new Float32Array(entry.length);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let i = 0; i < entry.length; i++) data[i] = view.getFloat32(i * 4, true);
    return { shape: entry.shape, data };
  } finally {
    await fh.close();
  }
}

/** The files whose data matched their CRC-32, by path, size and modification time (a file is checked once, not per tensor shown). */
const checkedData = new Set<string>();
const CRC_CHUNK = 16 * 1024 * 1024;

/** Throws when the data of a checkpoint's model file (from `dataStart` to its end) is not the CRC-32 its __metadata__ records (`recorded`). */
async function checkDataCrc(id: string, file: string, dataStart: number, recorded: string): Promise<void> {
  const fh = await fs.promises.open(file, "r");
  try {
    const stat = await fh.stat();
    const key = `${file}\0${stat.size}\0${stat.mtimeMs}`;
    if (checkedData.has(key)) return;
    const buf = Buffer.alloc(Math.min(CRC_CHUNK, Math.max(0, stat.size - dataStart)));
    let crc = CRC_START;
    for (let at = dataStart; at < stat.size;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, stat.size - at), at);
      if (bytesRead === 0) throw new Error(`${id}: ${path.basename(file)} ended at byte ${at} of ${stat.size}.`);
      crc = crc32Update(crc, buf.subarray(0, bytesRead));
      at += bytesRead;
    }
    const computed = crc32Final(crc);
    if (String(computed) !== recorded)
      throw new Error(`${id}: checksum mismatch: __metadata__ crc32 is ${recorded}, the data's CRC-32 is ${computed} (the file is damaged).`);
    checkedData.add(key);
  } finally {
    await fh.close();
  }
}

/** Bytes per element of the dtypes a checkpoint's model file holds (float32, and int64 counters). */
const CHECKPOINT_DTYPES: Record<string, { bytes: number; read: (b: Buffer, i: number) => number }> = {
  F32: { bytes: 4, read: (b, i) => b.readFloatLE(i * 4) },
  I64: { bytes: 8, read: (b, i) => Number(b.readBigInt64LE(i * 8)) },
};

/** One tensor of a checkpoint's model file, its byte range checked against its shape and the file's size before anything is allocated. */
async function readSafetensorsTensor(id: string, file: string, entries: readonly SafetensorsEntry[], name: string): Promise<Tensor | null> {
  const entry = entries.find((e) => e.name === name);
  if (entry === undefined) return null;
  const dtype = CHECKPOINT_DTYPES[entry.dtype];
  const length = entry.shape.reduce((a, b) => a * b, 1);
  if (dtype === undefined || entry.end - entry.begin !== length * dtype.bytes)
    throw new Error(`${id}: "${name}" (${entry.dtype} [${entry.shape.join(", ")}]) does not match its data_offsets (${entry.end - entry.begin} bytes).`);
  const fh = await fs.promises.open(file, "r");
  try {
    const size = (await fh.stat()).size;
    if (entry.end > size)
      throw new Error(`${id}: "${name}" (bytes ${entry.begin} to ${entry.end}) lies beyond the end of ${path.basename(file)} (${size} bytes).`);
    const buf = Buffer.alloc(entry.end - entry.begin);
    const { bytesRead } = await fh.read(buf, 0, buf.length, entry.begin);
    if (bytesRead !== buf.length) throw new Error(`${id}: ${path.basename(file)} ended while reading "${name}".`);
    const data = new Float32Array(length);
    for (let i = 0; i < length; i++) data[i] = dtype.read(buf, i);
    return { shape: [...entry.shape], data };
  } finally {
    await fh.close();
  }
}
