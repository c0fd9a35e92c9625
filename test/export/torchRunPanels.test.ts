import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { listCheckpoints as panelCheckpoints, MetricsTail, readCheckpointTensor, readRunInfo } from "../../src/extension/panels/runMetrics";
import { RunStore } from "../../src/extension/runs/runStore";
import { trainConfig, type TrainConfig } from "../../src/shared/training";
import { validateCurvesToWebview } from "../../src/shared/webview/curves";
import { TorchTrainingSession, type TorchEvent } from "../../src/trainer/engines/torch/pythonRun";
import { listCheckpoints, readCheckpoint } from "../../src/trainer/checkpoint";
import { TfjsEngine } from "../../src/trainer/engines/tfjs/tfjsEngine";
import { deps, smallMnistIdx, tempDir } from "../trainer/helpers/env";
import { PYTHON, ROOT } from "./helpers";

/**
 * A run folder of the PyTorch engine is what the panels read from a TensorFlow.js run: the same
 * LeNet-5 run (two epochs of a small MNIST slice) trained by both engines is read by the curves'
 * run reader (readRunInfo, MetricsTail, and the message the webview validates), the checkpoint
 * lister and tensor reader of the filters and feature-map panels, the trainer's checkpoint reader
 * and the Runs view's store, with the same results apart from the numbers trained and the backend.
 * Skipped with a message without Debian's python3-torch.
 */

const LENET = path.join(ROOT, "examples/lenet5.ts");

function config(runsDir: string, data: string): TrainConfig {
  return trainConfig({
    file: LENET,
    model: "lenet5Mnist",
    dataset: { kind: "idx", dir: data },
    runsDir,
    epochs: 2,
    batchSize: 32,
    seed: 5,
    optimizer: { name: "adam", lr: 0.003 },
  });
}

async function tfjsRun(c: TrainConfig): Promise<string> {
  let runDir = "";
  const errors: string[] = [];
  const session = new TfjsEngine(deps(), (e) => {
    if (e.type === "started") runDir = e.runDir;
    if (e.type === "error") errors.push(e.message);
  });
  await session.handle({ type: "start", config: c });
  session.dispose();
  assert.deepEqual(errors, []);
  return runDir;
}

async function torchRun(c: TrainConfig): Promise<{ runDir: string; skip?: string }> {
  const events: TorchEvent[] = [];
  await new TorchTrainingSession({ python: PYTHON }, (e) => events.push(e)).start(c);
  const error = events.find((e) => e.type === "error");
  if (error?.type === "error" && /PyTorch is not installed/.test(error.message))
    return { runDir: "", skip: `PyTorch is not installed for ${PYTHON}: install python3-torch (Debian) to test the PyTorch engine` };
  assert.equal(error, undefined, error?.type === "error" ? error.message : "");
  const started = events.find((e) => e.type === "started");
  assert.ok(started?.type === "started");
  return { runDir: started.runDir };
}

test("a PyTorch engine run folder reads in the panels, the checkpoint lister and the Runs view like a TensorFlow.js run", async (t) => {
  if (!fs.existsSync(PYTHON)) return t.skip(`${PYTHON} not found: install python3-torch (Debian) to test the PyTorch engine`);
  const data = smallMnistIdx(320, 100);
  const torchRuns = tempDir("cnn-studio-torch-runs-");
  const tfjsRuns = tempDir("cnn-studio-tfjs-runs-");
  const torch = await torchRun(config(torchRuns, data));
  if (torch.skip) return t.skip(torch.skip);
  const tfjs = await tfjsRun(config(tfjsRuns, data));
  const dirs = { torch: torch.runDir, tfjs };

  // the curves: run info, and the metrics as the panel sends them to the webview (which validates them)
  const info = { torch: readRunInfo(dirs.torch), tfjs: readRunInfo(dirs.tfjs) };
  const { id: _a, name: _b, ...torchInfo } = info.torch;
  const { id: _c, name: _d, ...tfjsInfo } = info.tfjs;
  assert.deepEqual(torchInfo, tfjsInfo);
  assert.equal(torchInfo.status, "completed");
  const chunks = { torch: await new MetricsTail(dirs.torch).read(), tfjs: await new MetricsTail(dirs.tfjs).read() };
  assert.ok(chunks.torch && chunks.tfjs);
  for (const [engine, chunk] of Object.entries(chunks)) {
    const message = { type: "snapshot", runs: [{ info: info[engine as keyof typeof info], steps: chunk!.steps, epochs: chunk!.epochs }] };
    const checked = validateCurvesToWebview(message);
    assert.ok(checked.ok, `${engine}: ${checked.ok ? "" : checked.error}`);
    assert.ok([...chunk!.steps.loss, ...chunk!.epochs.valLoss].every(Number.isFinite), `${engine}: finite losses`);
    assert.ok(
      [...chunk!.steps.accuracy, ...chunk!.epochs.valAccuracy].every((a) => a >= 0 && a <= 1),
      `${engine}: accuracies`,
    );
  }
  const t1 = chunks.torch!;
  const t2 = chunks.tfjs!;
  assert.equal(t1.reset, t2.reset);
  assert.equal(t1.stepsPerEpoch, t2.stepsPerEpoch);
  assert.deepEqual([...t1.steps.globalStep], [...t2.steps.globalStep]);
  assert.deepEqual([...t1.steps.epoch], [...t2.steps.epoch]);
  assert.deepEqual([...t1.steps.lr], [...t2.steps.lr]);
  assert.deepEqual([...t1.epochs.epoch], [...t2.epochs.epoch]);
  assert.deepEqual([...t1.epochs.globalStep], [...t2.epochs.globalStep]);
  assert.equal(t1.steps.globalStep.length, 20);

  // metrics.jsonl and status.json carry the same fields
  const keys = (dir: string): string[] => [
    ...new Set(
      fs
        .readFileSync(path.join(dir, "metrics.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => Object.keys(JSON.parse(l) as object).join(",")),
    ),
  ];
  assert.deepEqual(keys(dirs.torch), keys(dirs.tfjs));
  const status = (dir: string): string[] => Object.keys(JSON.parse(fs.readFileSync(path.join(dir, "status.json"), "utf8")) as object).sort();
  assert.deepEqual(status(dirs.torch), status(dirs.tfjs));

  // the checkpoint lister of the filters and feature-map panels, and its tensor reader
  const listed = { torch: await panelCheckpoints(torchRuns, LENET, "lenet5Mnist"), tfjs: await panelCheckpoints(tfjsRuns, LENET, "lenet5Mnist") };
  const summary = (cs: typeof listed.torch) =>
    cs.map((c) => ({ file: path.basename(c.id), epoch: c.epoch, globalStep: c.globalStep, label: c.label.replace(/ · [^·]+$/, " · RUN") }));
  assert.deepEqual(summary(listed.torch), summary(listed.tfjs));
  assert.deepEqual(
    summary(listed.torch).map((c) => c.file),
    ["e0002-s000010.safetensors", "e0001-s000010.safetensors"],
  );

  // the trainer's checkpoint reader: the same tensors (parameters and optimizer state), shapes and index
  for (const [a, b] of listCheckpoints(dirs.torch).map((f, i) => [f, listCheckpoints(dirs.tfjs)[i]!] as const)) {
    const ca = readCheckpoint(a);
    const cb = readCheckpoint(b);
    assert.ok(ca.ok && cb.ok, `${ca.ok ? "" : ca.error} ${cb.ok ? "" : cb.error}`);
    const shapes = (c: typeof ca) => (c.ok ? [...c.value.tensors.values()].map((x) => `${x.kind} ${x.name} [${x.shape.join(", ")}]`).sort() : []);
    assert.deepEqual(shapes(ca), shapes(cb));
    assert.deepEqual(Object.keys(ca.value.index.position).sort(), Object.keys(cb.value.index.position).sort());
    assert.deepEqual(
      { ...ca.value.index.position, seconds: 0, lossSum: 0, correct: 0, correctTop5: 0 },
      { ...cb.value.index.position, seconds: 0, lossSum: 0, correct: 0, correctTop5: 0 },
    );
    assert.deepEqual(Object.keys(ca.value.index.optimizer.scalars).sort(), Object.keys(cb.value.index.optimizer.scalars).sort());
    for (const name of ["features.0.weight", "classifier.4.bias"]) {
      const x = await readCheckpointTensor({ id: a, run: dirs.torch }, name);
      const y = await readCheckpointTensor({ id: b, run: dirs.tfjs }, name);
      assert.ok(x && y, name);
      assert.deepEqual(x.shape, y.shape);
      assert.ok(x.data.every(Number.isFinite));
    }
  }

  // the Runs view
  const store = new RunStore();
  const {
    dir: _e,
    name: _f,
    backend: torchBackend,
    startedAt: _g,
    updatedAt: _h,
    bestValAccuracy: b1,
    lastValAccuracy: l1,
    lastLoss: x1,
    imagesPerSecond: i1,
    ...torchRun_
  } = (await store.read(dirs.torch))!;
  const {
    dir: _i,
    name: _j,
    backend: tfjsBackend,
    startedAt: _k,
    updatedAt: _l,
    bestValAccuracy: b2,
    lastValAccuracy: l2,
    lastLoss: x2,
    imagesPerSecond: i2,
    ...tfjsRun_
  } = (await store.read(dirs.tfjs))!;
  assert.equal(torchBackend, "torch");
  assert.ok(tfjsBackend !== null && tfjsBackend !== "torch");
  assert.deepEqual(torchRun_, tfjsRun_);
  assert.equal(torchRun_.state, "completed");
  for (const v of [b1, l1, x1, i1, b2, l2, x2, i2]) assert.ok(v !== null && v > 0);
  fs.rmSync(torchRuns, { recursive: true, force: true });
  fs.rmSync(tfjsRuns, { recursive: true, force: true });
  fs.rmSync(data, { recursive: true, force: true });
  return undefined;
});
