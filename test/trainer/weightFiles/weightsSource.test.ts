import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { writeCheckpoint, writeLegacyCheckpoint, type CheckpointTensor } from "../../../src/trainer/checkpoint";
import { readWeightsFile } from "../../../src/trainer/weightFiles/readWeights";
import { readSafetensors } from "../../../src/trainer/weightFiles/safetensors";
import { resolveWeightsSource } from "../../../src/trainer/weightFiles/weightsSource";
import { tempDir } from "../helpers/env";

/** `--weights` names a weights file, or a run folder standing for its newest complete checkpoint. */

const meta = (epoch: number) => ({
  model: "net",
  reason: "epoch" as const,
  position: { epoch, step: 10, globalStep: epoch * 10, lossSum: 0, correct: 0, correctTop5: 0, seen: 0, metricsLines: 0, seconds: 0 },
  optimizer: { name: "sgd", scalars: { lr: 0.1, momentum: 0.9 } },
  rng: { seed: 1, scheme: "t" },
});
const tensors = (v: number): CheckpointTensor[] => [
  { name: "fc.weight", kind: "parameter", shape: [2], data: Float32Array.of(v, -v) },
  { name: "optimizer.fc.weight.momentum_buffer", kind: "optimizer", shape: [2], data: Float32Array.of(0.5, 0.5) },
];

test("a run folder (or its checkpoints folder) is its newest complete checkpoint's model file; a file is itself", () => {
  const run = tempDir();
  fs.writeFileSync(path.join(run, "config.json"), "{}");
  const dir = path.join(run, "checkpoints");
  writeCheckpoint(dir, meta(1), tensors(1));
  const second = writeCheckpoint(dir, meta(2), tensors(2));
  // a newer one cut short (a copy that was interrupted), and a newer one's optimiser file alone (a crash between the writes)
  const third = writeCheckpoint(dir, meta(3), tensors(3));
  fs.writeFileSync(third, fs.readFileSync(third).subarray(0, 30));
  fs.writeFileSync(path.join(dir, "e0004-s000010.optimizer.safetensors"), "x");
  for (const p of [run, dir, `${run}${path.sep}`]) assert.deepEqual(resolveWeightsSource(p), { ok: true, value: second }, p);
  // the resolved file is the state_dict, readable as weights
  const sd = readSafetensors(second);
  assert.ok(sd.ok);
  assert.deepEqual([...sd.value.tensors.keys()], ["fc.weight"]);
  assert.deepEqual(sd.value.tensors.get("fc.weight")!.values, Float32Array.of(2, -2));
  // a checkpoint whose optimiser state is gone is still weights
  fs.rmSync(second.replace(/\.safetensors$/, ".optimizer.safetensors"));
  assert.deepEqual(resolveWeightsSource(run), { ok: true, value: second });
  // files are passed through as they are
  assert.deepEqual(resolveWeightsSource(third), { ok: true, value: third });
  const pth = path.join(run, "resnet18.pth");
  fs.writeFileSync(pth, "PK");
  assert.deepEqual(resolveWeightsSource(pth), { ok: true, value: pth });
});

test("what names no usable weights is a message naming it", () => {
  const root = tempDir();
  const missing = path.join(root, "nope.safetensors");
  const r1 = resolveWeightsSource(missing);
  assert.ok(!r1.ok && r1.error.startsWith(`${missing}: no such weights file or run folder (ENOENT)`), JSON.stringify(r1));

  const plain = path.join(root, "photos");
  fs.mkdirSync(plain);
  const r2 = resolveWeightsSource(plain);
  assert.ok(!r2.ok && r2.error.startsWith(`${plain} is a folder but not a run folder`), JSON.stringify(r2));

  const empty = path.join(root, "2026-01-01-000000-net");
  fs.mkdirSync(path.join(empty, "checkpoints"), { recursive: true });
  fs.writeFileSync(path.join(empty, "status.json"), "{}");
  const r3 = resolveWeightsSource(empty);
  assert.ok(!r3.ok && r3.error.startsWith(`${empty} has no complete checkpoint to start from (a run writes one`), JSON.stringify(r3));

  const torn = writeCheckpoint(path.join(empty, "checkpoints"), meta(1), tensors(1));
  fs.writeFileSync(torn, fs.readFileSync(torn).subarray(0, 40));
  const r4 = resolveWeightsSource(empty);
  assert.ok(!r4.ok && r4.error.includes("(damaged: ") && r4.error.includes(torn), JSON.stringify(r4));

  // a run of the format before whose only checkpoint lost its .bin
  const old = path.join(root, "2025-01-01-000000-net");
  const index = writeLegacyCheckpoint(path.join(old, "checkpoints"), meta(1), tensors(1));
  fs.rmSync(index.replace(/\.json$/, ".bin"));
  const r5 = resolveWeightsSource(old);
  assert.ok(
    !r5.ok && r5.error.includes("(damaged: ") && r5.error.includes("e0001-s000010.bin: the data of e0001-s000010.json is missing (ENOENT)"),
    JSON.stringify(r5),
  );
});

test("a checkpoint of the format before .safetensors (.json + .bin) is weights too: its parameters and buffers, not its optimiser state", () => {
  const run = tempDir();
  fs.writeFileSync(path.join(run, "config.json"), "{}");
  const dir = path.join(run, "checkpoints");
  const withBuffers = (v: number): CheckpointTensor[] => [
    ...tensors(v),
    { name: "bn.running_var", kind: "buffer", shape: [2], data: Float32Array.of(v / 4, 3) },
    { name: "bn.num_batches_tracked", kind: "buffer", shape: [], data: Float32Array.of(7), torchDtype: "int64" },
  ];
  writeCheckpoint(dir, meta(1), tensors(1));
  const index = writeLegacyCheckpoint(dir, meta(2), withBuffers(2));
  // the run folder stands for its newest checkpoint, of either format; the index is passed through
  assert.deepEqual(resolveWeightsSource(run), { ok: true, value: index });
  assert.deepEqual(resolveWeightsSource(index), { ok: true, value: index });
  const sd = readWeightsFile(index);
  assert.ok(sd.ok, sd.ok ? "" : sd.error);
  assert.deepEqual(
    [...sd.value.tensors.values()].map((t) => [t.name, t.dtype, t.shape, [...t.values]]),
    [
      ["fc.weight", "F32", [2], [2, -2]],
      ["bn.running_var", "F32", [2], [0.5, 3]],
      ["bn.num_batches_tracked", "I64", [], [7]],
    ],
  );
  // a flipped bit in its .bin is refused, naming the file and both checksums
  const bin = index.replace(/\.json$/, ".bin");
  const bytes = fs.readFileSync(bin);
  bytes[1] = bytes[1]! ^ 0x10;
  fs.writeFileSync(bin, bytes);
  const damaged = readWeightsFile(index);
  assert.ok(!damaged.ok && /e0002-s000010\.bin: checksum mismatch \(expected \d+, computed \d+\)/.test(damaged.error), JSON.stringify(damaged));
  // a JSON file that is no checkpoint index says so
  const other = path.join(run, "config.json");
  const r = readWeightsFile(other);
  assert.ok(!r.ok && r.error.startsWith(`${other}: not a cnn-studio-checkpoint version 1 index`), JSON.stringify(r));
});
