import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { trainConfig, type TrainConfig } from "../../src/shared/training";
import { listCheckpoints, readCheckpoint } from "../../src/trainer/checkpoint";
import { readStatus } from "../../src/trainer/runFiles";
import { TfjsEngine } from "../../src/trainer/engines/tfjs/tfjsEngine";
import { collect, deps, EXAMPLES, metricsOf, smallMnistIdx, tempDir } from "./helpers/env";
import { runDirOf, trainTfjs as train } from "./helpers/tfjsRun";

/** In-process runs (no child process) of LeNet-5 on a small slice of mnist-sample. */

const data = smallMnistIdx(320, 100);
const LENET = path.join(EXAMPLES, "lenet5.ts");

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
      optimizer: { name: "adam", lr: 0.003 },
      schedule: { name: "onecycle" },
      augment: { cropPadding: 2, flip: false },
    }),
    ...over,
  };
}

describe("training loop", () => {
  let reference: Record<string, unknown>[] = [];

  test("a run writes config, metrics per step and epoch, checkpoints, log and status", async () => {
    const runs = tempDir();
    const { events, session } = await train(config(runs));
    const dir = runDirOf(events);
    assert.match(path.basename(dir), /^\d{4}-\d{2}-\d{2}-\d{6}-lenet5Mnist$/);
    assert.deepEqual(events.of("error"), []);
    const completed = events.of("completed")[0]!;
    assert.ok(completed.final!.valAccuracy > 0.3, `learned something: ${completed.final!.valAccuracy}`);
    const progress = events.of("progress");
    assert.equal(progress.length, 20);
    assert.deepEqual(
      progress.slice(0, 2).map((p) => [p.epoch, p.step, p.stepsPerEpoch, p.globalStep]),
      [
        [1, 1, 10, 1],
        [1, 2, 10, 2],
      ],
    );
    assert.ok(progress.every((p) => p.imagesPerSecond > 0 && p.etaSeconds >= 0 && p.lr > 0));
    assert.equal(events.of("epochEnd").length, 2);
    assert.equal(events.of("epochEnd")[0]!.valTop5, null, "no top-5 with 10 classes");
    const metrics = metricsOf(dir);
    assert.equal(metrics.length, 22);
    assert.deepEqual(
      metrics.filter((m) => m["type"] === "epoch").map((m) => m["epoch"]),
      [1, 2],
    );
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")), config(runs));
    assert.equal(readStatus(dir)?.state, "completed");
    assert.match(fs.readFileSync(path.join(dir, "log.txt"), "utf8"), /epoch 2\/2: train loss/);
    const cks = listCheckpoints(dir).map((f) => path.basename(f));
    assert.deepEqual(cks, ["e0001-s000010.safetensors", "e0002-s000010.safetensors"]);
    const ck = readCheckpoint(listCheckpoints(dir)[1]!);
    assert.ok(ck.ok);
    const names = [...ck.value.tensors.keys()];
    assert.ok(names.includes("features.0.weight") && names.includes("classifier.4.bias"), names.join(", "));
    assert.ok(names.includes("optimizer.features.0.weight.exp_avg"));
    assert.equal(ck.value.index.position.globalStep, 20);
    reference = metrics;

    // feature maps of the trained model, binary
    const fm = collect();
    const s2 = new TfjsEngine(deps(), fm.emit);
    s2.featureMaps(1, [1], "validation", 0);
    assert.match(fm.of("error")[0]!.message, /no run has been started/);
    session.featureMaps(7, [1, 3, 13], "validation", 4);
    const maps = events.of("featureMaps")[0]!;
    assert.equal(maps.requestId, 7);
    assert.deepEqual(
      maps.maps.map((m) => m.shape),
      [
        [1, 6, 24, 24],
        [1, 6, 12, 12],
        [1, 10],
      ],
    );
    assert.ok(maps.maps[0]!.data instanceof Float32Array && maps.maps[0]!.data.length === 6 * 24 * 24);
    session.featureMaps(8, [99], "validation", 0);
    session.featureMaps(9, [1], "train", 5000);
    const errs = events.of("error").map((e) => [e.requestId, e.phase, e.message]);
    assert.deepEqual(errs, [
      [8, "request", "lenet5Mnist has no graph node 99 (its nodes are 0 to 13)"],
      [9, "request", "sample 5000 is out of range: the train split has 320 images (0 to 319)"],
    ]);
    session.dispose();
  });

  test("the same seed gives the same metrics; another seed others", async () => {
    const again = await train(config(tempDir()));
    assert.deepEqual(metricsOf(runDirOf(again.events)), reference);
    again.session.dispose();
    const other = await train(config(tempDir(), { seed: 6, epochs: 1 }));
    assert.notDeepEqual(metricsOf(runDirOf(other.events)).slice(0, 10), reference.slice(0, 10));
    other.session.dispose();
  });

  test("stop at a step boundary leaves a checkpoint; resume gives exactly the uninterrupted history", async () => {
    const runs = tempDir();
    const first = await train(config(runs), (e, s) => {
      if (e.type === "progress" && e.globalStep === 13) s.stop();
    });
    const dir = runDirOf(first.events);
    const stopped = first.events.of("stopped")[0]!;
    assert.deepEqual([stopped.epoch, stopped.step, stopped.globalStep], [2, 3, 13]);
    assert.ok(stopped.checkpoint && fs.existsSync(stopped.checkpoint));
    assert.equal(first.events.of("checkpoint").at(-1)!.reason, "stop");
    assert.equal(readStatus(dir)?.state, "stopped");
    assert.equal(metricsOf(dir).length, 14); // 13 steps + 1 epoch
    first.session.dispose();

    // resuming needs only the folder (its config), epochs and backend may be given
    const resumed = await train({ ...config(tempDir("unused-")), resume: dir });
    assert.deepEqual(resumed.events.of("error"), []);
    assert.deepEqual(resumed.events.of("started")[0]!.resumedFrom, { epoch: 2, step: 3, globalStep: 13 });
    assert.equal(resumed.events.of("progress")[0]!.globalStep, 14);
    assert.deepEqual(metricsOf(dir), reference);
    assert.equal(readStatus(dir)?.state, "completed");
    resumed.session.dispose();
  });

  test("lines written after the last checkpoint (a crash) move aside on resume; nothing is lost", async () => {
    const runs = tempDir();
    const first = await train(config(runs), (e, s) => {
      if (e.type === "progress" && e.globalStep === 4) s.stop();
    });
    const dir = runDirOf(first.events);
    first.session.dispose();
    // as if the process had gone on for two more steps, then died mid-line
    fs.appendFileSync(path.join(dir, "metrics.jsonl"), '{"type":"step","epoch":1,"step":5}\n{"type":"step","epoch":1,"step":6}\n{"type":"st');
    // and a damaged newer checkpoint (its model file cut short)
    const ck = listCheckpoints(dir)[0]!;
    const bytes = fs.readFileSync(ck);
    fs.writeFileSync(path.join(dir, "checkpoints", "e0001-s000006.safetensors"), bytes.subarray(0, bytes.length - 5));
    // and a copy under another name, without its optimiser state (weights only: not resumable)
    fs.writeFileSync(path.join(dir, "checkpoints", "e0001-s000007.safetensors"), bytes);
    const resumed = await train({ ...config(runs), resume: dir });
    assert.deepEqual(resumed.events.of("started")[0]!.resumedFrom, { epoch: 1, step: 4, globalStep: 4 });
    assert.deepEqual(metricsOf(dir), reference);
    const discarded = fs.readFileSync(path.join(dir, "metrics.discarded.jsonl"), "utf8");
    assert.equal(discarded.split("\n").filter((l) => l).length, 3);
    assert.match(
      fs.readFileSync(path.join(dir, "log.txt"), "utf8"),
      /skipping a damaged checkpoint: .*e0001-s000006\.safetensors: the tensors hold \d+ bytes but the file has \d+/,
    );
    assert.match(
      fs.readFileSync(path.join(dir, "log.txt"), "utf8"),
      /skipping a damaged checkpoint: .*e0001-s000007\.safetensors: its __metadata__ names no optimizer state file e0001-s000007\.optimizer\.safetensors \(weights only/,
    );
    resumed.session.dispose();
  });
});

describe("models with BatchNorm", () => {
  test("buffers (running statistics, num_batches_tracked) are checkpointed, restored and resumed exactly", async () => {
    const dir = tempDir();
    const file = path.join(dir, "bn.ts");
    fs.writeFileSync(
      file,
      'import { nn } from "cnn-studio";\n/** @input [N, 1, 28, 28] */\nexport const bn = nn.Sequential(nn.Conv2d(1, 4, 3, { stride: 2 }), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(64, 10));\n',
    );
    const c = config(dir, {
      file,
      model: "bn",
      epochs: 2,
      optimizer: { ...config(dir).optimizer, name: "sgd", lr: 0.05, momentum: 0.9 },
      schedule: { ...config(dir).schedule, name: "step" },
    });
    const whole = await train(c);
    const ref = metricsOf(runDirOf(whole.events));
    whole.session.dispose();
    const ck = readCheckpoint(listCheckpoints(runDirOf(whole.events)).at(-1)!);
    assert.ok(ck.ok);
    assert.deepEqual(ck.value.tensors.get("1.num_batches_tracked")!.data, Float32Array.of(20));
    assert.equal(ck.value.tensors.get("1.num_batches_tracked")!.torchDtype, "int64");
    assert.ok(ck.value.tensors.get("1.running_var")!.data.some((v) => v !== 1));
    assert.ok(ck.value.tensors.has("optimizer.0.weight.momentum_buffer"));
    const part = await train(c, (e, s) => e.type === "progress" && e.globalStep === 7 && s.stop());
    const runDir = runDirOf(part.events);
    part.session.dispose();
    const rest = await train({ ...c, resume: runDir });
    rest.session.dispose();
    assert.deepEqual(metricsOf(runDir), ref);
  });
});

describe("more than 10 classes", () => {
  test("top-5 accuracy is reported for training and validation", async () => {
    const dir = tempDir();
    const file = path.join(dir, "wide.ts");
    fs.writeFileSync(
      file,
      'import { nn } from "cnn-studio";\n/** @input [N, 1, 28, 28] */\nexport const wide = nn.Sequential(nn.Flatten(), nn.Linear(784, 12));\n',
    );
    const { events, session } = await train(config(dir, { file, model: "wide", epochs: 1 }));
    session.dispose();
    const e = events.of("epochEnd")[0]!;
    assert.ok(e.valTop5 !== null && e.trainTop5 !== null);
    assert.ok(e.valTop5 >= e.valAccuracy && e.valTop5 <= 1, `top-5 ${e.valTop5}, top-1 ${e.valAccuracy}`);
    assert.ok(e.trainTop5 >= e.trainAccuracy);
    assert.deepEqual(
      events.of("log").map((l) => [l.level, l.message]),
      [["warning", `wide has 12 output classes but idx:${data} has 10 (labels 0 to 9); the other outputs are never the right answer`]],
    );
  });
});

describe("classes the data lacks", () => {
  test("the engine's warning counts the labels present (only label 3), not the largest label + 1", async () => {
    const dir = smallMnistIdx(64, 32);
    for (const [name, n] of [
      ["train-labels-idx1-ubyte", 64],
      ["t10k-labels-idx1-ubyte", 32],
    ] as const) {
      const header = Buffer.alloc(8);
      header.writeUInt32BE(0x801, 0);
      header.writeUInt32BE(n, 4);
      fs.writeFileSync(path.join(dir, name), Buffer.concat([header, Buffer.alloc(n, 3)]));
    }
    const { events, session } = await train(config(tempDir(), { dataset: { kind: "idx", dir }, epochs: 1 }));
    session.dispose();
    assert.deepEqual(
      events
        .of("log")
        .filter((l) => l.level === "warning")
        .map((l) => l.message),
      [`lenet5Mnist has 10 output classes but idx:${dir} has 1 (only label 3); the other outputs are never the right answer`],
    );
  });
});

describe("problems are reported before training starts", () => {
  test("data that does not fit the model: a dataset error, no run folder", async () => {
    const runs = tempDir();
    const { events } = await train(config(runs, { model: "lenet5", dataset: { kind: "mnist-sample" } }));
    const e = events.of("error")[0]!;
    assert.equal(e.phase, "dataset");
    assert.match(e.message, /images are 28×28 but the model's @input expects 32×32/);
    assert.equal(e.runDir, null);
    assert.deepEqual(fs.readdirSync(runs), []);
    assert.equal(events.of("started").length, 0);
  });

  test("a model with errors: the diagnostics; an unknown model: the model names", async () => {
    const dir = tempDir();
    const file = path.join(dir, "bad.ts");
    fs.writeFileSync(
      file,
      'import { nn } from "cnn-studio";\n/** @input [N, 1, 28, 28] */\nexport const net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(10, 2));\n',
    );
    const { events } = await train(config(dir, { file, model: "net" }));
    const e = events.of("error")[0]!;
    assert.equal(e.phase, "model");
    assert.match(e.message, /bad\.ts has \d+ errors?; the first: bad\.ts:3: Conv2d expects 3 input channels but receives 1/);
    assert.equal(e.diagnostics[0]!.line, 3);
    const unknown = await train(config(dir, { model: "lenet" }));
    assert.match(unknown.events.of("error")[0]!.message, /has no model 'lenet' \(models: lenet5, lenet5Mnist\)/);
  });

  test("a model the trainer cannot train (not a classifier) says why", async () => {
    const dir = tempDir();
    const file = path.join(dir, "fcn.ts");
    fs.writeFileSync(file, 'import { nn } from "cnn-studio";\n/** @input [N, 1, 28, 28] */\nexport const net = nn.Sequential(nn.Conv2d(1, 8, 3));\n');
    const { events } = await train(config(dir, { file, model: "net" }));
    assert.match(events.of("error")[0]!.message, /net outputs \[N, 8, 26, 26\]; the trainer needs class scores \(logits\) \[N, classes\]/);
  });

  test("a diverging run (the loss is no longer a number) ends with a clear error, the run marked failed", async () => {
    const runs = tempDir();
    const { events } = await train(
      config(runs, { optimizer: { ...config(runs).optimizer, name: "sgd", lr: 1e38 }, schedule: { ...config(runs).schedule, name: "none" } }),
    );
    const e = events.of("error")[0]!;
    assert.equal(e.phase, "training");
    assert.match(e.message, /^training diverged: the loss became (NaN|Infinity) at epoch 1, step \d+ \(learning rate 1\.00e\+38\); lower the learning rate$/);
    assert.equal(readStatus(e.runDir!)?.state, "failed");
    assert.equal(events.of("completed").length, 0);
  });

  test("a runs folder that cannot be created", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "file"), "");
    const { events } = await train(config(path.join(dir, "file", "runs")));
    const e = events.of("error")[0]!;
    assert.equal(e.phase, "config");
    assert.equal(e.message, `cannot create a run folder in ${path.join(dir, "file", "runs")} (ENOTDIR)`);
  });

  test("resuming a folder that has no run or no checkpoint", async () => {
    const empty = tempDir();
    const r1 = await train({ ...config(empty), resume: empty });
    assert.deepEqual(
      [r1.events.of("error")[0]!.phase, r1.events.of("error")[0]!.message.replaceAll(empty, "DIR")],
      ["config", "cannot resume DIR: no readable config.json (ENOENT: no such file or directory, open 'DIR/config.json')"],
    );
    fs.writeFileSync(path.join(empty, "config.json"), JSON.stringify(config(empty)));
    const r2 = await train({ ...config(empty), resume: empty });
    assert.match(r2.events.of("error")[0]!.message, /cannot resume .*: it has no complete checkpoint/);
    fs.writeFileSync(path.join(empty, "config.json"), JSON.stringify({ ...config(empty), epochs: -1 }));
    const r3 = await train({ ...config(empty), resume: empty });
    assert.match(r3.events.of("error")[0]!.message, /its config.json is not valid \(config.epochs must be at least 1, got -1\)/);
  });
});
