import * as fs from "node:fs";
import * as path from "node:path";
import type { RunBackend, TrainConfig } from "../../shared/training";
import { LineTail } from "./lineTail";
import { readJsonSync, type Json } from "./safeFiles";

/**
 * Reads the training runs of a runs folder: `<runsDir>/<stamp>-<model>/` with `config.json`,
 * `status.json`, `metrics.jsonl`, `checkpoints/` and `log.txt` (the trainer's run-folder layout).
 * Pure Node, no `vscode`: the Runs view, the status bar and the tests use it. `metrics.jsonl` is
 * read incrementally (only what was appended since the last read, in bounded chunks).
 */

export type RunState = "running" | "completed" | "stopped" | "failed" | "interrupted" | "unknown";

export interface RunInfo {
  dir: string;
  name: string;
  model: string;
  file: string | null;
  state: RunState;
  /** The trainer process (status.json), running or not. */
  pid: number | null;
  /** The epoch in progress or last completed (from the metrics), or the status' epoch. */
  epoch: number;
  epochs: number | null;
  /** Steps of the current epoch and per epoch, from the latest step record. */
  step: number;
  stepsPerEpoch: number | null;
  bestValAccuracy: number | null;
  lastValAccuracy: number | null;
  lastLoss: number | null;
  imagesPerSecond: number | null;
  backend: RunBackend | null;
  dataset: string | null;
  message: string | null;
  hasCheckpoint: boolean;
  startedAt: Date | null;
  updatedAt: Date | null;
  /** Why the run folder could not be read (it is listed all the same); null when it was. */
  error: string | null;
}

interface MetricsStats {
  bestVal: number | null;
  lastVal: number | null;
  lastEpoch: number;
  /** The epoch of the latest step record (the epoch in progress). */
  stepEpoch: number;
  lastStep: number;
  lastLoss: number | null;
  imagesPerSecond: number | null;
  maxStep: number;
}

interface MetricsCache extends MetricsStats {
  tail: LineTail;
}

const noStats = (): MetricsStats => ({ bestVal: null, lastVal: null, lastEpoch: 0, stepEpoch: 0, lastStep: 0, lastLoss: null, imagesPerSecond: null, maxStep: 0 });

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** status.json's state, as the trainer writes it (src/trainer/runs.ts), or "unknown". */
export function statusState(status: Json | null): "running" | "completed" | "stopped" | "failed" | "unknown" {
  const state = status?.["state"];
  return state === "running" || state === "completed" || state === "stopped" || state === "failed" ? state : "unknown";
}

function pidAlive(pid: number | null): boolean {
  if (pid === null || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Both engines log `backend <name> …` when a run starts (src/trainer/engines/tfjs/tfjsEngine.ts, src/trainer/engines/torch/pythonRun.ts). */
const BACKEND = /\bbackend (gpu|native|wasm|js|torch)\b/;
const BACKENDS: ReadonlySet<string> = new Set(["gpu", "native", "wasm", "js", "torch"]);

export class RunStore {
  private readonly metrics = new Map<string, MetricsCache>();
  private readonly backends = new Map<string, RunBackend>();

  /** `chunkBytes`: how much of a metrics.jsonl is read at a time (LineTail's default). */
  constructor(private readonly chunkBytes?: number) {}

  /** Every run folder of `runsDir`, newest first; one that cannot be read is listed with its error. */
  async list(runsDir: string): Promise<RunInfo[]> {
    let names: string[];
    try {
      names = fs.readdirSync(runsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      return [];
    }
    const runs: RunInfo[] = [];
    for (const name of names) {
      const info = await this.read(path.join(runsDir, name));
      if (info) runs.push(info);
    }
    return runs.sort((a, b) => b.name.localeCompare(a.name));
  }

  /**
   * One run folder; null when it is not one (no config.json and no status.json). Never throws: a
   * run whose files cannot be made sense of comes back with `error` saying why.
   */
  async read(dir: string): Promise<RunInfo | null> {
    try {
      return await this.readRun(dir);
    } catch (e) {
      return unreadableRun(dir, `cannot read this run: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async readRun(dir: string): Promise<RunInfo | null> {
    const config = readJsonSync(path.join(dir, "config.json")) as Partial<TrainConfig> | null;
    const status = readJsonSync(path.join(dir, "status.json"));
    if (!config && !status) return null;
    const m = await this.readMetrics(dir);
    const pid = num(status?.["pid"]);
    let state: RunState = statusState(status);
    if (state === "running" && !pidAlive(pid)) state = "interrupted";
    const dataset = describeDataset(config?.dataset);
    const updated = str(status?.["updatedAt"]);
    let startedAt: Date | null = null;
    try {
      startedAt = fs.statSync(path.join(dir, "config.json")).mtime;
    } catch {
      startedAt = null;
    }
    return {
      dir,
      name: path.basename(dir),
      model: typeof config?.model === "string" ? config.model : path.basename(dir).replace(/^\d{4}-\d\d-\d\d-\d{6}-/, ""),
      file: typeof config?.file === "string" ? config.file : null,
      state,
      pid,
      epoch: Math.max(m.lastEpoch, m.stepEpoch, num(status?.["epoch"]) ?? 0),
      epochs: typeof config?.epochs === "number" ? config.epochs : null,
      step: m.lastStep,
      stepsPerEpoch: m.maxStep > 0 ? m.maxStep : null,
      bestValAccuracy: m.bestVal,
      lastValAccuracy: m.lastVal,
      lastLoss: m.lastLoss,
      imagesPerSecond: m.imagesPerSecond,
      backend: this.backend(dir, config),
      dataset,
      message: str(status?.["message"]),
      hasCheckpoint: hasCheckpoint(dir),
      startedAt,
      updatedAt: updated ? new Date(updated) : null,
      error: null,
    };
  }

  /** Records the backend a run uses (known from the trainer's `started` event). */
  noteBackend(dir: string, backend: RunBackend): void {
    this.backends.set(dir, backend);
  }

  forget(dir: string): void {
    this.metrics.delete(dir);
    this.backends.delete(dir);
  }

  private backend(dir: string, config: (Partial<TrainConfig> & { engine?: unknown }) | null): RunBackend | null {
    const known = this.backends.get(dir);
    if (known) return known;
    // The trainer logs "backend wasm; …" when a run starts.
    try {
      const fd = fs.openSync(path.join(dir, "log.txt"), "r");
      try {
        const buf = Buffer.alloc(16 * 1024);
        const n = fs.readSync(fd, buf, 0, buf.length, 0);
        const hit = BACKEND.exec(buf.subarray(0, n).toString("utf8"));
        if (hit) {
          const b = hit[1] as RunBackend;
          this.backends.set(dir, b);
          return b;
        }
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      // no log yet
    }
    // Before the log says: the PyTorch engine's config.json names it; a TensorFlow.js run's names its choice.
    if (config?.engine === "torch") return "torch";
    const choice: unknown = config?.backend;
    return typeof choice === "string" && BACKENDS.has(choice) ? (choice as RunBackend) : null;
  }

  /** The run's metrics so far: only what was appended since the last read is read, in bounded chunks. */
  private async readMetrics(dir: string): Promise<MetricsStats> {
    let cache = this.metrics.get(dir);
    if (!cache) {
      cache = { tail: new LineTail(path.join(dir, "metrics.jsonl"), this.chunkBytes), ...noStats() };
      this.metrics.set(dir, cache);
    }
    const c = cache;
    const r = await c.tail.read(
      (line) => applyRecord(c, line),
      () => Object.assign(c, noStats()), // rewritten shorter (a resume rewinds it): read from the start
    );
    if (r === null) Object.assign(c, noStats());
    return c;
  }
}

/** The dataset as the Runs view shows it, from a config.json that may say anything; null when it names none. */
function describeDataset(dataset: unknown): string | null {
  if (typeof dataset !== "object" || dataset === null) return null;
  const { kind, dir } = dataset as { kind?: unknown; dir?: unknown };
  if (kind === "mnist-sample") return "MNIST sample";
  const k = typeof kind === "string" ? kind : "dataset";
  return typeof dir === "string" ? `${k}: ${path.basename(dir)}` : `${k} (config.json names no folder)`;
}

/** A run folder listed with the reason it cannot be read. */
function unreadableRun(dir: string, error: string): RunInfo {
  const name = path.basename(dir);
  return {
    dir,
    name,
    model: name.replace(/^\d{4}-\d\d-\d\d-\d{6}-/, ""),
    file: null,
    state: "unknown",
    pid: null,
    epoch: 0,
    epochs: null,
    step: 0,
    stepsPerEpoch: null,
    bestValAccuracy: null,
    lastValAccuracy: null,
    lastLoss: null,
    imagesPerSecond: null,
    backend: null,
    dataset: null,
    message: null,
    hasCheckpoint: false,
    startedAt: null,
    updatedAt: null,
    error,
  };
}

function applyRecord(cache: MetricsStats, line: string): void {
  if (!line.trim()) return;
  let r: Json;
  try {
    const v: unknown = JSON.parse(line);
    if (typeof v !== "object" || v === null) return;
    r = v as Json;
  } catch {
    return;
  }
  if (r["type"] === "epoch") {
    const val = num(r["valAccuracy"]);
    if (val !== null) {
      cache.lastVal = val;
      cache.bestVal = cache.bestVal === null ? val : Math.max(cache.bestVal, val);
    }
    const epoch = num(r["epoch"]);
    if (epoch !== null) cache.lastEpoch = epoch;
  } else if (r["type"] === "step") {
    const epoch = num(r["epoch"]);
    if (epoch !== null) cache.stepEpoch = epoch;
    const step = num(r["step"]);
    if (step !== null) {
      cache.lastStep = step;
      cache.maxStep = Math.max(cache.maxStep, step);
    }
    cache.lastLoss = num(r["loss"]) ?? cache.lastLoss;
    cache.imagesPerSecond = num(r["imagesPerSecond"]) ?? cache.imagesPerSecond;
  }
}

function hasCheckpoint(dir: string): boolean {
  try {
    return fs.readdirSync(path.join(dir, "checkpoints")).some((f) => f.endsWith(".json"));
  } catch {
    return false;
  }
}

export function percent(x: number | null): string {
  return x === null ? "–" : `${(100 * x).toFixed(1)}%`;
}
