import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { validateEvent, type TrainConfig } from "../../../src/shared/training";
import type { TransferConfig } from "../../../src/shared/trainConfigTransfer";
import { latestCheckpoint } from "../../../src/trainer/checkpoint";
import { compileModel } from "../../../src/trainer/model/compile";
import { modelToTrain } from "../../../src/trainer/runSetup";
import { loadMatchedWeights, readRunWeights } from "../../../src/trainer/train/transferSetup";
import { copyWeights } from "../../../src/trainer/weights";
import { PYTHON } from "../../export/helpers";
import { collect, deps, smallMnistIdx, tempDir, testTf } from "../helpers/env";
import { TfjsEngine } from "../../../src/trainer/engines/tfjs/tfjsEngine";
import { BACKBONE, BN_BUFFERS, makeWeights, MODEL_FILE, same, transferConfig } from "./helpers";

/**
 * Transfer learning in the TensorFlow.js engine: a small CNN with BatchNorm trained a few steps
 * from a weights file made by PyTorch (seeded) with its backbone frozen. The loaded values equal the
 * file's bit for bit; after training every frozen tensor, BatchNorm statistics included, is
 * bit-identical while the head changed; `--lr-for features.*=0` leaves those parameters (but not the
 * running statistics) as they were; globs that match nothing are errors naming them.
 */

const hasTorch = fs.existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch"]).status === 0;
const noTorch = hasTorch ? false : `PyTorch is not installed for ${PYTHON} (python3-torch): the weights files are made with it`;

const data = smallMnistIdx(64, 32);

function config(runsDir: string, transfer: TransferConfig, over: Partial<TrainConfig> = {}): TrainConfig {
  return transferConfig(data, runsDir, transfer, over);
}

async function train(c: TrainConfig): Promise<{ events: ReturnType<typeof collect>; dir: string | null }> {
  const events = collect();
  const session = new TfjsEngine(deps(), (e) => events.emit(e));
  await session.handle({ type: "start", config: c });
  session.dispose();
  return { events, dir: events.of("started")[0]?.runDir ?? null };
}

/** The tensors of the run's newest checkpoint. */
function finalTensors(dir: string): Map<string, Float32Array> {
  const ck = latestCheckpoint(dir).checkpoint;
  assert.ok(ck, `no checkpoint in ${dir}`);
  return new Map([...ck.tensors].map(([name, t]) => [name, t.data]));
}

/** The model as the run initialises it (the same seed), before any weights or training. */
async function initialWeights(): Promise<Map<string, Float32Array>> {
  const { tf } = await testTf();
  const found = modelToTrain(MODEL_FILE, "smallBackbone", undefined);
  assert.ok(found.ok);
  const compiled = compileModel(tf, found.model, { seed: 3 });
  const values = new Map([...copyWeights(compiled)].map(([n, t]) => [n, t.data]));
  compiled.dispose();
  return values;
}

const STATE_DICT_ORDER = [
  "features.0.weight",
  "features.1.weight",
  "features.1.bias",
  "features.1.running_mean",
  "features.1.running_var",
  "features.1.num_batches_tracked",
  "features.3.weight",
  "features.3.bias",
  "features.4.weight",
  "features.4.bias",
  "features.4.running_mean",
  "features.4.running_var",
  "features.4.num_batches_tracked",
];

describe("transfer learning in the TensorFlow.js engine", () => {
  test("the loaded tensors equal the file's bit for bit; the mismatched head stays freshly initialised", { skip: noTorch }, async () => {
    const { base, tensors } = makeWeights();
    for (const ext of [".safetensors", ".pth"]) {
      const { tf } = await testTf();
      const found = modelToTrain(MODEL_FILE, "smallBackbone", undefined);
      assert.ok(found.ok);
      const compiled = compileModel(tf, found.model, { seed: 3 });
      const fresh = copyWeights(compiled);
      const match = readRunWeights(config("", { weights: base + ext, freeze: [], lrFor: [] }), found.model, compiled);
      assert.ok(match.ok && match.value !== null, JSON.stringify(match));
      assert.deepEqual(match.value.loaded, STATE_DICT_ORDER, "in state_dict order");
      assert.deepEqual(
        match.value.mismatched.map((m) => [m.name, m.fileShape, m.modelShape]),
        [
          ["fc.weight", [5, 8], [10, 8]],
          ["fc.bias", [5], [10]],
        ],
      );
      assert.deepEqual(match.value.unexpected, ["extra.weight"]);
      loadMatchedWeights(tf, compiled, match.value);
      const all = new Map([...compiled.parameters, ...compiled.buffers]);
      for (const name of [...BACKBONE, ...BN_BUFFERS]) {
        const v = all.get(name)!;
        const got = v.dtype === "int32" ? Float32Array.from(v.dataSync()) : (v.dataSync() as Float32Array);
        assert.ok(same(got, Float32Array.from(tensors[name]!.values)), `${ext}: ${name} as in the file`);
      }
      for (const name of ["fc.weight", "fc.bias"]) assert.ok(same(all.get(name)!.dataSync() as Float32Array, fresh.get(name)!.data), `${name} kept fresh`);
      compiled.dispose();
    }
  });

  test(
    "--weights with --freeze features.*: every frozen tensor, BatchNorm statistics included, is bit-identical after training; the head changed",
    { skip: noTorch },
    async () => {
      const { base, tensors } = makeWeights();
      const { events, dir } = await train(config(tempDir(), { weights: base + ".safetensors", freeze: ["features.*"], lrFor: [] }));
      assert.deepEqual(events.of("error"), []);
      assert.ok(dir);
      const started = events.of("started")[0]!;
      assert.ok(validateEvent(started).ok, "the started event with its weights report passes the protocol's check");
      assert.deepEqual(started.weights?.unexpected, ["extra.weight"]);
      assert.equal(events.of("progress").length, 4);
      const after = finalTensors(dir);
      for (const name of [...BACKBONE, ...BN_BUFFERS]) assert.ok(same(after.get(name), Float32Array.from(tensors[name]!.values)), `${name} unchanged`);
      const fresh = await initialWeights();
      for (const name of ["fc.weight", "fc.bias"]) assert.ok(!same(after.get(name), fresh.get(name)), `${name} trained`);
      const optimizerState = [...after.keys()].filter((n) => n.startsWith("optimizer."));
      assert.ok(
        optimizerState.length > 0 && optimizerState.every((n) => n.startsWith("optimizer.fc.")),
        `no optimiser state for frozen parameters: ${optimizerState.join(", ")}`,
      );
      const log = fs.readFileSync(path.join(dir, "log.txt"), "utf8");
      assert.match(log, /weights: .*backbone\.safetensors: 13 of 15 tensors loaded, 2 mismatched, 0 missing, 1 unexpected/);
      assert.match(log, /fc\.weight: file \[5, 8\], model \[10, 8\] — kept freshly initialised/);
      assert.match(log, /frozen: 7 of 9 parameter tensors; 2 BatchNorm layers keep their running statistics/);

      // resumed for a second epoch: the run's own settings still freeze the backbone
      const resumed = await train({ ...config(tempDir(), { weights: null, freeze: [], lrFor: [] }), epochs: 2, resume: dir });
      assert.deepEqual(resumed.events.of("error"), []);
      assert.equal(resumed.events.of("started")[0]!.weights, undefined, "the checkpoint has the weights");
      const later = finalTensors(dir);
      for (const name of [...BACKBONE, ...BN_BUFFERS])
        assert.ok(same(later.get(name), Float32Array.from(tensors[name]!.values)), `${name} unchanged after resuming`);
      assert.ok(!same(later.get("fc.weight"), after.get("fc.weight")), "the head trained on");
    },
  );

  test(
    "without --freeze the same run changes the backbone and its running statistics (the test above can fail); its run folder is a --weights",
    { skip: noTorch },
    async () => {
      const { base, tensors } = makeWeights();
      const { events, dir } = await train(config(tempDir(), { weights: base + ".safetensors", freeze: [], lrFor: [] }));
      assert.deepEqual(events.of("error"), []);
      const after = finalTensors(dir!);
      for (const name of [...BACKBONE, ...BN_BUFFERS]) assert.ok(!same(after.get(name), Float32Array.from(tensors[name]!.values)), `${name} changed`);

      // that run's folder is the --weights of the next: its newest checkpoint, every tensor of it
      const next = await train(config(tempDir(), { weights: dir!, freeze: [], lrFor: [] }));
      assert.deepEqual(next.events.of("error"), []);
      const report = next.events.of("started")[0]!.weights;
      assert.match(report?.file ?? "", /checkpoints[\\/]e0001-s000004\.safetensors$/);
      assert.deepEqual([report?.loaded.length, report?.missing, report?.mismatched, report?.unexpected], [15, [], [], []]);
    },
  );

  test("--lr-for features.*=0 leaves those parameters unchanged while the head moves (running statistics still update)", async () => {
    const fresh = await initialWeights();
    const { events, dir } = await train(config(tempDir(), { weights: null, freeze: [], lrFor: [{ glob: "features.*", lr: 0 }] }));
    assert.deepEqual(events.of("error"), []);
    const after = finalTensors(dir!);
    for (const name of BACKBONE) assert.ok(same(after.get(name), fresh.get(name)), `${name} unchanged`);
    for (const name of ["fc.weight", "fc.bias", "features.1.running_mean"]) assert.ok(!same(after.get(name), fresh.get(name)), `${name} changed`);
  });

  test("--freeze without weights on a randomly initialised model; a bare module path freezes its parameters", async () => {
    const fresh = await initialWeights();
    const { events, dir } = await train(config(tempDir(), { weights: null, freeze: ["features.0", "features.1"], lrFor: [] }));
    assert.deepEqual(events.of("error"), []);
    const after = finalTensors(dir!);
    for (const name of [
      "features.0.weight",
      "features.1.weight",
      "features.1.bias",
      "features.1.running_mean",
      "features.1.running_var",
      "features.1.num_batches_tracked",
    ])
      assert.ok(same(after.get(name), fresh.get(name)), `${name} unchanged`);
    for (const name of ["features.3.weight", "features.4.running_mean", "fc.weight"]) assert.ok(!same(after.get(name), fresh.get(name)), `${name} changed`);
  });

  test("a glob that matches nothing, or an unreadable weights file, is an error naming it, before any run folder", async () => {
    for (const [transfer, message] of [
      [
        { weights: null, freeze: ["backbone.*"], lrFor: [] },
        /^--freeze backbone\.\* matches no parameter of smallBackbone \(its parameters: features\.0\.weight, /,
      ],
      [{ weights: null, freeze: [], lrFor: [{ glob: "head", lr: 0.1 }] }, /^--lr-for head matches no parameter of smallBackbone/],
      [{ weights: "/no/such/weights.pth", freeze: [], lrFor: [] }, /^--weights: \/no\/such\/weights\.pth: no such weights file or run folder \(ENOENT\)/],
    ] as const) {
      const runs = tempDir();
      const { events } = await train(config(runs, { ...transfer, freeze: [...transfer.freeze], lrFor: [...transfer.lrFor] }));
      assert.match(events.of("error")[0]?.message ?? "", message);
      assert.deepEqual(fs.readdirSync(runs), []);
    }
  });
});
