import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import { exportPyTorch } from "../../src/export/pytorch";
import { trainConfig } from "../../src/shared/training";
import { listCheckpoints, readCheckpoint, writeLegacyCheckpoint } from "../../src/trainer/checkpoint";
import { TfjsEngine } from "../../src/trainer/engines/tfjs/tfjsEngine";
import { selectBackend } from "../../src/trainer/model/backend";
import { compileModel } from "../../src/trainer/model/compile";
import { mulberry32 } from "../../src/trainer/rng";
import { assignWeights } from "../../src/trainer/weights";
import { collect, deps, smallMnistIdx, tempDir } from "../trainer/helpers/env";
import { PYTHON, ROOT } from "./helpers";

/**
 * Issue 15's "checkpoints are safetensors that PyTorch loads": a few steps of training in the
 * TensorFlow.js engine (a model with BatchNorm, so the state_dict has running statistics and an
 * int64 num_batches_tracked), then in Python the checkpoint loads into the exported model with
 * strict=True through the exported load_checkpoint() and through a minimal safetensors reader
 * written with torch alone, and both compute our engine's output; the same weights in the format
 * before still load with load_checkpoint().
 */

const MODEL = `import { nn } from "cnn-studio";
/** @input [N, 1, 28, 28] */
export const bnNet = nn.Sequential(nn.Conv2d(1, 4, 3, { stride: 2 }), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(64, 10));
`;
const hasTorch = fs.existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch"]).status === 0;

test(
  "a checkpoint the TensorFlow.js engine trained loads strictly into exported PyTorch code, with and without its load_checkpoint, with our outputs",
  { skip: hasTorch ? false : `PyTorch is not installed for ${PYTHON} (python3-torch)` },
  async () => {
    const dir = tempDir("cnn-studio-ckpt-st-");
    const file = path.join(dir, "bn.ts");
    fs.writeFileSync(file, MODEL);
    const events = collect();
    const engine = new TfjsEngine(deps(), events.emit);
    const config = trainConfig({
      file,
      model: "bnNet",
      dataset: { kind: "idx", dir: smallMnistIdx(96, 32) },
      runsDir: dir,
      epochs: 1,
      batchSize: 32,
      seed: 3,
      optimizer: { name: "adam", lr: 0.01 },
    });
    await engine.handle({ type: "start", config });
    assert.deepEqual(events.of("error"), []);
    const runDir = events.of("started")[0]!.runDir;
    engine.dispose();
    const modelFile = listCheckpoints(runDir)[0]!;
    assert.equal(path.basename(modelFile), "e0001-s000003.safetensors");
    const ck = readCheckpoint(modelFile);
    assert.ok(ck.ok, ck.ok ? "" : ck.error);
    const { format: _f, version: _v, writtenAt: _w, ...meta } = ck.value.index;
    const legacy = writeLegacyCheckpoint(path.join(dir, "legacy"), meta, [...ck.value.tensors.values()]);

    // our engine's output with the checkpoint's weights
    const be = await selectBackend("js", { strict: true });
    assert.ok(be.ok);
    const tf = be.tf;
    const analysis = new Analyzer().analyzeFile(file).models.find((m) => m.name === "bnNet")!;
    const compiled = compileModel(tf, analysis, { seed: 0 });
    assignWeights(tf, compiled, ck.value.tensors);
    const rng = mulberry32(11).next;
    const shape = [2, 1, 28, 28];
    const input = Float32Array.from({ length: 2 * 28 * 28 }, () => rng() * 2 - 1);
    const ours = compiled.apply([tf.tensor(input, shape)], false).dataSync();
    const inputFile = path.join(dir, "input.bin");
    fs.writeFileSync(inputFile, Buffer.from(input.buffer));

    const exported = exportPyTorch(file, { models: ["bnNet"] });
    assert.ok(exported.ok);
    const code = path.join(dir, "bn.py");
    fs.writeFileSync(code, exported.code);
    const r = spawnSync(
      PYTHON,
      [path.join(ROOT, "test/export/checkpoint_safetensors.py"), code, "bnNet", modelFile, legacy, inputFile, JSON.stringify(shape)],
      {
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout) as {
      index: Record<string, unknown>;
      dtypes: Record<string, string>;
      outputs: Record<string, number[]>;
      optimizer: string[];
      legacyOptimizer: string[];
      runFolder: Record<string, number>;
      lonely: string;
      flipped: string;
      legacyStateDict: string[];
    };
    assert.deepEqual(res.dtypes, { "1.num_batches_tracked": "torch.int64" }, "int64 as PyTorch keeps it");
    assert.deepEqual(res.index, {
      format: "pt",
      checkpoint: "cnn-studio-checkpoint",
      version: "2",
      model: "bnNet",
      reason: "epoch",
      position: ck.value.index.position,
      optimizer: ck.value.index.optimizer,
    });
    for (const [how, out] of Object.entries(res.outputs)) {
      assert.equal(out.length, ours.length, how);
      const diff = Math.max(...out.map((v, i) => Math.abs(v - ours[i]!)));
      assert.ok(diff <= 1e-5, `${how}: max |Δ| ${diff} against our engine`);
    }
    const slots = ["0.weight", "0.bias", "1.weight", "1.bias", "5.weight", "5.bias"].flatMap((p) => [`${p}.exp_avg`, `${p}.exp_avg_sq`]).sort();
    assert.deepEqual(res.optimizer, slots);
    assert.deepEqual(res.legacyOptimizer, slots);
    assert.equal(res.runFolder["globalStep"], 3);
    assert.match(res.lonely, /its optimizer state e0001-s000003\.optimizer\.safetensors is missing or not the one written with it \(weights only\)/);
    assert.deepEqual(res.legacyStateDict, [...ck.value.tensors.keys()].filter((n) => !n.startsWith("optimizer.")).sort());
    assert.match(
      res.flipped,
      /flipped\/e0001-s000003\.safetensors: checksum mismatch: __metadata__ crc32 is \d+, the data's CRC-32 is \d+ \(the file is damaged\)/,
    );
  },
);
