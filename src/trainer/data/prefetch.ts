import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { makeTrainBatch, type BatchSpec, type TrainBatch } from "./trainBatches";
import { fail, type ImageDataset, type Result } from "./types";
import { normalizationTable, type Normalization } from "./batches";
import { randomResizedCrop, type AugmentPreset } from "../../shared/trainConfigData";

/**
 * Where the training loop gets its augmented batches (the `standard` and `strong` presets):
 * `request` starts making a batch and returns its promise, so the loop can ask for step s + 1 before
 * it trains step s. In the thread (`InThreadBatches`) the batch is made at once; in a worker
 * (`WorkerBatches`, node:worker_threads) it is made while the step trains. Failures are values.
 */
export interface BatchLoader {
  request(indices: Uint32Array, globalStep: number): Promise<Result<TrainBatch>>;
  /** Ends the worker; requests still open resolve as failures. */
  close(): Promise<void>;
  readonly kind: "thread" | "worker";
}

export class InThreadBatches implements BatchLoader {
  readonly kind = "thread";
  private closed = false;
  constructor(private readonly spec: BatchSpec) {}
  request(indices: Uint32Array, globalStep: number): Promise<Result<TrainBatch>> {
    return Promise.resolve(this.closed ? fail("the run ended") : makeTrainBatch(this.spec, indices, globalStep));
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** A request to the worker, and its answer. */
export type WorkerRequest = { id: number; indices: Uint32Array; globalStep: number };
export type WorkerAnswer = { id: number; result: Result<TrainBatch> };

/** The worker's program: beside this file in out/ (tests), dist/trainer-batch-worker.js in the bundle. */
export function batchWorkerFile(): string | null {
  for (const f of [path.join(__dirname, "batchWorker.js"), path.join(__dirname, "trainer-batch-worker.js")]) if (fs.existsSync(f)) return f;
  return null;
}

export class WorkerBatches implements BatchLoader {
  readonly kind = "worker";
  private readonly worker: Worker;
  private readonly open = new Map<number, (r: Result<TrainBatch>) => void>();
  private nextId = 1;
  private ended: string | null = null;

  constructor(file: string, spec: BatchSpec) {
    this.worker = new Worker(file, { workerData: spec, stdout: false, stderr: false });
    this.worker.on("message", (m: WorkerAnswer) => {
      const done = this.open.get(m.id);
      this.open.delete(m.id);
      done?.(m.result);
    });
    this.worker.on("error", (e) => this.end(`the decoding worker failed: ${e.message}`));
    this.worker.on("exit", (code) => this.end(`the decoding worker exited (code ${code})`));
  }

  private end(why: string): void {
    this.ended ??= why;
    for (const done of this.open.values()) done(fail(why));
    this.open.clear();
  }

  request(indices: Uint32Array, globalStep: number): Promise<Result<TrainBatch>> {
    if (this.ended !== null) return Promise.resolve(fail(this.ended));
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.open.set(id, resolve);
      this.worker.postMessage({ id, indices: Uint32Array.from(indices), globalStep } satisfies WorkerRequest);
    });
  }

  async close(): Promise<void> {
    this.end("the run ended");
    await this.worker.terminate();
  }
}

/** A worker where its program is found and not turned off (CNN_STUDIO_DATA_WORKER=0), else the thread. */
export function batchLoader(spec: BatchSpec, useWorker = process.env["CNN_STUDIO_DATA_WORKER"] !== "0"): BatchLoader {
  const file = useWorker ? batchWorkerFile() : null;
  return file === null ? new InThreadBatches(spec) : new WorkerBatches(file, spec);
}

/** The loader of a run's training batches where its preset crops at random (`standard`, `strong`); null otherwise (fillBatch, as before). */
export function trainBatchLoader(
  data: { augment: AugmentPreset },
  seed: number,
  dataset: ImageDataset,
  normalization: Normalization,
  useWorker?: boolean,
): BatchLoader | null {
  if (!randomResizedCrop(data.augment)) return null;
  const t = dataset.train;
  const spec: BatchSpec = {
    channels: dataset.channels,
    height: dataset.height,
    width: dataset.width,
    images: t.files ? null : t.images,
    labels: t.labels,
    files: t.files ?? null,
    tables: normalizationTable(normalization),
    preset: data.augment,
    seed,
  };
  return batchLoader(spec, useWorker);
}
