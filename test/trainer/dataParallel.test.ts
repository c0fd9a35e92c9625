import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import { parseTrainArgs, TRAIN_USAGE } from "../../src/cli/train";
import { trainConfig, validateTrainConfig, type TrainConfig, type TrainerEvent } from "../../src/shared/training";
import { listCheckpoints, readCheckpoint } from "../../src/trainer/checkpoint";
import { TfjsEngine, type TfjsEngineOptions } from "../../src/trainer/engines/tfjs/tfjsEngine";
import { compileModel } from "../../src/trainer/model/compile";
import { selectBackend } from "../../src/trainer/model/backend";
import type { CompiledModel, TF } from "../../src/trainer/model/types";
import { readStatus } from "../../src/trainer/runFiles";
import { DataParallel, partSizes } from "../../src/trainer/train/dataParallel";
import { trainStep, variableNames } from "../../src/trainer/train/loop";
import { createOptimizer } from "../../src/trainer/train/optimizers";
import { rngFor } from "../../src/trainer/rng";
import { EXAMPLES, metricsOf, smallMnistIdx, tempDir } from "./helpers/env";
import { trainTfjs } from "./helpers/tfjsRun";

/** Issue 17: data-parallel training over worker threads (--workers N) gives one thread's numbers. */

const LENET = path.join(EXAMPLES, "lenet5.ts");
const BN_SOURCE =
  'import { nn } from "cnn-studio";\n/** @input [N, 1, 28, 28] */\nexport const bn = nn.Sequential(nn.Conv2d(1, 4, 3, { stride: 2 }), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(64, 10));\n';

function analysisOf(file: string, name: string) {
  const m = new Analyzer().analyzeFile(file).models.find((x) => x.name === name);
  assert.ok(m, `${file} has no model ${name}`);
  return m;
}

function batch(n: number, seed: number): { x: Float32Array; y: Int32Array } {
  const r = rngFor(seed, "data-parallel-test");
  return { x: Float32Array.from({ length: n * 784 }, () => r.next() * 2 - 1), y: Int32Array.from({ length: n }, () => r.int(10)) };
}

/** The largest difference between the two models' parameters and float buffers, relative to the largest value. */
function difference(a: CompiledModel, b: CompiledModel): { params: number; buffers: Map<string, number> } {
  let params = 0;
  for (const [name, v] of a.parameters) {
    const p = v.dataSync();
    const q = b.parameters.get(name)!.dataSync();
    for (let i = 0; i < p.length; i++) params = Math.max(params, Math.abs(p[i]! - q[i]!));
  }
  const buffers = new Map<string, number>();
  for (const [name, v] of a.buffers) {
    if (v.dtype !== "float32") continue;
    const p = v.dataSync();
    const q = b.buffers.get(name)!.dataSync();
    let d = 0;
    for (let i = 0; i < p.length; i++) d = Math.max(d, Math.abs(p[i]! - q[i]!));
    buffers.set(name, d);
  }
  return { params, buffers };
}

/** K SGD steps of batch 64 (and a last one of 33) on one thread and on `threads`; the two models after. */
async function oneVersusMany(
  tf: TF,
  file: string,
  name: string,
  threads: number,
  clip = 0,
  evalModules?: ReadonlySet<string>,
): Promise<{ one: CompiledModel; many: CompiledModel; losses: [number, number][] }> {
  const analysis = analysisOf(file, name);
  const one = compileModel(tf, analysis, { seed: 3 });
  const many = compileModel(tf, analysis, { seed: 3 });
  const opt = trainConfig({
    file: "",
    model: "",
    dataset: { kind: "mnist-sample" },
    runsDir: "",
    optimizer: { name: "sgd", lr: 0.05, momentum: 0.9 },
  }).optimizer;
  const optOne = createOptimizer(tf, one.parameters, opt);
  const optMany = createOptimizer(tf, many.parameters, opt);
  const dp = await DataParallel.start(tf, {
    threads,
    backend: "wasm",
    analysis,
    model: many,
    seed: 3,
    trained: [...many.parameters.keys()],
    labelSmoothing: 0.1,
    ...(evalModules ? { evalModules } : {}),
  });
  assert.ok(dp.ok, dp.ok ? "" : dp.error);
  const losses: [number, number][] = [];
  try {
    for (const [k, n] of [64, 64, 64, 33].entries()) {
      const { x, y } = batch(n, k);
      const shape: [number, number, number, number] = [n, 1, 28, 28];
      const a = await trainStep(tf, one, [...one.parameters.values()], variableNames(one), optOne, x, shape, y, {
        labelSmoothing: 0.1,
        clipGradNorm: clip,
        ...(evalModules ? { evalModules } : {}),
      });
      const b = await dp.value.trainStep(optMany, [...many.parameters.values()], variableNames(many), x, shape, y, clip);
      assert.ok(b.ok, b.ok ? "" : b.error);
      losses.push([a.loss, b.loss]);
      assert.equal(b.logits.length, a.logits.length);
    }
  } finally {
    await dp.value.close();
    optOne.dispose();
    optMany.dispose();
  }
  return { one, many, losses };
}

describe("data-parallel training (--workers)", () => {
  test("batches split into contiguous parts, the first ones larger", () => {
    assert.deepEqual(partSizes(64, 2), [32, 32]);
    assert.deepEqual(partSizes(33, 2), [17, 16]);
    assert.deepEqual(partSizes(1, 2), [1, 0]);
    assert.deepEqual(partSizes(10, 3), [4, 3, 3]);
  });

  test("LeNet-5: 2 and 3 threads give one thread's weights after 4 steps, up to float rounding", async () => {
    const s = await selectBackend("wasm", { strict: true });
    assert.ok(s.ok);
    for (const threads of [2, 3]) {
      const { one, many, losses } = await oneVersusMany(s.tf, LENET, "lenet5Mnist", threads, threads === 3 ? 1 : 0);
      for (const [a, b] of losses) assert.ok(Math.abs(a - b) < 1e-5, `loss ${a} vs ${b}`);
      const d = difference(one, many);
      assert.ok(d.params < 2e-5, `${threads} threads: weights differ by ${d.params}`);
      one.dispose();
      many.dispose();
    }
  });

  test("BatchNorm: running means match one thread; weights within 5e-3 (each part normalises with its own statistics)", async () => {
    const s = await selectBackend("wasm", { strict: true });
    assert.ok(s.ok);
    const file = path.join(tempDir(), "bn.ts");
    fs.writeFileSync(file, BN_SOURCE);
    const { one, many } = await oneVersusMany(s.tf, file, "bn", 2);
    const d = difference(one, many);
    assert.ok(d.params < 5e-3, `weights differ by ${d.params}`);
    assert.ok(d.params > 0, "per-part statistics make some difference");
    // the running mean follows the parts' batch means, whose average is the batch mean only for equal parts (the last step's are 17 and 16)
    assert.ok(d.buffers.get("1.running_mean")! < 1e-3, `running mean differs by ${d.buffers.get("1.running_mean")}`);
    one.dispose();
    many.dispose();
    // a BatchNorm in evaluation mode (frozen) keeps its running statistics bit for bit
    const frozen = await oneVersusMany(s.tf, file, "bn", 2, 0, new Set(["1"]));
    assert.deepEqual(frozen.many.buffers.get("1.running_var")!.dataSync(), Float32Array.of(1, 1, 1, 1));
    assert.deepEqual(frozen.many.buffers.get("1.running_mean")!.dataSync(), Float32Array.of(0, 0, 0, 0));
    frozen.one.dispose();
    frozen.many.dispose();
  });
});

const data = smallMnistIdx(192, 64);

function config(runsDir: string, over: Partial<TrainConfig> = {}): TrainConfig {
  return {
    ...trainConfig({
      file: LENET,
      model: "lenet5Mnist",
      dataset: { kind: "idx", dir: data },
      runsDir,
      epochs: 2,
      batchSize: 32,
      seed: 5,
      backend: "wasm",
      optimizer: { name: "sgd", lr: 0.05, momentum: 0.9 },
    }),
    ...over,
  };
}

async function train(c: TrainConfig, options: TfjsEngineOptions = {}, onEvent?: (e: TrainerEvent, s: TfjsEngine) => void) {
  const { events, session } = await trainTfjs(c, onEvent, options);
  session.dispose();
  return { events, dir: events.of("started")[0]?.runDir ?? null };
}

/** The metrics lines without their times (which differ between runs). */
const numbers = (dir: string) => metricsOf(dir).map(({ time: _t, imagesPerSecond: _i, seconds: _s, ...rest }) => rest);

describe("runs with --workers 2", () => {
  test("the config field: 1 is left out of config.json, 0 and 17 are refused", () => {
    const runs = tempDir();
    assert.equal("workers" in config(runs), false);
    assert.equal("workers" in trainConfig({ file: "", model: "", dataset: { kind: "mnist-sample" }, runsDir: "", workers: 1 }), false);
    assert.equal(validateTrainConfig({ ...config(runs), workers: 2 }).ok, true);
    for (const bad of [0, 17, 1.5]) {
      const r = validateTrainConfig({ ...config(runs), workers: bad });
      assert.ok(!r.ok && r.error.includes("workers"), JSON.stringify(r));
    }
  });

  test("the CLI's --workers N: parsed, checked, allowed with --resume, in --help", () => {
    const parse = (...more: string[]) => parseTrainArgs([LENET, "--model", "lenet5Mnist", "--dataset", "mnist-sample", ...more], EXAMPLES, () => null);
    const two = parse("--workers", "2");
    assert.ok(two.ok && two.config.workers === 2);
    const one = parse("--workers", "1");
    assert.ok(one.ok && !("workers" in one.config));
    const bad = parse("--workers", "zero");
    assert.ok(!bad.ok && bad.message.includes("--workers must be a whole number from 1 to 16, got 'zero'"), bad.ok ? "" : bad.message);
    assert.match(TRAIN_USAGE, /--workers N/);
  });

  test("a run on 2 threads records the same losses as on one (to 4 decimals); stop and resume continue it", async () => {
    const runs = tempDir();
    const single = await train(config(runs));
    assert.deepEqual(single.events.of("error"), []);
    const two = await train(config(runs, { workers: 2 }));
    assert.deepEqual(two.events.of("error"), []);
    assert.match(fs.readFileSync(path.join(two.dir!, "log.txt"), "utf8"), /data-parallel training on 2 threads/);
    const a = numbers(single.dir!);
    const b = numbers(two.dir!);
    assert.equal(a.length, b.length);
    a.forEach((m, i) => assert.ok(Math.abs(Number(m["loss"] ?? m["trainLoss"]) - Number(b[i]!["loss"] ?? b[i]!["trainLoss"])) < 1e-4, `line ${i}`));
    // stopped after step 4 of 12, resumed on 2 threads: the same history as the uninterrupted 2-thread run
    const part = await train(config(runs, { workers: 2 }), {}, (e, s) => e.type === "progress" && e.globalStep === 4 && s.stop());
    assert.equal(part.events.of("stopped").length, 1);
    const rest = await train({ ...config(runs, { workers: 2 }), resume: part.dir! });
    assert.deepEqual(rest.events.of("error"), []);
    const c = numbers(part.dir!);
    assert.equal(c.length, b.length);
    c.forEach((m, i) => assert.ok(Math.abs(Number(m["loss"] ?? m["trainLoss"]) - Number(b[i]!["loss"] ?? b[i]!["trainLoss"])) < 1e-5, `resumed line ${i}`));
  });

  for (const how of ["throw", "exit"] as const) {
    test(`a gradient worker that ${how === "throw" ? "throws" : "exits"} ends the run with a message naming it; the checkpoints stay`, async () => {
      const runs = tempDir();
      // 6 steps per epoch: the worker fails at step 8, after the first epoch's checkpoint
      const r = await train(config(runs, { workers: 2 }), { shardFault: { afterTasks: 7, how } });
      const error = r.events.of("error")[0];
      assert.ok(error, "an error event");
      assert.match(error.message, how === "throw" ? /gradient worker 1 of 1 failed: injected fault/ : /gradient worker 1 of 1 exited \(code 3\)/);
      assert.match(error.message, /checkpoints are kept/);
      assert.equal(readStatus(r.dir!)?.state, "failed");
      const files = listCheckpoints(r.dir!);
      assert.equal(files.length, 2, files.join(", "));
      const last = readCheckpoint(files.at(-1)!);
      assert.ok(last.ok);
      assert.deepEqual([last.value.index.position.epoch, last.value.index.position.step], [2, 1]);
      // and it resumes (on one thread)
      const rest = await train({ ...config(runs), resume: r.dir! });
      assert.deepEqual(rest.events.of("error"), []);
      assert.equal(rest.events.of("completed").length, 1);
    });
  }
});
