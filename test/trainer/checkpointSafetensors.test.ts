import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import {
  crc32,
  latestCheckpoint,
  listCheckpoints,
  pruneCheckpoints,
  readCheckpoint,
  writeCheckpoint,
  writeLegacyCheckpoint,
  type CheckpointTensor,
} from "../../src/trainer/checkpoint";
import { resumeCheckpoint } from "../../src/trainer/runSetup";
import { readSafetensors } from "../../src/trainer/weightFiles/safetensors";
import { meta, position } from "./helpers/checkpoints";
import { tempDir } from "./helpers/env";

/** Checkpoints since issue 15: the model's state_dict in `<base>.safetensors`, the optimiser state beside it. */

const W = Float32Array.from([1.5, -2.25, Math.PI, 1e-30]);
const tensors = (v = 0): CheckpointTensor[] => [
  { name: "conv.weight", kind: "parameter", shape: [2, 2], data: W.map((x) => x + v) },
  { name: "bn.running_mean", kind: "buffer", shape: [2], data: Float32Array.of(0.25, v) },
  { name: "bn.num_batches_tracked", kind: "buffer", shape: [], data: Float32Array.of(10), torchDtype: "int64" },
  { name: "optimizer.conv.weight.exp_avg", kind: "optimizer", shape: [2, 2], data: new Float32Array(4).fill(0.5) },
  { name: "optimizer.conv.weight.exp_avg_sq", kind: "optimizer", shape: [2, 2], data: new Float32Array(4).fill(0.25) },
];

function run(): { run: string; dir: string } {
  const r = tempDir();
  return { run: r, dir: path.join(r, "checkpoints") };
}

describe("safetensors checkpoints", () => {
  test("the model file is exactly the state_dict (int64 counter as I64), the position is in __metadata__, the optimiser state beside it", () => {
    const { dir } = run();
    const file = writeCheckpoint(dir, { ...meta(1, 10), validation: { loss: 0.5, accuracy: 0.75 } }, tensors());
    assert.equal(path.basename(file), "e0001-s000010.safetensors");
    assert.deepEqual(fs.readdirSync(dir).sort(), ["e0001-s000010.optimizer.safetensors", "e0001-s000010.safetensors"], "no temporary file left");
    const model = readSafetensors(file);
    assert.ok(model.ok, model.ok ? "" : model.error);
    assert.deepEqual(
      [...model.value.tensors.values()].map((t) => [t.name, t.dtype, t.shape]),
      [
        ["conv.weight", "F32", [2, 2]],
        ["bn.running_mean", "F32", [2]],
        ["bn.num_batches_tracked", "I64", []],
      ],
    );
    const m = model.value.metadata;
    assert.equal(m["format"], "pt");
    assert.equal(m["checkpoint"], "cnn-studio-checkpoint");
    assert.equal(m["version"], "2");
    assert.equal(m["model"], "net");
    assert.deepEqual(JSON.parse(m["position"]!), position(1, 10));
    assert.deepEqual(JSON.parse(m["optimizer"]!), meta(1, 10).optimizer);
    assert.deepEqual(JSON.parse(m["rng"]!), { seed: 1, scheme: "test" });
    assert.deepEqual(JSON.parse(m["validation"]!), { loss: 0.5, accuracy: 0.75 });
    const bytes = fs.readFileSync(file);
    assert.equal(m["crc32"], String(crc32(bytes.subarray(8 + Number(bytes.readBigUInt64LE(0))))), "the CRC-32 of the data, in decimal");
    const opt = readSafetensors(path.join(dir, "e0001-s000010.optimizer.safetensors"));
    assert.ok(opt.ok);
    assert.deepEqual([...opt.value.tensors.keys()], ["conv.weight.exp_avg", "conv.weight.exp_avg_sq"]);

    const r = readCheckpoint(file);
    assert.ok(r.ok, r.ok ? "" : r.error);
    assert.deepEqual(r.value.index.position, position(1, 10));
    assert.deepEqual(r.value.index.validation, { loss: 0.5, accuracy: 0.75 });
    assert.deepEqual(r.value.index.optimizer, meta(1, 10).optimizer);
    assert.equal(r.value.index.reason, "epoch");
    for (const t of tensors()) {
      const got = r.value.tensors.get(t.name);
      assert.deepEqual([got?.kind, got?.shape, got?.data], [t.kind, t.shape, t.data], t.name);
    }
    assert.equal(r.value.tensors.get("bn.num_batches_tracked")!.torchDtype, "int64");
  });

  test("damaged checkpoints are skipped with a message naming the file; the newest whole one (either format) is resumed", () => {
    const { run: r, dir } = run();
    writeLegacyCheckpoint(dir, meta(1, 10), tensors(1));
    const good = writeCheckpoint(dir, meta(2, 10), tensors(2));
    const damaged = (epoch: number, damage: (model: string, optimizer: string) => void): string => {
      const f = writeCheckpoint(dir, meta(epoch, 10), tensors(epoch));
      damage(f, f.replace(/\.safetensors$/, ".optimizer.safetensors"));
      return f;
    };
    // truncated model file
    damaged(3, (f) => fs.writeFileSync(f, fs.readFileSync(f).subarray(0, fs.statSync(f).size - 3)));
    // missing optimiser state
    damaged(4, (_, o) => fs.rmSync(o));
    // bad metadata: the position is not JSON
    damaged(5, (f) => {
      const text = fs.readFileSync(f);
      const at = text.indexOf('"position":"{');
      text.write("X", at + '"position":"'.length, "latin1");
      fs.writeFileSync(f, text);
    });
    // an optimiser file of another write (same size, another stamp)
    damaged(6, (f, o) => {
      const other = writeCheckpoint(path.join(r, "other"), meta(6, 10), tensors(6));
      fs.copyFileSync(other.replace(/\.safetensors$/, ".optimizer.safetensors"), o);
    });
    // a truncated optimiser file
    damaged(7, (_, o) => fs.writeFileSync(o, fs.readFileSync(o).subarray(0, 20)));
    // one bit flipped in the data of the model file, then of the optimiser file: same size, other numbers
    const flipDataByte = (f: string): void => {
      const bytes = fs.readFileSync(f);
      const dataStart = 8 + Number(bytes.readBigUInt64LE(0));
      bytes[dataStart + 1] = bytes[dataStart + 1]! ^ 0x10;
      fs.writeFileSync(f, bytes);
    };
    damaged(8, (f) => flipDataByte(f));
    damaged(9, (_, o) => flipDataByte(o));
    const latest = latestCheckpoint(r);
    assert.equal(latest.checkpoint?.file, good);
    assert.deepEqual(
      latest.checkpoint.tensors.get("conv.weight")!.data,
      W.map((x) => x + 2),
    );
    assert.equal(latest.skipped.length, 7);
    const [s9, s8, s7, s6, s5, s4, s3] = latest.skipped;
    const mismatch = (file: string): RegExp =>
      new RegExp(`${file.replace(/\./g, "\\.")}: checksum mismatch: __metadata__ crc32 is \\d+, the data's CRC-32 is \\d+ \\(the file is damaged\\)$`);
    assert.match(s9!, mismatch("e0009-s000010.optimizer.safetensors"));
    assert.match(s8!, mismatch("e0008-s000010.safetensors"));
    assert.match(
      s7!,
      /e0007-s000010\.optimizer\.safetensors: expected \d+ bytes, the file has 20 \(not the optimizer state written with e0007-s000010\.safetensors: weights only/,
    );
    assert.match(s6!, /e0006-s000010\.optimizer\.safetensors: not the optimizer state written with e0006-s000010\.safetensors/);
    assert.match(s5!, /e0005-s000010\.safetensors: __metadata__\.position is not JSON/);
    assert.match(s4!, /e0004-s000010\.optimizer\.safetensors: the optimizer state of e0004-s000010\.safetensors is missing \(ENOENT; weights only/);
    assert.match(s3!, /e0003-s000010\.safetensors: the tensors hold \d+ bytes but the file has \d+ after the header/);
    // a model file without its optimiser state still has its weights (the panels, --weights)
    const weights = readCheckpoint(path.join(dir, "e0004-s000010.safetensors"), { weightsOnly: true });
    assert.ok(weights.ok, weights.ok ? "" : weights.error);
    assert.deepEqual([...weights.value.tensors.keys()], ["conv.weight", "bn.running_mean", "bn.num_batches_tracked"]);
    // resume logs the damaged ones and takes the whole one
    const logged: string[] = [];
    const resumed = resumeCheckpoint(r, (l) => logged.push(l));
    assert.ok(resumed.ok);
    assert.equal(resumed.value.file, good);
    assert.equal(logged.filter((l) => l.startsWith("skipping a damaged checkpoint: ")).length, 7);
    assert.ok(logged.some((l) => /e0008-s000010\.safetensors: checksum mismatch/.test(l)));
  });

  test("a file that is safetensors but not a checkpoint, or not safetensors at all, is a message naming it", () => {
    const { run: r, dir } = run();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "e0001-s000001.safetensors"), "not one");
    const plain = writeCheckpoint(path.join(r, "x"), meta(1, 2), tensors());
    const bytes = fs.readFileSync(plain);
    const text = bytes.toString("latin1").replace('"checkpoint":"cnn-studio-checkpoint"', '"checkpoint":"not-a-cnn-studio-ckpt"');
    fs.writeFileSync(path.join(dir, "e0001-s000002.safetensors"), Buffer.from(text, "latin1"));
    const latest = latestCheckpoint(r);
    assert.equal(latest.checkpoint, null);
    assert.match(
      latest.skipped[0]!,
      /e0001-s000002\.safetensors: not a CNN Studio checkpoint version 2 \(its __metadata__ has checkpoint "not-a-cnn-studio-ckpt"/,
    );
    assert.match(latest.skipped[1]!, /e0001-s000001\.safetensors: 7 bytes, too short for a safetensors file/);
    const resumed = resumeCheckpoint(r, () => undefined);
    assert.ok(!resumed.ok && /has no complete checkpoint \(damaged: .*e0001-s000002\.safetensors/.test(resumed.error));
  });

  test("pruning removes both files of old checkpoints (either format), keeps the best epoch, and optimiser files a crash orphaned", () => {
    const { run: r, dir } = run();
    const accuracies = [0.5, 0.9, 0.7, 0.6, 0.8];
    accuracies.forEach((accuracy, i) => {
      const m = { ...meta(i + 1, 10), validation: { loss: 1, accuracy } };
      if (i < 2) writeLegacyCheckpoint(dir, m, tensors(i));
      else writeCheckpoint(dir, m, tensors(i));
    });
    // a crash after the optimiser file of an older checkpoint, before its model file
    fs.writeFileSync(path.join(dir, "e0003-s000005.optimizer.safetensors"), "x");
    const removed = pruneCheckpoints(r, 2).map((f) => path.basename(f));
    assert.deepEqual(removed, ["e0003-s000005.optimizer.safetensors", "e0001-s000010.json", "e0003-s000010.safetensors"]);
    assert.deepEqual(fs.readdirSync(dir).sort(), [
      "e0002-s000010.bin",
      "e0002-s000010.json",
      "e0004-s000010.optimizer.safetensors",
      "e0004-s000010.safetensors",
      "e0005-s000010.optimizer.safetensors",
      "e0005-s000010.safetensors",
    ]);
    assert.deepEqual(
      listCheckpoints(r).map((f) => path.basename(f)),
      ["e0002-s000010.json", "e0004-s000010.safetensors", "e0005-s000010.safetensors"],
    );
    // the newest checkpoint's optimiser file is never removed as an orphan (its model file may be on its way)
    fs.writeFileSync(path.join(dir, "e0006-s000001.optimizer.safetensors"), "x");
    assert.deepEqual(pruneCheckpoints(r, 3), []);
  });
});
