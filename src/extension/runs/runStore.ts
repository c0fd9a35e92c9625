import * as fs from "node:fs";
import * as path from "node:path";
import { modelOfRunName, RUN_FILES } from "../../shared/runLayout";
import type { RunBackend } from "../../shared/training";
import { pidAlive } from "../../trainer/runFiles";
import { LineTail } from "./lineTail";
import { remoteRunAlive } from "./remoteFolders";
import { isRunFolder, listRunCheckpoints, listRunFolders, readRunConfig, readRunStatus, type RunConfigSummary } from "./runFolder";
import type { Json } from "./safeFiles";

/**
 * The runs of a runs folder as the Runs view shows them: state, progress, best accuracy, backend.
 * Run folders, their config, status and checkpoints come from the one reader the panels use too
 * (runFolder.ts); `metrics.jsonl` is read incrementally (only what was appended since the last
 * read, in bounded chunks). Pure Node, no `vscode`: the Runs view, the status bar and the tests use it.
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
  /** A run of a remote runs folder (cnnStudio.remoteRunsDirectories): its process is on another machine. */
  remote?: boolean;
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

const noStats = (): MetricsStats => ({
  bestVal: null,
  lastVal: null,
  lastEpoch: 0,
  stepEpoch: 0,
  lastStep: 0,
  lastLoss: null,
  imagesPerSecond: null,
  maxStep: 0,
});

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Both engines log `backend <name> …` when a run starts (src/trainer/engines/tfjs/tfjsEngine.ts, src/trainer/engines/torch/pythonRun.ts). */
const BACKEND = /\bbackend (gpu|native|wasm|js|torch)\b/;

export class RunStore {
  private readonly metrics = new Map<string, MetricsCache>();
  private readonly backends = new Map<string, RunBackend>();

  /** `chunkBytes`: how much of a metrics.jsonl is read at a time (LineTail's default). */
  constructor(private readonly chunkBytes?: number) {}

  /**
   * Every run folder of `runsDir`, newest first; one that cannot be read is listed with its error.
   * `remote`: a folder of runs made elsewhere (a running run is live while its files change, not while its process id is).
   */
  async list(runsDir: string, remote = false): Promise<RunInfo[]> {
    const runs: RunInfo[] = [];
    for (const dir of listRunFolders(runsDir)) {
      const info = await this.read(dir, remote);
      if (info) runs.push(info);
    }
    return runs;
  }

  /**
   * One run folder; null when it is not one (no config.json and no status.json). Never throws: a
   * run whose files cannot be made sense of comes back with `error` saying why.
   */
  async read(dir: string, remote = false): Promise<RunInfo | null> {
    try {
      return await this.readRun(dir, remote);
    } catch (e) {
      const info = unreadableRun(dir, `cannot read this run: ${e instanceof Error ? e.message : String(e)}`);
      return remote ? { ...info, remote } : info;
    }
  }

  private async readRun(dir: string, remote: boolean): Promise<RunInfo | null> {
    if (!isRunFolder(dir)) return null;
    const config = readRunConfig(dir);
    const status = readRunStatus(dir);
    const m = await this.readMetrics(dir);
    let state: RunState = status?.state ?? "unknown";
    if (state === "running" && !(remote ? remoteRunAlive(dir, status?.updatedAt ?? null) : pidAlive(status?.pid ?? null))) state = "interrupted";
    let startedAt: Date | null = null;
    try {
      startedAt = fs.statSync(path.join(dir, RUN_FILES.config)).mtime;
    } catch {
      startedAt = null;
    }
    return {
      dir,
      name: path.basename(dir),
      model: config?.model ?? modelOfRunName(path.basename(dir)),
      file: config?.file ?? null,
      state,
      pid: status?.pid ?? null,
      epoch: Math.max(m.lastEpoch, m.stepEpoch, status?.epoch ?? 0),
      epochs: config?.epochs ?? null,
      step: m.lastStep,
      stepsPerEpoch: m.maxStep > 0 ? m.maxStep : null,
      bestValAccuracy: m.bestVal,
      lastValAccuracy: m.lastVal,
      lastLoss: m.lastLoss,
      imagesPerSecond: m.imagesPerSecond,
      backend: this.backend(dir, config),
      dataset: config?.dataset ?? null,
      message: status?.message ?? null,
      hasCheckpoint: (await listRunCheckpoints(dir)).length > 0,
      startedAt,
      updatedAt: status?.updatedAt ? new Date(status.updatedAt) : null,
      error: null,
      ...(remote ? { remote } : {}),
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

  private backend(dir: string, config: RunConfigSummary | null): RunBackend | null {
    const known = this.backends.get(dir);
    if (known) return known;
    // The trainer logs "backend wasm; …" when a run starts.
    try {
      const fd = fs.openSync(path.join(dir, RUN_FILES.log), "r");
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
    return config?.engine === "torch" ? "torch" : (config?.backend ?? null);
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
    if (r === null) {
      // missing or unreadable now: start afresh next time
      this.metrics.delete(dir);
      return noStats();
    }
    return c;
  }
}

/** A run folder listed with the reason it cannot be read. */
function unreadableRun(dir: string, error: string): RunInfo {
  const name = path.basename(dir);
  return {
    dir,
    name,
    model: modelOfRunName(name),
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

export function percent(x: number | null): string {
  return x === null ? "–" : `${(100 * x).toFixed(1)}%`;
}
