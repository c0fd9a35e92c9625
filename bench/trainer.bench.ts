import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Analyzer } from "../src/analyzer/index";
import { trainConfig, type BackendName, type OptimizerConfig, type ScheduleConfig } from "../src/shared/training";
import { loadMnistSample } from "../src/trainer/data/mnistSample";
import { selectBackend } from "../src/trainer/model/backend";
import { compileModel } from "../src/trainer/model/compile";
import type { TF } from "../src/trainer/model/types";
import { rngFor } from "../src/trainer/rng";
import { TfjsEngine } from "../src/trainer/engines/tfjs/tfjsEngine";
import { trainStep, variableNames } from "../src/trainer/train/loop";
import { createOptimizer } from "../src/trainer/train/optimizers";
import { DataParallel } from "../src/trainer/train/dataParallel";

/**
 * Trainer speed and accuracy, measured in the same run as PyTorch (Debian's CPU build,
 * /usr/bin/python3, bench/torch_train.py):
 *
 * 1. Throughput: images/s of whole training steps (forward, cross-entropy, backward, SGD update)
 *    at batch 64, for LeNet-5 (28×28 digits of mnist-sample), SimpleCNN (3×32×32) and the MNIST
 *    transformers (examples/vit-mnist.ts vitMnist, examples/convnext-mnist.ts convnextMnist: the
 *    same work as their PyTorch twins in bench/torch_train.py), on every TensorFlow.js backend that
 *    loads here, and PyTorch CPU on the same data; ratios to PyTorch.
 * 2. Accuracy: LeNet-5, "our CNN" and the small ResNet trained on mnist-sample by the trainer and
 *    by PyTorch with the same data, optimiser, schedule, epochs and batch size; held-out accuracy
 *    and the difference (the target: within 1 percentage point).
 *
 * Environment: BENCH_ACCURACY=0 skips part 2; BENCH_MODELS=lenet5Mnist,ourCnn,mnistResNet picks
 * models; BENCH_EPOCHS (default 4) and BENCH_SEEDS (default "0", comma-separated; accuracies are
 * averaged) set the training; BENCH_TORCH_THREADS (default 1) PyTorch's threads for the accuracy
 * runs (throughput is measured with 1 thread, like the wasm backend, and with every core);
 * BENCH_BACKENDS=wasm,js and BENCH_THROUGHPUT_MODELS=vitMnist,convnextMnist narrow part 1;
 * BENCH_WORKERS (default "1,2") the threads of the wasm/js rows (issue 17, data-parallel `--workers N`).
 */

const ROOT = path.resolve(__dirname, "..", "..");
const PYTHON = "/usr/bin/python3";
const TORCH_SCRIPT = path.join(ROOT, "bench", "torch_train.py");
const BATCH = 64;
/** PyTorch's threads for the accuracy runs (default 1: on a loaded 2-core machine OpenMP spinning makes more threads slower). */
const THREADS = Number(process.env["BENCH_TORCH_THREADS"] ?? 1);

/** The recipe of the accuracy comparison (also the one of test/trainer/accuracy.test.ts). */
export const RECIPE = { optimizer: "sgd", lr: 0.1, momentum: 0.9, nesterov: true, schedule: "onecycle", batchSize: 32 } as const;

interface Case {
  model: string;
  file: string;
  input: [number, number, number];
}
const LENET: Case = { model: "lenet5Mnist", file: "examples/lenet5.ts", input: [1, 28, 28] };
const SIMPLE: Case = { model: "simpleCnn", file: "examples/simple-cnn.ts", input: [3, 32, 32] };
/** The MNIST transformers: attention, LayerNorm, GELU, permute, depthwise 7×7 convolutions, layer scale. */
const TRANSFORMERS: Case[] = [
  { model: "vitMnist", file: "examples/vit-mnist.ts", input: [1, 28, 28] },
  { model: "convnextMnist", file: "examples/convnext-mnist.ts", input: [1, 28, 28] },
];
/** The models of the throughput comparison (BENCH_THROUGHPUT_MODELS picks some). */
const THROUGHPUT_MODELS: Case[] = [LENET, SIMPLE, ...TRANSFORMERS].filter((c) => listed("BENCH_THROUGHPUT_MODELS", c.model));
/** The backends tried (BENCH_BACKENDS picks some). */
const BACKENDS = (["gpu", "native", "wasm", "js"] as BackendName[]).filter((b) => listed("BENCH_BACKENDS", b));

/** Whether `name` is in the comma-separated list of environment variable `variable` (or the variable is unset). */
function listed(variable: string, name: string): boolean {
  const list = process.env[variable];
  return list === undefined || list.split(",").includes(name);
}
const MNIST_MODELS: Case[] = [
  LENET,
  { model: "ourCnn", file: "examples/mnist-cnn.ts", input: [1, 28, 28] },
  { model: "mnistResNet", file: "examples/mnist-resnet.ts", input: [1, 28, 28] },
];

function analysis(c: Case) {
  const a = new Analyzer().analyzeFile(path.join(ROOT, c.file));
  const m = a.models.find((x) => x.name === c.model);
  if (!m) throw new Error(`${c.file} has no model ${c.model}`);
  return m;
}

/** 8 batches of inputs: real digits for MNIST models, seeded noise for SimpleCNN. */
function batches(c: Case): { x: Float32Array; y: Int32Array } {
  const size = c.input[0] * c.input[1] * c.input[2];
  const x = new Float32Array(8 * BATCH * size);
  const y = new Int32Array(8 * BATCH);
  if (c.input[0] === 1) {
    const d = loadMnistSample();
    if (!d.ok) throw new Error(d.error);
    for (let i = 0; i < x.length; i++) x[i] = (d.value.train.images[i]! / 255 - 0.1307) / 0.3081;
    y.set(d.value.train.labels.subarray(0, y.length));
  } else {
    const r = rngFor(1, "bench-noise");
    for (let i = 0; i < x.length; i++) x[i] = r.next() * 2 - 1;
    for (let i = 0; i < y.length; i++) y[i] = r.int(10);
  }
  return { x, y };
}

/** Threads of the data-parallel rows (issue 17: `--workers N`); BENCH_WORKERS="1,2" by default. */
const WORKERS = (process.env["BENCH_WORKERS"] ?? "1,2").split(",").map(Number);

/**
 * Images/s of whole training steps, and the process's CPU time per image (all threads; on a loaded
 * machine the ratio of the two rows' CPU times shows what a second thread costs, where wall time cannot).
 */
async function tfjsThroughput(
  tf: TF,
  backend: BackendName,
  c: Case,
  minSeconds: number,
  minSteps: number,
  threads = 1,
): Promise<{ ips: number; cpuMsPerImage: number }> {
  const a = analysis(c);
  const model = compileModel(tf, a, { seed: 0 });
  const opt: OptimizerConfig = trainConfig({
    file: "",
    model: "",
    dataset: { kind: "mnist-sample" },
    runsDir: "",
    optimizer: { name: "sgd", lr: 0.01, momentum: 0.9 },
  }).optimizer;
  const optimizer = createOptimizer(tf, model.parameters, opt);
  const params = [...model.parameters.values()];
  const names = variableNames(model);
  const { x, y } = batches(c);
  const size = c.input[0] * c.input[1] * c.input[2];
  const dp =
    threads > 1
      ? await DataParallel.start(tf, { threads, backend, analysis: a, model, seed: 0, trained: [...model.parameters.keys()], labelSmoothing: 0 })
      : null;
  if (dp !== null && !dp.ok) throw new Error(dp.error);
  const parallelStep = async (i: number) => {
    const r = await dp!.value.trainStep(
      optimizer,
      params,
      names,
      x.slice((i % 8) * BATCH * size, ((i % 8) + 1) * BATCH * size),
      [BATCH, ...c.input],
      y.slice((i % 8) * BATCH, ((i % 8) + 1) * BATCH),
      0,
    );
    if (!r.ok) throw new Error(r.error);
  };
  const singleStep = (i: number) =>
    trainStep(
      tf,
      model,
      params,
      names,
      optimizer,
      x.subarray((i % 8) * BATCH * size, ((i % 8) + 1) * BATCH * size),
      [BATCH, ...c.input],
      y.subarray((i % 8) * BATCH, ((i % 8) + 1) * BATCH),
    );
  const step = dp !== null ? parallelStep : singleStep;
  for (let i = 0; i < 3; i++) await step(i);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let i = 0;
  while (i < minSteps || performance.now() - t0 < minSeconds * 1000) await step(i++);
  const seconds = (performance.now() - t0) / 1000;
  if (dp?.ok) await dp.value.close();
  optimizer.dispose();
  model.dispose();
  const cpu = process.cpuUsage(cpu0);
  return { ips: (i * BATCH) / seconds, cpuMsPerImage: (cpu.user + cpu.system) / 1000 / (i * BATCH) };
}

function torchJson(args: string[], threads = THREADS): Record<string, unknown>[] | string {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, [TORCH_SCRIPT, ...args, "--threads", String(threads)], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) return `torch_train.py failed: ${(r.stderr || r.error?.message || "").trim().split("\n").slice(-2).join(" ")}`;
  return r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(8);

async function throughput(): Promise<void> {
  const cores = os.availableParallelism();
  const threadCounts = [...new Set([1, cores])];
  console.log(
    `Training throughput, batch ${BATCH} (images/s of whole steps: forward, loss, backward, SGD update; best of 2 rounds, alternating with PyTorch; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")})`,
  );
  const torch = new Map<string, number | string>(); // `${model}@${threads}`
  const measureTorch = (c: Case) => {
    for (const threads of threadCounts) {
      const r = torchJson(["throughput", "--model", c.model, "--batch-size", String(BATCH)], threads);
      const key = `${c.model}@${threads}`;
      const prev = torch.get(key);
      if (typeof r === "string") torch.set(key, typeof prev === "number" ? prev : r);
      else torch.set(key, Math.max(typeof prev === "number" ? prev : 0, Number(r[0]!["imagesPerSecond"])));
    }
  };
  const ratios = (c: Case, ips: number): string =>
    threadCounts
      .map((t) => {
        const v = torch.get(`${c.model}@${t}`);
        return typeof v === "number" ? `${(ips / v).toFixed(2)}× PyTorch ${t} thread${t > 1 ? "s" : ""}` : "";
      })
      .filter((x) => x)
      .join(", ");
  const rows: string[] = [];
  for (const backend of BACKENDS) {
    const sel = await selectBackend(backend, { strict: true });
    if (!sel.ok) {
      rows.push(`  ${backend.padEnd(7)} not available: ${sel.notUsed.find((n) => n.backend === backend)?.reason ?? sel.error}`);
      continue;
    }
    for (const c of THROUGHPUT_MODELS) {
      const slow = backend === "js";
      // wasm and js train on 1 thread, or data-parallel over BENCH_WORKERS threads (rounds alternate: 1, 2, torch, 1, 2, torch)
      const threadRows = backend === "wasm" || backend === "js" ? WORKERS : [1];
      const ips = new Map<number, number>(threadRows.map((t) => [t, 0]));
      const cpuOf = new Map<number, number>();
      try {
        for (let round = 0; round < (slow ? 1 : 2); round++) {
          for (const t of threadRows) {
            const m = await tfjsThroughput(sel.tf, backend, c, slow ? 3 : 4, slow ? 2 : 20, t);
            if (m.ips > ips.get(t)!) cpuOf.set(t, m.cpuMsPerImage);
            ips.set(t, Math.max(ips.get(t)!, m.ips));
          }
          if (!slow) measureTorch(c);
        }
      } catch (e) {
        // a model this build cannot compile (or a missing example) is a row that says why, not the end of the bench
        rows.push(`  ${backend.padEnd(7)} ${c.model.padEnd(13)} not measured: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      for (const [t, v] of ips) {
        const label = t > 1 ? `${backend}×${t}` : backend;
        rows.push(
          `  ${label.padEnd(7)} ${c.model.padEnd(13)} ${fmt(v)}   ${ratios(c, v)}   (${sel.detail}${t > 1 ? `; data-parallel on ${t} threads, --workers ${t}` : ""}; CPU ${(cpuOf.get(t) ?? 0).toFixed(2)} ms/image)`,
        );
      }
    }
  }
  for (const c of THROUGHPUT_MODELS) {
    if (!threadCounts.some((t) => torch.has(`${c.model}@${t}`))) measureTorch(c);
    for (const t of threadCounts) {
      const v = torch.get(`${c.model}@${t}`)!;
      rows.push(
        `  ${"pytorch".padEnd(7)} ${c.model.padEnd(13)} ${typeof v === "number" ? fmt(v) : v}   (torch ${TORCH_VERSION()} CPU, ${t} thread${t > 1 ? "s" : ""})`,
      );
    }
  }
  console.log(rows.join("\n"));
  console.log(
    `  (load average at the end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")})`,
  );
}

let torchVersion: string | undefined;
function TORCH_VERSION(): string {
  if (torchVersion === undefined) {
    const r = spawnSync(PYTHON, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
    torchVersion = r.status === 0 ? r.stdout.trim() : "?";
  }
  return torchVersion;
}

async function ours(c: Case, epochs: number, seed: number): Promise<{ acc: number; seconds: number }> {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-bench-runs-"));
  let acc = NaN;
  let seconds = NaN;
  let error = "";
  const session = new TfjsEngine({ compile: compileModel, selectBackend: (b) => selectBackend(b) }, (e) => {
    if (e.type === "completed" && e.final) [acc, seconds] = [e.final.valAccuracy, e.seconds];
    if (e.type === "error") error = e.message;
  });
  const schedule: Partial<ScheduleConfig> = { name: RECIPE.schedule };
  await session.handle({
    type: "start",
    config: trainConfig({
      file: path.join(ROOT, c.file),
      model: c.model,
      dataset: { kind: "mnist-sample" },
      runsDir,
      epochs,
      batchSize: RECIPE.batchSize,
      seed,
      optimizer: { name: RECIPE.optimizer, lr: RECIPE.lr, momentum: RECIPE.momentum, nesterov: RECIPE.nesterov },
      schedule,
    }),
  });
  session.dispose();
  fs.rmSync(runsDir, { recursive: true, force: true });
  if (error) throw new Error(error);
  return { acc, seconds };
}

function theirs(c: Case, epochs: number, seed: number): { acc: number; seconds: number } | string {
  const r = torchJson([
    "train",
    "--model",
    c.model,
    "--epochs",
    String(epochs),
    "--batch-size",
    String(RECIPE.batchSize),
    "--optimizer",
    RECIPE.optimizer,
    "--lr",
    String(RECIPE.lr),
    "--momentum",
    String(RECIPE.momentum),
    "--nesterov",
    "--schedule",
    RECIPE.schedule,
    "--seed",
    String(seed),
  ]);
  if (typeof r === "string") return r;
  const last = r.at(-1)! as { final: { valAccuracy: number }; seconds: number };
  return { acc: last.final.valAccuracy, seconds: last.seconds };
}

async function accuracy(): Promise<void> {
  const epochs = Number(process.env["BENCH_EPOCHS"] ?? 4);
  const seeds = (process.env["BENCH_SEEDS"] ?? "0").split(",").map(Number);
  const wanted = (process.env["BENCH_MODELS"] ?? MNIST_MODELS.map((m) => m.model).join(",")).split(",");
  console.log(
    `\nHeld-out accuracy on mnist-sample (8,000 train / 2,000 validation): ${RECIPE.optimizer} lr ${RECIPE.lr} momentum ${RECIPE.momentum} Nesterov, ${RECIPE.schedule}, ${epochs} epochs, batch ${RECIPE.batchSize}, seeds ${seeds.join(",")}`,
  );
  for (const c of MNIST_MODELS.filter((m) => wanted.includes(m.model))) {
    const a: number[] = [];
    const b: number[] = [];
    let ta = 0;
    let tb = 0;
    let problem = "";
    for (const seed of seeds) {
      const o = await ours(c, epochs, seed);
      a.push(o.acc);
      ta += o.seconds;
      const t = theirs(c, epochs, seed);
      if (typeof t === "string") problem = t;
      else {
        b.push(t.acc);
        tb += t.seconds;
      }
    }
    const mean = (v: number[]) => v.reduce((p, q) => p + q, 0) / v.length;
    const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
    const diff = b.length ? (100 * (mean(a) - mean(b))).toFixed(2) : "?";
    console.log(
      `  ${c.model.padEnd(12)} CNN Studio ${pct(mean(a))} (${a.map(pct).join(", ")}; ${ta.toFixed(0)} s)   PyTorch ${b.length ? `${pct(mean(b))} (${b.map(pct).join(", ")}; ${tb.toFixed(0)} s)` : problem}   difference ${diff} points`,
    );
  }
}

async function main(): Promise<void> {
  await throughput();
  if (process.env["BENCH_ACCURACY"] !== "0") await accuracy();
}

void main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exitCode = 1;
});
