import { parentPort, workerData } from "node:worker_threads";
import type { WorkerAnswer, WorkerRequest } from "./prefetch";
import { makeTrainBatch, type BatchSpec } from "./trainBatches";

/** The decoding worker (src/trainer/data/prefetch.ts): makes the batches it is asked for, in order, and posts them back. */
const spec = workerData as BatchSpec;
parentPort?.on("message", (m: WorkerRequest) => {
  const result = makeTrainBatch(spec, m.indices, m.globalStep);
  const answer: WorkerAnswer = { id: m.id, result };
  parentPort?.postMessage(answer, result.ok ? [result.value.x.buffer as ArrayBuffer, result.value.y.buffer as ArrayBuffer] : []);
});
