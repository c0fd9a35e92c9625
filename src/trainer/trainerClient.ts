import { fork, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  validateEvent,
  validateRequest,
  type FeatureMapsEvent,
  type InspectedEvent,
  type InspectQuery,
  type InspectResultOf,
  type PongEvent,
  type EngineSpec,
  type TrainConfig,
  type TrainerEvent,
  type TrainerRequest,
} from "../shared/training";
import { markRunFailed } from "./runFiles";

/**
 * The parent's side of the trainer protocol, shared by the extension and the CLI (no vscode
 * import). Starts the trainer as a child process (`child_process.fork`, advanced serialization),
 * validates every message it receives, and turns the process dying without a final event into an
 * `error` event of phase "process" — marking the run folder failed, with the tail of the
 * process's output, and losing nothing already written.
 */

export interface TrainerClientOptions {
  /** The trainer program; default: `trainer.js` beside this bundle (dist/). */
  trainerPath?: string;
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Lines of the child's stdout/stderr kept for crash reports (default 60). */
  tailLines?: number;
}

export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

type Listener = (e: TrainerEvent) => void;

/** The default trainer program: dist/trainer.js beside dist/cli.js or dist/extension.js. */
export function defaultTrainerPath(): string {
  const candidates = [path.join(__dirname, "trainer.js"), path.join(__dirname, "..", "..", "..", "dist", "trainer.js")];
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[0]!;
}

export class TrainerClient {
  private readonly child: ChildProcess;
  private readonly listeners = new Set<Listener>();
  private readonly tail: string[] = [];
  private readonly tailLines: number;
  private partial = { stdout: "", stderr: "" };
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (e: TrainerEvent) => void; reject: (e: Error) => void; type: string }>();
  private runDir: string | null = null;
  private startSent = false;
  private finished = false;
  private exitInfo: TrainerExit | null = null;
  private killed = false;
  /** Requests sent before the trainer said `ready` wait here (its message handler may not exist yet). */
  private queue: TrainerRequest[] | null = [];
  /** Resolves when the trainer process has exited (never rejects). */
  readonly exited: Promise<TrainerExit>;

  constructor(options: TrainerClientOptions = {}) {
    this.tailLines = options.tailLines ?? 60;
    const program = options.trainerPath ?? defaultTrainerPath();
    this.child = fork(program, [], {
      serialization: "advanced",
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      execArgv: options.execArgv ?? [],
      ...(options.env ? { env: options.env } : {}),
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    for (const stream of ["stdout", "stderr"] as const) {
      this.child[stream]?.setEncoding("utf8");
      this.child[stream]?.on("data", (chunk: string) => this.capture(stream, chunk));
    }
    this.child.on("message", (raw: unknown) => this.receive(raw));
    this.exited = new Promise((resolve) => {
      let settled = false;
      const done = (info: TrainerExit) => {
        if (settled) return;
        settled = true;
        this.exitInfo = info;
        this.onExit(info);
        resolve(info);
      };
      this.child.on("exit", (code, signal) => done({ code, signal }));
      this.child.on("error", (err) => {
        this.capture("stderr", `cannot start the trainer (${program}): ${err.message}\n`);
        if (this.child.exitCode === null && this.child.pid === undefined) done({ code: null, signal: null });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** How the process ended; null while it runs. */
  get exitStatus(): TrainerExit | null {
    return this.exitInfo;
  }

  /** Subscribes to events (validated); returns the unsubscribe function. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The last lines the trainer process wrote to stdout and stderr. */
  outputTail(): string[] {
    return [...this.tail, ...[this.partial.stdout, this.partial.stderr].filter((s) => s.length > 0)];
  }

  private capture(stream: "stdout" | "stderr", chunk: string): void {
    const text = this.partial[stream] + chunk;
    const lines = text.split(/\r?\n/);
    this.partial[stream] = lines.pop() ?? "";
    for (const l of lines) {
      if (l.trim() === "") continue;
      this.tail.push(l);
      if (this.tail.length > this.tailLines) this.tail.shift();
    }
  }

  private dispatch(e: TrainerEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // a listener's failure is the listener's business
      }
    }
  }

  private receive(raw: unknown): void {
    const checked = validateEvent(raw);
    if (!checked.ok) {
      this.dispatch({ type: "log", level: "warning", message: `ignored an invalid message from the trainer: ${checked.error}` });
      return;
    }
    const e = checked.value;
    switch (e.type) {
      case "ready": {
        const queued = this.queue ?? [];
        this.queue = null;
        for (const q of queued) this.transmit(q);
        break;
      }
      case "started":
        this.runDir = e.runDir;
        break;
      case "completed":
      case "stopped":
        this.finished = true;
        break;
      case "error":
        if (e.requestId === null && e.phase !== "request") this.finished = true;
        if (e.runDir !== null && this.runDir === null) this.runDir = e.runDir;
        break;
    }
    if (
      (e.type === "pong" || e.type === "featureMaps" || e.type === "inspected" || (e.type === "error" && e.requestId !== null)) &&
      this.pending.has(e.requestId!)
    ) {
      const p = this.pending.get(e.requestId!)!;
      this.pending.delete(e.requestId!);
      if (e.type === "error") p.reject(new Error(e.message));
      else p.resolve(e);
    }
    this.dispatch(e);
  }

  private onExit(info: TrainerExit): void {
    for (const [, p] of this.pending) p.reject(new Error(`the trainer exited before answering ${p.type} (${describeExit(info)})`));
    this.pending.clear();
    // nothing to report: the run ended, or no run was asked for and the exit was clean or ours
    if (this.finished || (!this.startSent && (info.code === 0 || this.killed))) return;
    const how = describeExit(info);
    const tail = this.outputTail();
    const message = this.startSent ? `the trainer process ${how} before the run ended` : `the trainer process ${how}`;
    if (this.runDir !== null) markRunFailed(this.runDir, message, tail);
    this.finished = true;
    this.dispatch({ type: "error", requestId: null, phase: "process", message, diagnostics: [], runDir: this.runDir, logTail: tail });
  }

  /** Sends a request (checked first); false when the process is gone. */
  send(req: TrainerRequest): boolean {
    const checked = validateRequest(req);
    if (!checked.ok) throw new Error(`not a valid trainer request: ${checked.error}`);
    if (this.exitInfo !== null || !this.child.connected) return false;
    if (req.type === "start") this.startSent = true;
    if (this.queue !== null) {
      this.queue.push(checked.value);
      return true;
    }
    return this.transmit(checked.value);
  }

  private transmit(req: TrainerRequest): boolean {
    try {
      this.child.send(req);
      return true;
    } catch {
      return false;
    }
  }

  /** Starts a run of `config` with `engine` (TensorFlow.js unless told). */
  start(config: TrainConfig, engine: EngineSpec = { name: "tfjs" }): boolean {
    return this.send({ type: "start", config, engine });
  }

  stop(): boolean {
    return this.send({ type: "stop" });
  }

  private request<T extends TrainerEvent>(type: string, make: (id: number) => TrainerRequest, timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending.delete(id)) reject(new Error(`the trainer did not answer ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, {
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e as T);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
        type,
      });
      if (!this.send(make(id))) {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(new Error(`the trainer process is not running (cannot send ${type})`));
      }
    });
  }

  ping(timeoutMs = 10_000): Promise<PongEvent> {
    return this.request<PongEvent>("ping", (requestId) => ({ type: "ping", requestId }), timeoutMs);
  }

  featureMaps(nodeIds: number[], split: "train" | "validation", index: number, timeoutMs = 60_000): Promise<FeatureMapsEvent> {
    return this.request<FeatureMapsEvent>("featureMaps", (requestId) => ({ type: "featureMaps", requestId, nodeIds, split, index }), timeoutMs);
  }

  /** One computation for the panels (any trainer process answers, with or without a run); rejects with the trainer's message. */
  async inspect<Q extends InspectQuery>(query: Q, timeoutMs = 60_000): Promise<InspectResultOf<Q["kind"]>> {
    const e = await this.request<InspectedEvent>("inspect", (requestId) => ({ type: "inspect", requestId, query }), timeoutMs);
    if (e.result.kind !== query.kind) throw new Error(`the trainer answered ${query.kind} with ${e.result.kind}`);
    return e.result as InspectResultOf<Q["kind"]>;
  }

  /** Asks the trainer to stop (at a step boundary, with a checkpoint) and exit; kills it after `graceMs`. */
  async shutdown(graceMs = 30_000): Promise<TrainerExit> {
    if (this.exitInfo !== null) return this.exitInfo;
    this.send({ type: "shutdown" });
    const timer = setTimeout(() => this.kill(), graceMs);
    timer.unref();
    const info = await this.exited;
    clearTimeout(timer);
    return info;
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.exitInfo !== null) return;
    this.killed = true;
    this.child.kill(signal);
  }
}

function describeExit(info: TrainerExit): string {
  if (info.signal) return `was killed by ${info.signal}`;
  if (info.code === null) return "could not be started";
  return `exited with code ${info.code}`;
}
