import * as fs from "node:fs";
import * as path from "node:path";
import type { RunBackend } from "../../shared/training";
import { CHECKPOINT_ANY, CHECKPOINT_FORMAT, CHECKPOINT_MODEL, modelOfRunName, RUN_FILES, RUN_MARKERS } from "../../shared/runLayout";
import { readSafetensorsHeader, type SafetensorsEntry } from "./checkpointHeader";
import { fileInside, readJson, readJsonSync, type Json } from "./safeFiles";

/**
 * The one reader of run folders and their checkpoints for the extension: what a run folder is, its
 * configuration and status as far as the views show them, and its checkpoints. The Runs view
 * (runStore.ts) and the panels (panels/runMetrics.ts) both list through it, so they agree. Files are
 * read defensively (safeFiles.ts): a run folder may come from a cloned repository. No `vscode`.
 */

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const obj = (v: unknown): Json | null => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : null);

/** Whether `dir` is a run folder: it has a config.json, status.json or metrics.jsonl. */
export function isRunFolder(dir: string): boolean {
  return RUN_MARKERS.some((f) => fs.existsSync(path.join(dir, f)));
}

/** The run folders directly inside `runsDir`, newest first (their names start with the start time). */
export function listRunFolders(runsDir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(runsDir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((d) => d.isDirectory() && isRunFolder(path.join(runsDir, d.name)))
    .map((d) => d.name)
    .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))
    .map((n) => path.join(runsDir, n));
}

/** What the views show of a run's config.json. */
export interface RunConfigSummary {
  /** The model's name (from the folder's name when config.json does not say). */
  model: string;
  file: string | null;
  /** E.g. `MNIST sample`, `idx: digits`; null when it names none. */
  dataset: string | null;
  epochs: number | null;
  batchSize: number | null;
  optimizer: string | null;
  lr: number | null;
  /** `torch` for the PyTorch engine's runs. */
  engine: string | null;
  /** The TensorFlow.js backend chosen (not `auto`). */
  backend: RunBackend | null;
}

const BACKENDS: ReadonlySet<string> = new Set(["gpu", "native", "wasm", "js", "torch"]);

function describeDataset(dataset: unknown): string | null {
  const d = obj(dataset);
  if (d === null) return null;
  if (d["kind"] === "mnist-sample") return "MNIST sample";
  if (d["kind"] === "shapes10-sample") return "Shapes-10 sample";
  if (d["kind"] === "shapes-seg") return "shapes-seg sample";
  const kind = str(d["kind"]) ?? "dataset";
  const dir = str(d["dir"]);
  return dir !== null ? `${kind}: ${path.basename(dir)}` : `${kind} (config.json names no folder)`;
}

/** A run's configuration, every value checked (config.json may say anything); null without a readable one. */
export function readRunConfig(dir: string): RunConfigSummary | null {
  const c = readJsonSync(path.join(dir, RUN_FILES.config));
  if (c === null) return null;
  const optimizer = obj(c["optimizer"]);
  const backend = str(c["backend"]);
  return {
    model: str(c["model"]) ?? modelOfRunName(path.basename(dir)),
    file: str(c["file"]),
    dataset: describeDataset(c["dataset"]),
    epochs: num(c["epochs"]),
    batchSize: num(c["batchSize"]),
    optimizer: str(optimizer?.["name"]),
    lr: num(optimizer?.["lr"]),
    engine: str(c["engine"]),
    backend: backend !== null && BACKENDS.has(backend) ? (backend as RunBackend) : null,
  };
}

export type WrittenState = "running" | "completed" | "stopped" | "failed" | "unknown";

/** A run's status.json, every value checked; null without a readable one. */
export interface RunStatusSummary {
  state: WrittenState;
  /** The trainer process that wrote it. */
  pid: number | null;
  epoch: number | null;
  message: string | null;
  updatedAt: string | null;
}

export function readRunStatus(dir: string): RunStatusSummary | null {
  const s = readJsonSync(path.join(dir, RUN_FILES.status));
  if (s === null) return null;
  const state = s["state"];
  return {
    state: state === "running" || state === "completed" || state === "stopped" || state === "failed" ? state : "unknown",
    pid: num(s["pid"]),
    epoch: num(s["epoch"]),
    message: str(s["message"]),
    updatedAt: str(s["updatedAt"]),
  };
}

/**
 * A checkpoint of a run: its model file (`.safetensors`, the data too) or, in the format before
 * issue 15, its index (`.json`) and `.bin`; paths inside the run folder (links resolved).
 */
export type RunCheckpoint = {
  index: string;
  bin: string;
  epoch: number;
  globalStep: number;
} & (
  | {
      layout: "bin";
      /** The index's tensor entries, unchecked (see panels/runMetrics.ts). */
      tensors: unknown[];
    }
  | {
      layout: "safetensors";
      /** The header's entries, their byte ranges in the file, unchecked against its size (see panels/runMetrics.ts). */
      tensors: SafetensorsEntry[];
      /** The CRC-32 its __metadata__ records of the data (a decimal string), checked before a tensor is shown; null when it records none. */
      crc32: string | null;
      dataStart: number;
    }
);

/** The checkpoint of `run` whose model file or index is `index`, or null when it is not one (or names data outside the run). */
export async function readRunCheckpoint(run: string, index: string): Promise<RunCheckpoint | null> {
  const dir = path.join(run, RUN_FILES.checkpoints);
  if (path.dirname(index) !== dir || !CHECKPOINT_ANY.test(path.basename(index))) return null;
  const real = await fileInside(run, dir, path.basename(index));
  if (real === null) return null;
  if (CHECKPOINT_MODEL.test(path.basename(index))) {
    const header = await readSafetensorsHeader(real);
    if (header === null || header.metadata["checkpoint"] !== CHECKPOINT_FORMAT) return null;
    const position = obj(parseJson(header.metadata["position"]));
    const [epoch, globalStep] = [num(position?.["epoch"]) ?? 0, num(position?.["globalStep"]) ?? 0];
    const crc32 = header.metadata["crc32"];
    return {
      index,
      bin: real,
      epoch,
      globalStep,
      layout: "safetensors",
      tensors: header.entries,
      crc32: typeof crc32 === "string" ? crc32 : null,
      dataStart: header.dataStart,
    };
  }
  const o = await readJson(index);
  if (o === null || o["format"] !== CHECKPOINT_FORMAT) return null;
  const position = obj(o["position"]);
  const bin = await fileInside(run, dir, str(o["bin"]) ?? path.basename(index, ".json") + ".bin");
  if (bin === null) return null;
  const tensors = o["tensors"];
  const [epoch, globalStep] = [num(position?.["epoch"]) ?? 0, num(position?.["globalStep"]) ?? 0];
  return { index, bin, epoch, globalStep, layout: "bin", tensors: Array.isArray(tensors) ? tensors : [] };
}

function parseJson(v: unknown): unknown {
  try {
    return typeof v === "string" ? (JSON.parse(v) as unknown) : null;
  } catch {
    return null;
  }
}

/** The checkpoints of a run folder, oldest first (by name: epoch, then step). */
export async function listRunCheckpoints(run: string): Promise<RunCheckpoint[]> {
  const dir = path.join(run, RUN_FILES.checkpoints);
  let names: string[];
  try {
    names = (await fs.promises.readdir(dir)).filter((n) => CHECKPOINT_ANY.test(n)).sort();
  } catch {
    return [];
  }
  const out: RunCheckpoint[] = [];
  for (const n of names) {
    const c = await readRunCheckpoint(run, path.join(dir, n));
    if (c) out.push(c);
  }
  return out;
}
