import * as fs from "node:fs";
import * as path from "node:path";

/**
 * A run on disk: `<runsDir>/<yyyy-mm-dd-HHMMSS>-<model>/` with
 *   config.json      the training configuration (TrainConfig)
 *   metrics.jsonl    append-only, one JSON object per step ("step") and per epoch ("epoch")
 *   checkpoints/     `e0003-s000125.safetensors` (the state_dict) + `.optimizer.safetensors`, see checkpoint.ts
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

/** Where a streamed file's bytes go, a piece at a time. */
export type ByteSink = (bytes: Uint8Array) => void;

/** Writes all of `bytes` at the file's current position (a write may take less than asked). */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += fs.writeSync(fd, bytes, at, bytes.length - at);
}

/**
 * Writes `file` through a temporary file renamed into place: `fill` hands the content to the sink
 * piece by piece (a file of any size, never one buffer of it). On failure the temporary file is
 * removed and the error rethrown.
 */
export function writeFileAtomicWith<T>(file: string, fill: (sink: ByteSink) => T): T {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, "w");
  let result: T;
  try {
    result = fill((bytes) => writeAll(fd, bytes));
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  return result;
}

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  writeFileAtomicWith(file, (sink) => sink(typeof data === "string" ? Buffer.from(data, "utf8") : data));
}

/** Whether `pid` (a positive process id) is a live process: one that a signal could reach (EPERM: alive, but another user's). */
export function pidAlive(pid: number | null): boolean {
  if (pid === null || pid <= 0) return false;
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

/** A status.json is a few kB; a larger one is not the trainer's. */
const MAX_STATUS_BYTES = 1024 * 1024;

export function readStatus(runDir: string): RunStatus | null {
  try {
    const file = path.join(runDir, "status.json");
    if (fs.statSync(file).size > MAX_STATUS_BYTES) return null;
    const s = JSON.parse(fs.readFileSync(file, "utf8")) as RunStatus;
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
      return buf
        .toString("utf8")
        .split(/\r?\n/)
        .filter((l) => l.length > 0)
        .slice(-lines);
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
    fs.appendFileSync(
      path.join(this.dir, "log.txt"),
      message
        .split("\n")
        .map((l) => `${stamp} ${l}`)
        .join("\n") + "\n",
    );
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
    const scan = scanLines(file, keep);
    if (scan === null) {
      this.metricsLines = 0;
      return 0;
    }
    if (scan.lines <= keep) {
      // a torn last line (the process died mid-write) counts as a line
      this.metricsLines = scan.lines;
      return 0;
    }
    const discarded = path.join(this.dir, "metrics.discarded.jsonl");
    copyRange(file, scan.cut, scan.size, discarded);
    if (!scan.endsWithNewline) fs.appendFileSync(discarded, "\n");
    fs.truncateSync(file, scan.cut);
    this.metricsLines = keep;
    return scan.lines - keep;
  }
}

/** Bytes read at a time when scanning metrics.jsonl (of any size: never read whole). */
const SCAN_CHUNK = 4 * 1024 * 1024;

/** Calls `each` with the file's bytes from `from` on, in chunks, and their position; false when it cannot be read. */
function eachChunk(file: string, each: (bytes: Buffer, at: number) => void, from = 0): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return false;
  }
  try {
    const buf = Buffer.alloc(SCAN_CHUNK);
    for (let at = from; ;) {
      const n = fs.readSync(fd, buf, 0, buf.length, at);
      if (n === 0) return true;
      each(buf.subarray(0, n), at);
      at += n;
    }
  } catch {
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The lines of `file` as `split("\n")` counts them (a torn last line is one, a final newline
 * ends the last), and the byte where line `keep` ends; null when it cannot be read.
 */
function scanLines(file: string, keep: number): { lines: number; cut: number; size: number; endsWithNewline: boolean } | null {
  let newlines = 0;
  let cut = 0;
  let size = 0;
  let last = -1;
  const ok = eachChunk(file, (bytes, at) => {
    for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a, nl + 1)) {
      newlines++;
      if (newlines === keep) cut = at + nl + 1;
    }
    size = at + bytes.length;
    last = bytes[bytes.length - 1]!;
  });
  if (!ok) return null;
  const endsWithNewline = size === 0 || last === 0x0a;
  return { lines: newlines + (endsWithNewline ? 0 : 1), cut: keep === 0 ? 0 : cut, size, endsWithNewline };
}

/** Appends bytes [from, to) of `file` to `target`, a chunk at a time. */
function copyRange(file: string, from: number, to: number, target: string): void {
  const out = fs.openSync(target, "a");
  try {
    eachChunk(
      file,
      (bytes, at) => {
        const a = Math.max(from - at, 0);
        const b = Math.min(to - at, bytes.length);
        if (b > a) writeAll(out, bytes.subarray(a, b));
      },
      from,
    );
  } finally {
    fs.closeSync(out);
  }
}

/** Non-empty lines of `file` (0 when it cannot be read), counted a chunk at a time. */
function countLines(file: string): number {
  let count = 0;
  let inLine = false;
  eachChunk(file, (bytes) => {
    let start = 0;
    for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a, start)) {
      if (inLine || nl > start) count++;
      inLine = false;
      start = nl + 1;
    }
    if (start < bytes.length) inLine = true;
  });
  return count + (inLine ? 1 : 0);
}
