import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type * as tfc from "@tensorflow/tfjs-core";
import type { ModelAnalysis } from "../../shared/analysis";
import type { BackendName } from "../../shared/training";
import type { CompiledModel, TF } from "../model/types";
import type { Optimizer } from "./optimizers";
import { clipGradNorm } from "./optimizers";
import { floatBuffers, packVariables, shardGradients } from "./shardStep";

/**
 * Data-parallel training on several threads (`--workers N`, issue 17): each step's batch is split
 * into N contiguous parts; the main thread computes the gradients of the first, N − 1 gradient
 * workers (./shardWorker.ts, node:worker_threads, each with its own wasm instance) those of the
 * others, from the weights the main thread sends with each task. The parts' losses are scaled by
 * their share of the batch, so their gradients add up to the whole batch's (as one thread computes
 * them, up to float rounding); the main thread clips and applies one optimiser step.
 *
 * BatchNorm: each part normalises with its own batch statistics (as PyTorch's DistributedDataParallel
 * without SyncBatchNorm), so a model with BatchNorm trains slightly differently from one thread; the
 * running statistics are the parts' averaged by their sizes (the running mean is then the one thread's,
 * up to rounding; the running variance misses the spread between the parts' means). Dropout masks are
 * drawn per part, so they differ from one thread's.
 */

export interface ShardSetup {
  backend: BackendName;
  model: ModelAnalysis;
  seed: number;
  /** The trained parameters (`state_dict` names, in the order of the gradients sent back). */
  trained: string[];
  evalModules: string[];
  labelSmoothing: number;
  /** Tests: fail after this many tasks, by throwing or by ending the thread. */
  fault?: { afterTasks: number; how: "throw" | "exit" };
}

/** A task: the weights (parameters then float buffers, packed) and a part of the batch. */
export interface ShardTask {
  id: number;
  weights: Float32Array;
  x: Float32Array;
  shape: [number, number, number, number];
  labels: Int32Array;
  globalBatch: number;
}

export type ShardAnswer =
  | { type: "ready"; detail: string }
  | { type: "done"; id: number; loss: number; logits: Float32Array; grads: Float32Array; buffers: Float32Array }
  | { type: "failed"; message: string };

type Done = Extract<ShardAnswer, { type: "done" }>;

/** The worker's program: beside this file in out/ (tests), dist/trainer-shard-worker.js beside the trainer bundle. */
export function shardWorkerFile(): string | null {
  for (const f of [path.join(__dirname, "shardWorker.js"), path.join(__dirname, "trainer-shard-worker.js")]) if (fs.existsSync(f)) return f;
  return null;
}

/** The sizes of `parts` contiguous parts of `n` images (the first ones one larger when n does not divide). */
export function partSizes(n: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0));
}

class ShardWorker {
  private readonly worker: Worker;
  private pending: ((a: ShardAnswer) => void) | null = null;
  private ended: string | null = null;
  readonly ready: Promise<ShardAnswer>;

  constructor(
    file: string,
    setup: ShardSetup,
    readonly label: string,
  ) {
    this.worker = new Worker(file, { workerData: setup, stdout: false, stderr: false });
    this.ready = this.next();
    this.worker.on("message", (a: ShardAnswer) => this.answer(a));
    this.worker.on("error", (e) => this.end(`${this.label} failed: ${e.message}`));
    this.worker.on("exit", (code) => this.end(`${this.label} exited (code ${code})`));
  }

  private next(): Promise<ShardAnswer> {
    return new Promise((resolve) => {
      this.pending = resolve;
    });
  }

  private answer(a: ShardAnswer): void {
    if (a.type === "failed") this.ended ??= `${this.label} failed: ${a.message}`;
    const p = this.pending;
    this.pending = null;
    p?.(a.type === "failed" ? { type: "failed", message: this.ended! } : a);
  }

  private end(why: string): void {
    this.ended ??= why;
    const p = this.pending;
    this.pending = null;
    p?.({ type: "failed", message: this.ended });
  }

  send(task: ShardTask): Promise<ShardAnswer> {
    if (this.ended !== null) return Promise.resolve({ type: "failed", message: this.ended });
    const answer = this.next();
    this.worker.postMessage(task, [task.weights.buffer as ArrayBuffer, task.x.buffer as ArrayBuffer, task.labels.buffer as ArrayBuffer]);
    return answer;
  }

  async close(): Promise<void> {
    this.ended ??= `${this.label} was closed`;
    await this.worker.terminate();
  }
}

export interface DataParallelOptions {
  /** Threads in all, the main thread included (2 or more). */
  threads: number;
  backend: BackendName;
  analysis: ModelAnalysis;
  model: CompiledModel;
  seed: number;
  /** The trained parameters (frozen ones left out). */
  trained: readonly string[];
  evalModules?: ReadonlySet<string>;
  labelSmoothing: number;
  /** The worker program (default: shardWorkerFile()). */
  file?: string;
  fault?: ShardSetup["fault"];
}

export type StepResult = { ok: true; loss: number; logits: Float32Array } | { ok: false; error: string };

export class DataParallel {
  private nextId = 1;
  private readonly weightVars: tfc.Variable[];
  private readonly bufferVars: tfc.Variable[];

  private constructor(
    private readonly tf: TF,
    private readonly o: DataParallelOptions,
    private readonly workers: ShardWorker[],
  ) {
    const buffers = floatBuffers(o.model).map((n) => o.model.buffers.get(n)!);
    this.weightVars = [...o.model.parameters.values(), ...buffers];
    this.bufferVars = buffers;
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** Starts the workers and waits until each has compiled the model; the error names the worker that failed. */
  static async start(tf: TF, o: DataParallelOptions): Promise<{ ok: true; value: DataParallel } | { ok: false; error: string }> {
    const file = o.file ?? shardWorkerFile();
    if (file === null) return { ok: false, error: "the gradient worker's program (trainer-shard-worker.js) is missing beside the trainer" };
    const setup: ShardSetup = {
      backend: o.backend,
      model: o.analysis,
      seed: o.seed,
      trained: [...o.trained],
      evalModules: [...(o.evalModules ?? [])],
      labelSmoothing: o.labelSmoothing,
      ...(o.fault ? { fault: o.fault } : {}),
    };
    const workers = Array.from({ length: o.threads - 1 }, (_, i) => new ShardWorker(file, setup, `gradient worker ${i + 1} of ${o.threads - 1}`));
    const answers = await Promise.all(workers.map((w) => w.ready));
    const failed = answers.find((a) => a.type === "failed");
    if (failed?.type === "failed") {
      await Promise.all(workers.map((w) => w.close()));
      return { ok: false, error: failed.message };
    }
    return { ok: true, value: new DataParallel(tf, o, workers) };
  }

  /**
   * One optimiser step on the batch (NCHW floats) over every thread: the same update as
   * `trainStep` (./loop.ts) on the whole batch, up to float rounding (and BatchNorm, see above).
   */
  async trainStep(
    optimizer: Optimizer,
    params: tfc.Variable[],
    varToParam: ReadonlyMap<string, string>,
    x: Float32Array,
    shape: [number, number, number, number],
    labels: Int32Array,
    clip: number,
  ): Promise<StepResult> {
    const { tf, o } = this;
    const n = shape[0];
    const img = shape[1] * shape[2] * shape[3];
    const sizes = partSizes(n, this.threads);
    const weights = this.workers.length > 0 && sizes[1]! > 0 ? packVariables(this.weightVars) : null;
    const answers: Promise<ShardAnswer>[] = [];
    let start = sizes[0]!;
    this.workers.forEach((w, i) => {
      const m = sizes[i + 1]!;
      if (m > 0 && weights !== null) {
        answers.push(
          w.send({
            id: this.nextId++,
            weights: i === this.workers.length - 1 ? weights : weights.slice(),
            x: x.slice(start * img, (start + m) * img),
            shape: [m, shape[1], shape[2], shape[3]],
            labels: labels.slice(start, start + m),
            globalBatch: n,
          }),
        );
      }
      start += m;
    });
    const mine = shardGradients(
      tf,
      o.model,
      params,
      varToParam,
      x.subarray(0, sizes[0]! * img),
      [sizes[0]!, shape[1], shape[2], shape[3]],
      labels.subarray(0, sizes[0]!),
      {
        labelSmoothing: o.labelSmoothing,
        ...(o.evalModules ? { evalModules: o.evalModules } : {}),
        globalBatch: n,
      },
    );
    try {
      const done: Done[] = [];
      for (const a of await Promise.all(answers)) {
        if (a.type !== "done") return { ok: false, error: a.type === "failed" ? a.message : "a gradient worker answered out of turn" };
        done.push(a);
      }
      let loss = (await mine.loss.data())[0]!;
      for (const d of done) loss += d.loss;
      const logits = new Float32Array(n * (mine.logits.size / Math.max(1, sizes[0]!)));
      logits.set((await mine.logits.data()) as Float32Array);
      let at = mine.logits.size;
      for (const d of done) {
        logits.set(d.logits, at);
        at += d.logits.length;
      }
      this.apply(optimizer, mine.grads, done, clip);
      this.averageBuffers(sizes, n, done);
      return { ok: true, loss, logits };
    } finally {
      mine.loss.dispose();
      mine.logits.dispose();
      for (const g of mine.grads.values()) g.dispose();
    }
  }

  /** Sums the parts' gradients (each already scaled by its share), clips them and applies the optimiser. */
  private apply(optimizer: Optimizer, mine: ReadonlyMap<string, tfc.Tensor>, done: readonly Done[], clip: number): void {
    const tf = this.tf;
    tf.tidy(() => {
      const total = new Map<string, tfc.Tensor>();
      let at = 0;
      for (const name of this.o.trained) {
        const v = this.o.model.parameters.get(name)!;
        let g = mine.get(name) ?? tf.zeros(v.shape);
        for (const d of done) g = tf.add(g, tf.tensor(d.grads.subarray(at, at + v.size), v.shape, "float32"));
        total.set(name, g);
        at += v.size;
      }
      optimizer.step(clip > 0 ? clipGradNorm(tf, total, clip).grads : total);
    });
  }

  /** BatchNorm running statistics: the parts' averaged, weighted by their sizes. */
  private averageBuffers(sizes: readonly number[], n: number, done: readonly Done[]): void {
    if (this.bufferVars.length === 0 || done.length === 0) return;
    const tf = this.tf;
    const mineShare = sizes[0]! / n;
    const shares = sizes
      .slice(1)
      .filter((m) => m > 0)
      .map((m) => m / n);
    let at = 0;
    for (const v of this.bufferVars) {
      const own = v.dataSync() as Float32Array;
      // a BatchNorm in evaluation mode (frozen) changed nothing: keep its statistics bit for bit
      if (done.every((d) => own.every((b, i) => b === d.buffers[at + i]))) {
        at += v.size;
        continue;
      }
      const avg = Float32Array.from(own, (b) => b * mineShare);
      done.forEach((d, j) => {
        for (let i = 0; i < avg.length; i++) avg[i] = avg[i]! + d.buffers[at + i]! * shares[j]!;
      });
      const t = tf.tensor(avg, v.shape, "float32");
      v.assign(t);
      t.dispose();
      at += v.size;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
