import * as fs from "node:fs";
import * as path from "node:path";

/**
 * A run on disk: `<runsDir>/<yyyy-mm-dd-HHMMSS>-<model>/` with
 *   config.json      the training configuration (TrainConfig)
 *   metrics.jsonl    append-only, one JSON object per step ("step") and per epoch ("epoch")
 *   checkpoints/     `e0003-s000125.json` (index) + `.bin` (float32s), see checkpoint.ts
 *   log.txt          human-readable log, appended
 *   status.json      state (running, completed, stopped, failed), written atomically
 * Everything is appended or replaced atomically (temp file + rename), so a process that dies at
 * any moment leaves every file either as it was or complete.
 */

export type RunState = "running" | "completed" | "stopped" | "failed";

export interface RunStatus {
  state: RunState;
  updatedAt: string;
  pid: number | null;
  epoch: number;
  step: number;
  globalStep: number;
  message: string | null;
  logTail: string[];
}

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** `<name>.tmp-<pid>`, as writeFileAtomic (and the exported Python's save_checkpoint) names them. */
const TEMP_FILE = /^.+\.tmp-(\d+)$/;

/**
 * Removes the temporary files of writes that never finished (`kill -9` mid-write) from `dir`:
 * those of a process that is no longer alive, and those named with this process's id (its writes
 * are synchronous, so none of them is in progress: the name is a reused id's). Files of another
 * live process (a writer now) are kept. Returns the removed paths; never throws.
 */
export function removeStaleTemps(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(TEMP_FILE.exec(name)?.[1] ?? NaN);
    if (!Number.isSafeInteger(pid) || (pid !== process.pid && pidAlive(pid))) continue;
    const file = path.join(dir, name);
    try {
      if (!fs.lstatSync(file).isFile()) continue;
      fs.rmSync(file);
      removed.push(file);
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export function runDirName(model: string, date: Date): string {
  const stamp = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
  return `${stamp}-${model.replace(/[^A-Za-z0-9_.-]/g, "_")}`;
}

/** Creates a new run folder (never reusing one: `-2`, `-3`, ... when started within the same second). */
export function createRunDir(runsDir: string, model: string, date = new Date()): string {
  fs.mkdirSync(runsDir, { recursive: true });
  const base = path.join(runsDir, runDirName(model, date));
  for (let k = 1; ; k++) {
    const dir = k === 1 ? base : `${base}-${k}`;
    try {
      fs.mkdirSync(dir);
      fs.mkdirSync(path.join(dir, "checkpoints"));
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}

export function readStatus(runDir: string): RunStatus | null {
  try {
    const s = JSON.parse(fs.readFileSync(path.join(runDir, "status.json"), "utf8")) as RunStatus;
    return typeof s === "object" && s !== null && typeof s.state === "string" ? s : null;
  } catch {
    return null;
  }
}

/** The last `lines` lines of the run's log.txt. */
export function logTail(runDir: string, lines = 40): string[] {
  try {
    const fd = fs.openSync(path.join(runDir, "log.txt"), "r");
    try {
      const size = fs.fstatSync(fd).size;
      const len = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      return buf.toString("utf8").split(/\r?\n/).filter((l) => l.length > 0).slice(-lines);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return [];
  }
}

/**
 * Marks a run failed (used by the parent when the trainer process dies): appends the reason and the
 * process output's tail to log.txt and writes status.json. Never throws; never removes anything.
 */
export function markRunFailed(runDir: string, message: string, outputTail: readonly string[]): void {
  try {
    const prev = readStatus(runDir);
    const stamp = new Date().toISOString();
    const lines = [`${stamp} [parent] run failed: ${message}`, ...outputTail.map((l) => `${stamp} [trainer output] ${l}`)];
    fs.appendFileSync(path.join(runDir, "log.txt"), lines.join("\n") + "\n");
    const status: RunStatus = {
      state: "failed",
      updatedAt: stamp,
      pid: prev?.pid ?? null,
      epoch: prev?.epoch ?? 0,
      step: prev?.step ?? 0,
      globalStep: prev?.globalStep ?? 0,
      message,
      logTail: logTail(runDir),
    };
    writeFileAtomic(path.join(runDir, "status.json"), JSON.stringify(status, null, 2) + "\n");
  } catch {
    // the run folder is gone or unwritable: nothing more to keep
  }
}

/** Writing side of a run folder, used by the trainer process. */
export class RunFiles {
  private metricsLines: number;
  constructor(readonly dir: string) {
    this.metricsLines = countLines(path.join(dir, "metrics.jsonl"));
  }
  get metricsPath(): string {
    return path.join(this.dir, "metrics.jsonl");
  }
  get checkpointsDir(): string {
    return path.join(this.dir, "checkpoints");
  }
  /** Lines in metrics.jsonl so far (a checkpoint records it, to resume exactly there). */
  get metricsCount(): number {
    return this.metricsLines;
  }
  writeConfig(config: unknown): void {
    writeFileAtomic(path.join(this.dir, "config.json"), JSON.stringify(config, null, 2) + "\n");
  }
  appendMetrics(record: object): void {
    fs.appendFileSync(this.metricsPath, JSON.stringify(record) + "\n");
    this.metricsLines++;
  }
  log(message: string): void {
    const stamp = new Date().toISOString();
    fs.appendFileSync(path.join(this.dir, "log.txt"), message.split("\n").map((l) => `${stamp} ${l}`).join("\n") + "\n");
  }
  status(s: Omit<RunStatus, "updatedAt" | "pid" | "logTail"> & { logTail?: string[] }): void {
    const full: RunStatus = { ...s, updatedAt: new Date().toISOString(), pid: process.pid, logTail: s.logTail ?? [] };
    writeFileAtomic(path.join(this.dir, "status.json"), JSON.stringify(full, null, 2) + "\n");
  }
  /**
   * Marks the run failed at `at`, or, where training had not started (null: a resume that failed),
   * where status.json last stood: a failure never rewinds the run's recorded progress to epoch 0.
   */
  failed(message: string, at: { epoch: number; step: number; globalStep: number } | null): void {
    const prev = readStatus(this.dir);
    const n = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
    const p = at ?? { epoch: n(prev?.epoch), step: n(prev?.step), globalStep: n(prev?.globalStep) };
    this.status({ state: "failed", epoch: p.epoch, step: p.step, globalStep: p.globalStep, message, logTail: logTail(this.dir) });
  }
  /**
   * Before resuming from a checkpoint written when metrics.jsonl had `keep` lines: lines after it
   * (steps the checkpoint does not include, which the resumed run will repeat) move to
   * metrics.discarded.jsonl, so metrics.jsonl reads as one uninterrupted history and nothing is lost.
   */
  rewindMetrics(keep: number): number {
    const file = this.metricsPath;
    let text = "";
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      this.metricsLines = 0;
      return 0;
    }
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    if (lines.length <= keep) {
      // a torn last line (the process died mid-write) is not a line: rewrite to whole lines
      this.metricsLines = lines.length;
      return 0;
    }
    const extra = lines.slice(keep);
    fs.appendFileSync(path.join(this.dir, "metrics.discarded.jsonl"), extra.join("\n") + "\n");
    writeFileAtomic(file, lines.slice(0, keep).map((l) => l + "\n").join(""));
    this.metricsLines = keep;
    return extra.length;
  }
}

function countLines(file: string): number {
  try {
    const text = fs.readFileSync(file, "utf8");
    return text.split("\n").filter((l) => l.length > 0).length;
  } catch {
    return 0;
  }
}
