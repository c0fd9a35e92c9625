import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import type * as tfc from "@tensorflow/tfjs-core";
import { Analyzer } from "../../src/analyzer/index";
import { exportPyTorch } from "../../src/export/pytorch";
import { readCheckpoint, writeCheckpoint, type CheckpointTensor } from "../../src/trainer/checkpoint";
import { selectBackend } from "../../src/trainer/model/backend";
import { compileModel } from "../../src/trainer/model/compile";
import type { CompiledModel, TF } from "../../src/trainer/model/types";
import { mulberry32 } from "../../src/trainer/rng";
import { PYTHON, ROOT } from "./helpers";

/**
 * Checkpoint interchange, both ways, on the real engines: a model compiled by the TensorFlow.js
 * engine (seeded initialisation, BatchNorm statistics randomised) writes a checkpoint with the
 * trainer's writeCheckpoint(); the exported PyTorch code loads it with its load_checkpoint() and
 * must compute the same evaluation output (within 1e-4 of the output's scale). And PyTorch's own
 * initialisation, written with the exported save_checkpoint(), is read with the trainer's
 * readCheckpoint() into a TensorFlow.js model that must compute PyTorch's output. One Python
 * process for all models; skipped with a message without Debian's python3-torch.
 */

const TOLERANCE = 1e-4;

/** Models the TensorFlow.js engine trains, small enough for its CPU backend: examples and every layer kind. */
const MODELS: [string, string[]][] = [
  ["examples/lenet5.ts", ["lenet5", "lenet5Mnist"]],
  ["examples/mnist-cnn.ts", ["ourCnn"]],
  ["examples/mnist-resnet.ts", ["mnistResNet"]],
  ["examples/simple-cnn.ts", ["simpleCnn"]],
  ["test/fixtures/trainer/blocks.ts", []],
  ["test/fixtures/trainer/zoo.ts", []],
  ["test/fixtures/trainer/misc.ts", []],
];

function randomTensor(tf: TF, shape: number[], rng: () => number, scale: number, offset = 0): tfc.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = offset + (rng() * 2 - 1) * scale;
  return tf.tensor(data, shape);
}

function checkpointTensors(model: CompiledModel): CheckpointTensor[] {
  const out: CheckpointTensor[] = [];
  for (const [name, v] of model.parameters) out.push({ name, kind: "parameter", shape: v.shape.slice(), data: Float32Array.from(v.dataSync()) });
  for (const [name, v] of model.buffers)
    out.push({
      name,
      kind: "buffer",
      shape: v.shape.slice(),
      data: Float32Array.from(v.dataSync()),
      ...(name.endsWith("num_batches_tracked") ? { torchDtype: "int64" as const } : {}),
    });
  return out;
}

test("checkpoints go from the TensorFlow.js engine to exported PyTorch code and back, with the same outputs", async (t) => {
  if (!fs.existsSync(PYTHON)) return t.skip(`${PYTHON} not found: install python3-torch (Debian) to test checkpoint interchange`);
  const be = await selectBackend("js", { strict: true });
  assert.ok(be.ok, be.ok ? "" : be.error);
  const tf = be.tf;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-interchange-"));
  const analyzer = new Analyzer();
  const jobs: Record<string, unknown>[] = [];
  const reverse = new Map<string, { compiled: CompiledModel; inputs: tfc.Tensor[]; outDir: string }>();
  const rng = mulberry32(42).next;
  let k = 0;
  for (const [rel, wanted] of MODELS) {
    const file = path.join(ROOT, rel);
    if (!fs.existsSync(file)) continue;
    const analysis = analyzer.analyzeFile(file);
    const models = analysis.models.filter((m) => wanted.length === 0 || wanted.includes(m.name));
    const exported = exportPyTorch(file, { models: models.map((m) => m.name) });
    assert.ok(exported.ok, `${rel}: ${exported.diagnostics.map((d) => d.message).join("; ")}`);
    const code = path.join(dir, `${path.basename(rel, ".ts")}.py`);
    fs.writeFileSync(code, exported.code);
    for (const m of models) {
      const id = `${k++}-${m.name}`;
      const compiled = compileModel(tf, m, { seed: 7 });
      for (const [name, v] of compiled.buffers) {
        if (name.endsWith("running_mean")) v.assign(randomTensor(tf, v.shape, rng, 0.5));
        if (name.endsWith("running_var")) v.assign(randomTensor(tf, v.shape, rng, 0.5, 1));
      }
      const shapes = m.inputs.map((s) => s.map((d) => (typeof d === "number" ? d : 2)));
      const inputs = shapes.map((shape) => randomTensor(tf, shape, rng, 1));
      const output = compiled.apply(inputs, false);
      const ckDir = path.join(dir, id, "tfjs");
      const ck = writeCheckpoint(
        ckDir,
        {
          model: m.name,
          reason: "epoch",
          position: { epoch: 1, step: 1, globalStep: 1, lossSum: 0, correct: 0, correctTop5: 0, seen: 0, metricsLines: 0, seconds: 0 },
          optimizer: { name: "sgd", scalars: { lr: 0.01, momentum: 0 } },
          rng: { seed: 7, scheme: "test" },
        },
        checkpointTensors(compiled),
      );
      const inputFiles = inputs.map((x, j) => {
        const f = path.join(dir, id, `input${j}.bin`);
        fs.writeFileSync(f, Buffer.from((x.dataSync() as Float32Array).buffer));
        return [f, shapes[j]];
      });
      const expectedFile = path.join(dir, id, "expected.bin");
      fs.writeFileSync(expectedFile, Buffer.from((output.dataSync() as Float32Array).buffer));
      output.dispose();
      const outDir = path.join(dir, id, "torch");
      jobs.push({ code, model: m.name, inputs: inputFiles, checkpoint: ck, expected: expectedFile, outDir, seed: k });
      reverse.set(m.name + "#" + id, { compiled: compileModel(tf, m, { seed: 99 }), inputs, outDir });
    }
  }
  assert.ok(jobs.length >= 6, "models to check");

  const t0 = performance.now();
  const r = spawnSync(PYTHON, [path.join(ROOT, "test/export/interchange.py")], {
    input: JSON.stringify(jobs),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  });
  if (r.status !== 0 && /No module named 'torch'/.test(r.stderr))
    return t.skip(`PyTorch is not installed for ${PYTHON}: install python3-torch (Debian) to test checkpoint interchange`);
  assert.equal(r.status, 0, r.stderr);
  t.diagnostic(`PyTorch side of ${jobs.length} models in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const results = JSON.parse(r.stdout) as { model: string; error?: string; maxAbsDiff: number; maxAbs: number; checkpointOut: string; outputShape: number[] }[];
  const ids = [...reverse.keys()];
  results.forEach((res, i) => {
    assert.equal(res.error, undefined, `${res.model}: ${res.error}`);
    const scale = Math.max(1, res.maxAbs);
    assert.ok(
      res.maxAbsDiff <= TOLERANCE * scale,
      `TF.js → PyTorch ${res.model}: max |Δ| ${res.maxAbsDiff.toExponential(2)} for outputs up to ${res.maxAbs.toFixed(3)}`,
    );
    const rev = reverse.get(ids[i]!)!;
    const loaded = readCheckpoint(res.checkpointOut);
    assert.ok(loaded.ok, loaded.ok ? "" : loaded.error);
    const names = [...rev.compiled.parameters.keys(), ...rev.compiled.buffers.keys()].sort();
    assert.deepEqual([...loaded.value.tensors.keys()].sort(), names, `${res.model}: the same state_dict names`);
    for (const [name, v] of [...rev.compiled.parameters, ...rev.compiled.buffers]) {
      const ct: CheckpointTensor = loaded.value.tensors.get(name)!;
      assert.deepEqual(ct.shape, v.shape, `${res.model} ${name}`);
      v.assign(tf.tensor(v.dtype === "int32" ? Int32Array.from(ct.data, Math.round) : ct.data, v.shape, v.dtype));
    }
    const y = rev.compiled.apply(rev.inputs, false);
    assert.deepEqual(y.shape, res.outputShape);
    const expected = new Float32Array(Uint8Array.from(fs.readFileSync(path.join(rev.outDir, "output.bin"))).buffer);
    const actual = y.dataSync();
    let maxDiff = 0;
    let maxAbs = 0;
    for (let j = 0; j < expected.length; j++) {
      maxDiff = Math.max(maxDiff, Math.abs(actual[j]! - expected[j]!));
      maxAbs = Math.max(maxAbs, Math.abs(expected[j]!));
    }
    y.dispose();
    assert.ok(
      maxDiff <= TOLERANCE * Math.max(1, maxAbs),
      `PyTorch → TF.js ${res.model}: max |Δ| ${maxDiff.toExponential(2)} for outputs up to ${maxAbs.toFixed(3)}`,
    );
    t.diagnostic(`${res.model}: TF.js → PyTorch max |Δ| ${res.maxAbsDiff.toExponential(1)}, PyTorch → TF.js max |Δ| ${maxDiff.toExponential(1)}`);
  });
  return undefined;
});
