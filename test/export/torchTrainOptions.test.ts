import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { trainConfig } from "../../src/shared/training";
import { createSchedule } from "../../src/trainer/train/schedules";
import { PYTHON, ROOT, runEngineCheck, trainTorch } from "./helpers";

/**
 * The PyTorch engine honours the options transformers need (--exclude-from-decay, warmup-cosine,
 * --clip-grad-norm, --label-smoothing): trainer.py's functions for them, imported by test/export/python/trainer_options.py, against
 * the PyTorch goldens of test/golden/trainer-optim/transformer.json, and a short LeNet-5 run with
 * all of them whose learning rates are the TensorFlow.js schedule's. Skipped without Debian's
 * python3-torch.
 */

const GOLDEN = path.join(ROOT, "test/golden/trainer-optim/transformer.json");

function noTorch(): string | null {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found: install python3-torch (Debian) to test the PyTorch engine`;
  const r = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  return r.status === 0 ? null : `PyTorch is not installed for ${PYTHON}: install python3-torch (Debian) to test the PyTorch engine`;
}

describe("the PyTorch engine's training options", () => {
  test("trainer.py's decay groups, warm-up + cosine, clipping and label smoothing are PyTorch's (the goldens)", (t) => {
    const skip = noTorch();
    if (skip) return t.skip(skip);
    const r = runEngineCheck("trainer_options.py", [GOLDEN]);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    const golden = JSON.parse(fs.readFileSync(GOLDEN, "utf8")) as { excluded: string[] };
    assert.deepEqual(report["excluded"], golden.excluded);
    assert.equal(report["oneGroup"], true, "without the option: PyTorch's one group");
    assert.ok((report["decayWorst"] as number) < 1e-5, `AdamW with two groups: ${String(report["decayWorst"])}`);
    assert.ok((report["scheduleWorst"] as number) < 1e-9, `warm-up + cosine: ${String(report["scheduleWorst"])}`);
    assert.ok((report["clipWorst"] as number) < 1e-6, `clipping: ${String(report["clipWorst"])}`);
    assert.ok((report["smoothingWorst"] as number) < 1e-6, `label smoothing: ${String(report["smoothingWorst"])}`);
    return undefined;
  });

  test("LeNet-5 trains with all of them, at the TensorFlow.js schedule's learning rates", async (t) => {
    const skip = noTorch();
    if (skip) return t.skip(skip);
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-torch-options-"));
    const config = trainConfig({
      file: path.join(ROOT, "examples/lenet5.ts"),
      model: "lenet5Mnist",
      dataset: { kind: "mnist-sample" },
      runsDir,
      epochs: 2,
      batchSize: 256,
      optimizer: { name: "adamw", lr: 0.003, excludeFromDecay: true, clipGradNorm: 0.5 },
      schedule: { name: "warmup-cosine", warmupEpochs: 1, warmupStart: 0.1, minLr: 1e-5 },
      labelSmoothing: 0.1,
    });
    const events = await trainTorch(config, 4);
    const failure = events.find((e) => e.type === "error");
    assert.equal(failure, undefined, failure && failure.type === "error" ? failure.message : "");
    const progress = events.filter((e) => e.type === "progress");
    assert.ok(progress.length >= 4, `steps: ${progress.length}`);
    const schedule = createSchedule(config.schedule, config.optimizer.lr, config.epochs, 32, "adamw");
    for (const p of progress) {
      assert.equal(p.stepsPerEpoch, 32);
      assert.ok(Math.abs(p.lr - schedule.at(p.epoch - 1, p.globalStep - 1).lr) < 1e-12, `step ${p.globalStep}: lr ${p.lr}`);
      assert.ok(Number.isFinite(p.loss) && p.loss > 0);
    }
    assert.ok(progress[1]!.lr > progress[0]!.lr, "warming up");
    assert.equal(events[events.length - 1]!.type, "stopped");
    return undefined;
  });
});
