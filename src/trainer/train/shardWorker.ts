import { parentPort, workerData } from "node:worker_threads";
import type * as tfc from "@tensorflow/tfjs-core";
import { selectBackend } from "../model/backend";
import { compileModel } from "../model/compile";
import type { CompiledModel, TF } from "../model/types";
import type { ShardAnswer, ShardSetup, ShardTask } from "./dataParallel";
import { floatBuffers, packVariables, shardGradients, unpackVariables } from "./shardStep";

/**
 * A gradient worker of data-parallel training (./dataParallel.ts; bundled to
 * dist/trainer-shard-worker.js): its own TensorFlow.js instance and wasm heap, the model compiled
 * from the same analysis. Each task brings the current weights and a part of the batch; the answer
 * is that part's gradients, loss, logits and BatchNorm running statistics.
 */

const setup = workerData as ShardSetup;
const post = (a: ShardAnswer, transfer: ArrayBuffer[] = []) => parentPort?.postMessage(a, transfer);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

interface Ready {
  tf: TF;
  model: CompiledModel;
  params: tfc.Variable[];
  weights: tfc.Variable[];
  buffers: tfc.Variable[];
  varToParam: Map<string, string>;
  evalModules: ReadonlySet<string>;
}

async function prepare(): Promise<Ready | string> {
  const be = await selectBackend(setup.backend, { strict: true });
  if (!be.ok) return `no ${setup.backend} backend: ${be.notUsed.map((n) => n.reason).join("; ") || be.error}`;
  const model = compileModel(be.tf, setup.model, { seed: setup.seed });
  const params: tfc.Variable[] = [];
  for (const name of setup.trained) {
    const v = model.parameters.get(name);
    if (!v) return `the compiled model has no parameter ${name}`;
    params.push(v);
  }
  const buffers = floatBuffers(model).map((n) => model.buffers.get(n)!);
  const varToParam = new Map([...model.parameters].map(([name, v]) => [v.name, name]));
  return { tf: be.tf, model, params, weights: [...model.parameters.values(), ...buffers], buffers, varToParam, evalModules: new Set(setup.evalModules) };
}

let tasks = 0;

async function run(r: Ready, t: ShardTask): Promise<void> {
  tasks += 1;
  if (setup.fault && tasks > setup.fault.afterTasks) {
    if (setup.fault.how === "exit") process.exit(3);
    throw new Error("injected fault (a test)");
  }
  unpackVariables(r.tf, r.weights, t.weights);
  const g = shardGradients(r.tf, r.model, r.params, r.varToParam, t.x, t.shape, t.labels, {
    labelSmoothing: setup.labelSmoothing,
    evalModules: r.evalModules,
    globalBatch: t.globalBatch,
  });
  try {
    const grads = new Float32Array(r.params.reduce((a, v) => a + v.size, 0));
    let at = 0;
    for (const name of setup.trained) {
      const gt = g.grads.get(name);
      const size = r.model.parameters.get(name)!.size;
      if (gt) grads.set((await gt.data()) as Float32Array, at);
      at += size;
    }
    const loss = (await g.loss.data())[0]!;
    const logits = Float32Array.from((await g.logits.data()) as Float32Array);
    const buffers = packVariables(r.buffers);
    post({ type: "done", id: t.id, loss, logits, grads, buffers }, [logits.buffer as ArrayBuffer, grads.buffer as ArrayBuffer, buffers.buffer as ArrayBuffer]);
  } finally {
    g.loss.dispose();
    g.logits.dispose();
    for (const t of g.grads.values()) t.dispose();
  }
}

async function main(): Promise<void> {
  let ready: Ready | string;
  try {
    ready = await prepare();
  } catch (e) {
    ready = message(e);
  }
  if (typeof ready === "string") {
    post({ type: "failed", message: ready });
    return;
  }
  const r = ready;
  // one task at a time: the main thread waits for every answer before it sends the next task
  let queue = Promise.resolve();
  parentPort?.on("message", (t: ShardTask) => {
    queue = queue.then(() => run(r, t)).catch((e: unknown) => post({ type: "failed", message: message(e) }));
  });
  post({ type: "ready", detail: `${r.tf.getBackend()}` });
}

void main();
