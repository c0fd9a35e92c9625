import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { runEvaluate } from "../../src/cli/evaluate";
import { classMetricsOf, validateEvaluationReport, type EvaluationReport } from "../../src/shared/evaluation";
import { trainConfig, type FinalMetrics } from "../../src/shared/training";
import { summarize } from "../../src/trainer/evaluate";
import { TfjsEngine } from "../../src/trainer/engines/tfjs/tfjsEngine";
import { Inspector } from "../../src/trainer/inspect";
import { collect, deps, EXAMPLES, smallMnistIdx, tempDir } from "../trainer/helpers/env";

/**
 * Issue 18: `cnn-studio evaluate` (src/cli/evaluate.ts, src/trainer/evaluate.ts) on a short LeNet-5
 * run of a small MNIST subset, trained here (1 epoch of 320 images, 100 validation images).
 */

let runDir = "";
let final: FinalMetrics | null = null;
let lastCheckpoint = "";
const events = collect();

async function evaluate(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runEvaluate(argv, { out: (s) => (out += s + "\n"), err: (s) => (err += s + "\n") });
  return { code, out, err };
}

async function report(...argv: string[]): Promise<EvaluationReport> {
  const r = await evaluate(...argv, "--json");
  assert.equal(r.code, 0, r.err);
  const checked = validateEvaluationReport(JSON.parse(r.out));
  assert.ok(checked.ok, checked.ok ? "" : checked.error);
  return checked.value;
}

before(async () => {
  const session = new TfjsEngine(deps(), events.emit);
  await session.handle({
    type: "start",
    config: trainConfig({
      file: path.join(EXAMPLES, "lenet5.ts"),
      model: "lenet5Mnist",
      dataset: { kind: "idx", dir: smallMnistIdx(320, 100) },
      runsDir: tempDir("cnn-studio-evaluate-"),
      epochs: 1,
      batchSize: 32,
      seed: 3,
      optimizer: { name: "sgd", lr: 0.05, momentum: 0.9 },
    }),
  });
  session.dispose();
  const done = events.of("completed");
  assert.equal(done.length, 1, JSON.stringify(events.of("error")));
  runDir = done[0]!.runDir;
  final = done[0]!.final;
  lastCheckpoint = events.of("checkpoint").at(-1)!.path;
});

after(() => fs.rmSync(runDir, { recursive: true, force: true }));

describe("cnn-studio evaluate", () => {
  test("its validation accuracy and loss equal the run's own on the final checkpoint", async () => {
    const r = await report(runDir);
    assert.ok(final);
    assert.equal(r.accuracy, final.valAccuracy);
    assert.ok(Math.abs(r.loss - final.valLoss) < 1e-6, `loss ${r.loss} vs the run's ${final.valLoss}`);
    // top-5 above 5 classes (the loop reports it above 10)
    assert.equal(typeof r.top5, "number");
    if (final.valTop5 !== null) assert.equal(r.top5, final.valTop5);
    assert.equal(r.checkpoint, path.basename(lastCheckpoint));
    assert.equal(r.samples, 100);
    assert.equal(r.split, "val");
    assert.deepEqual(r.classes, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  });

  test("the confusion matrix sums to the split's size and its diagonal gives the accuracy; per-class figures follow from it", async () => {
    const r = await report(runDir, "--split", "train");
    assert.equal(r.samples, 320);
    const total = r.confusion.flat().reduce((a, b) => a + b, 0);
    assert.equal(total, 320);
    const diagonal = r.confusion.reduce((a, row, i) => a + row[i]!, 0);
    assert.equal(diagonal / total, r.accuracy);
    assert.deepEqual(
      r.perClass.map((c) => c.support),
      r.confusion.map((row) => row.reduce((a, b) => a + b, 0)),
    );
    assert.deepEqual(r.perClass, classMetricsOf(r.classes, r.confusion));
    // mistakes: wrong, most confident first, within the split
    for (const m of r.mistakes) assert.notEqual(m.label, m.predicted);
    for (let i = 1; i < r.mistakes.length; i++) assert.ok(r.mistakes[i - 1]!.confidence >= r.mistakes[i]!.confidence);
    assert.ok(r.mistakes.every((m) => m.index < 320));
    assert.equal(r.mistakes.length, Math.min(20, 320 - diagonal));
  });

  test("--checkpoint picks a checkpoint by name; the text output shows the figures", async () => {
    const name = path.basename(lastCheckpoint).replace(/\.safetensors$/, "");
    const r = await evaluate(runDir, "--checkpoint", name, "--split=test");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /accuracy \d+\.\d\d%, top-5 \d+\.\d\d%, loss \d\.\d{4}/);
    assert.match(r.out, /confusion \(rows: true class, columns: predicted\)/);
    const missing = await evaluate(runDir, "--checkpoint", "e0099");
    assert.equal(missing.code, 1);
    assert.match(missing.err, /has no checkpoint 'e0099' \(its checkpoints: e0001-/);
  });

  test("a bad RUN_DIR, a run without config.json, a damaged checkpoint and a held-out 'test' split give named errors", async () => {
    const none = await evaluate(path.join(runDir, "nope"));
    assert.equal(none.code, 2);
    assert.match(none.err, /no run folder .*nope/);
    const bare = tempDir("cnn-studio-evaluate-bare-");
    const noConfig = await evaluate(bare);
    assert.equal(noConfig.code, 1);
    assert.match(noConfig.err, /cannot evaluate .*: no readable config\.json/);
    // a copy of the run whose only checkpoint is cut short
    const copy = tempDir("cnn-studio-evaluate-copy-");
    fs.cpSync(runDir, copy, { recursive: true });
    const ckDir = path.join(copy, "checkpoints");
    for (const f of fs.readdirSync(ckDir)) {
      const file = path.join(ckDir, f);
      fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 100));
    }
    const damaged = await evaluate(copy);
    assert.equal(damaged.code, 1);
    assert.match(damaged.err, /has no complete checkpoint \(damaged: .*e0001-/);
    const sample = path.join(copy, "config.json");
    const config = JSON.parse(fs.readFileSync(sample, "utf8")) as Record<string, unknown>;
    fs.writeFileSync(sample, JSON.stringify({ ...config, dataset: { kind: "mnist-sample" } }));
    fs.cpSync(path.join(runDir, "checkpoints"), ckDir, { recursive: true });
    const test_ = await evaluate(copy, "--split", "test");
    assert.equal(test_.code, 1);
    assert.match(test_.err, /mnist-sample has no test split/);
    const badSplit = await evaluate(copy, "--split", "dev");
    assert.equal(badSplit.code, 2);
    assert.match(badSplit.err, /--split must be val, train or test, got 'dev'/);
    fs.rmSync(copy, { recursive: true, force: true });
    fs.rmSync(bare, { recursive: true, force: true });
  });
});

describe("the Inspector's evaluate and samples (the Evaluation panel's data)", () => {
  test("the same report as the CLI, every sample's prediction, and thumbnails of the split", async () => {
    const inspector = new Inspector(deps());
    const cli = await report(runDir);
    const target = { file: path.join(EXAMPLES, "lenet5.ts"), model: "lenet5Mnist" };
    const r = await inspector.inspect({ kind: "evaluate", ...target, runDir, checkpoint: null, split: "val" });
    assert.ok(r.ok && r.value.kind === "evaluate", r.ok ? "" : r.error);
    assert.deepEqual(r.value.report, cli);
    assert.equal(r.value.predicted.length, 100);
    const { labels, predicted } = r.value;
    assert.equal(predicted.filter((p, i) => p === labels[i]).length / 100, cli.accuracy);
    const s = await inspector.inspect({ kind: "samples", ...target, runDir, split: "val", indices: [0, 99] });
    assert.ok(s.ok && s.value.kind === "samples", s.ok ? "" : s.error);
    assert.deepEqual(
      s.value.images.map((t) => t.shape),
      [
        [1, 28, 28],
        [1, 28, 28],
      ],
    );
    assert.ok(s.value.images[0]!.data.every((v) => v >= 0 && v <= 1));
    const out = await inspector.inspect({ kind: "samples", ...target, runDir, split: "val", indices: [100] });
    assert.deepEqual(out, { ok: false, error: "sample 100 is out of range: the split has 100 images (0 to 99)" });
    inspector.dispose();
  });
});

describe("summarize", () => {
  test("ties go to the first class, confidence is the softmax of the prediction, top-5 only above 5 classes", () => {
    const logits = Float32Array.from([1, 1, 0, 0, 3, 0]);
    const s = summarize(logits, Int32Array.from([1, 1]), 3, ["a", "b", "c"]);
    assert.deepEqual([...s.samples.predicted], [0, 1]);
    assert.equal(s.figures.accuracy, 0.5);
    assert.equal(s.figures.top5, null);
    assert.deepEqual(s.figures.confusion, [
      [0, 0, 0],
      [1, 1, 0],
      [0, 0, 0],
    ]);
    const e = Math.E;
    assert.ok(Math.abs(s.samples.confidence[0]! - e / (2 * e + 1)) < 1e-6);
    assert.deepEqual(s.figures.mistakes, [{ index: 0, label: "b", predicted: "a", confidence: s.samples.confidence[0]! }]);
  });
});
