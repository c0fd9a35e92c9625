import * as fs from "node:fs";
import * as path from "node:path";
import type { RunBackend, TrainConfig } from "../../shared/training";

/**
 * Reads the training runs of a runs folder: `<runsDir>/<stamp>-<model>/` with `config.json`,
 * `status.json`, `metrics.jsonl`, `checkpoints/` and `log.txt` (the trainer's run-folder layout).
 * Pure Node, no `vscode`: the Runs view, the status bar and the tests use it. `metrics.jsonl` is
 * read incrementally (only what was appended since the last read).
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
}

interface MetricsCache {
  offset: number;
  size: number;
  partial: string;
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

type Json = Record<string, unknown>;

/** A JSON object file (config.json, status.json, a checkpoint index); null when missing, unreadable or not an object. */
export function readJson(file: string): Json | null {
  try {
    const v: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : null;
  } catch {
    return null;
  }
}

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

export class RunStore {
  private readonly metrics = new Map<string, MetricsCache>();
  private readonly backends = new Map<string, RunBackend>();

  /** Every run folder of `runsDir`, newest first. */
  list(runsDir: string): RunInfo[] {
    let names: string[];
    try {
      names = fs.readdirSync(runsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      return [];
    }
    const runs: RunInfo[] = [];
    for (const name of names) {
      const info = this.read(path.join(runsDir, name));
      if (info) runs.push(info);
    }
    return runs.sort((a, b) => b.name.localeCompare(a.name));
  }

  /** One run folder; null when it is not one (no config.json and no status.json). */
  read(dir: string): RunInfo | null {
    const config = readJson(path.join(dir, "config.json")) as Partial<TrainConfig> | null;
    const status = readJson(path.join(dir, "status.json"));
    if (!config && !status) return null;
    const m = this.readMetrics(dir);
    const pid = num(status?.["pid"]);
    let state: RunState = statusState(status);
    if (state === "running" && !pidAlive(pid)) state = "interrupted";
    const dataset = config?.dataset ? (config.dataset.kind === "mnist-sample" ? "MNIST sample" : `${config.dataset.kind}: ${path.basename(config.dataset.dir)}`) : null;
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
    const choice = config?.backend;
    return choice && choice !== "auto" ? choice : null;
  }

  private readMetrics(dir: string): MetricsCache {
    const file = path.join(dir, "metrics.jsonl");
    let cache = this.metrics.get(dir);
    let size = 0;
    try {
      size = fs.statSync(file).size;
    } catch {
      size = 0;
    }
    if (!cache || size < cache.size) {
      // New, or rewritten shorter (a resume rewinds it): read from the start.
      cache = { offset: 0, size: 0, partial: "", bestVal: null, lastVal: null, lastEpoch: 0, stepEpoch: 0, lastStep: 0, lastLoss: null, imagesPerSecond: null, maxStep: 0 };
      this.metrics.set(dir, cache);
    }
    if (size > cache.offset) {
      try {
        const fd = fs.openSync(file, "r");
        try {
          const buf = Buffer.alloc(size - cache.offset);
          const n = fs.readSync(fd, buf, 0, buf.length, cache.offset);
          cache.offset += n;
          const text = cache.partial + buf.subarray(0, n).toString("utf8");
          const lines = text.split("\n");
          cache.partial = lines.pop() ?? "";
          for (const line of lines) applyRecord(cache, line);
        } finally {
          fs.closeSync(fd);
        }
      } catch {
        // unreadable now; try again next time
      }
    }
    cache.size = size;
    return cache;
  }
}

function applyRecord(cache: MetricsCache, line: string): void {
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
