import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { listCheckpoints, readCheckpointTensor, readRunInfo } from "../../src/extension/panels/runMetrics";
import { isRunFolder, listRunCheckpoints, listRunFolders } from "../../src/extension/runs/runFolder";
import { RunStore } from "../../src/extension/runs/runStore";
import { writeCheckpoint, writeLegacyCheckpoint } from "../../src/trainer/checkpoint";

/** The Runs view and the panels read run folders and checkpoints through one reader, so they agree. */

const meta = (epoch: number, step: number) => ({
  model: "net",
  reason: "epoch" as const,
  position: { epoch, step, globalStep: epoch * 10 + step, lossSum: 0, correct: 0, correctTop5: 0, seen: 0, metricsLines: 0, seconds: 0 },
  optimizer: { name: "adam", scalars: {} },
  rng: { seed: 1, scheme: "t" },
});

test("the Runs view and the panels agree on what a run folder and a checkpoint are", async () => {
  const runs = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-runs-"));
  try {
    const folder = (name: string, files: Record<string, string>): string => {
      const dir = path.join(runs, name);
      fs.mkdirSync(dir, { recursive: true });
      for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
      return dir;
    };
    const full = folder("2026-01-04-000000-net", {
      "config.json": JSON.stringify({ file: "/m.ts", model: "net", dataset: { kind: "mnist-sample" }, epochs: 3 }),
    });
    const ck = path.join(full, "checkpoints");
    // the format before issue 15 (.json + .bin), as runs of that time left it
    const first = writeLegacyCheckpoint(ck, meta(1, 10), [{ name: "w", kind: "parameter", shape: [1], data: Float32Array.of(1) }]);
    const second = writeLegacyCheckpoint(ck, meta(2, 10), [{ name: "w", kind: "parameter", shape: [1], data: Float32Array.of(2) }]);
    fs.writeFileSync(path.join(ck, "e0003-s000001.json"), "{}"); // not an index
    fs.copyFileSync(second, path.join(ck, "notes.json")); // not an index's name
    fs.writeFileSync(path.join(ck, "e0004-s000001.json"), JSON.stringify({ ...JSON.parse(fs.readFileSync(second, "utf8")), bin: "e0004-s000001.bin" })); // its data is missing
    const metricsOnly = folder("2026-01-03-000000-copied", { "metrics.jsonl": '{"type":"epoch","epoch":1,"valAccuracy":0.5}\n' });
    const statusOnly = folder("2026-01-02-000000-net", { "status.json": JSON.stringify({ state: "failed", pid: 1, epoch: 0, message: "no data" }) });
    folder("notes", { "README.md": "not a run" });
    fs.writeFileSync(path.join(runs, "2026-01-05-000000-file"), "a file, not a folder");

    const folders = listRunFolders(runs);
    assert.deepEqual(folders, [full, metricsOnly, statusOnly], "newest first; only folders with config.json, status.json or metrics.jsonl");
    assert.ok(folders.every(isRunFolder));
    const viewed = await new RunStore().list(runs);
    assert.deepEqual(
      viewed.map((r) => r.dir),
      folders,
      "the Runs view lists the same folders",
    );
    assert.deepEqual(
      viewed.map((r) => [r.model, r.state, r.dataset]),
      [
        ["net", "unknown", "MNIST sample"],
        ["copied", "unknown", null],
        ["net", "failed", null],
      ],
    );
    assert.deepEqual(
      folders.map((f) => readRunInfo(f).dataset),
      ["MNIST sample", "", ""],
      "the curves name the dataset as the Runs view does",
    );

    const checkpoints = (await listRunCheckpoints(full)).map((c) => c.index);
    assert.deepEqual(checkpoints, [first, second]);
    const panel = await listCheckpoints(runs, "/m.ts", "net");
    assert.deepEqual(
      panel.map((c) => c.id),
      [second, first],
      "the panels offer exactly these, newest first",
    );
    assert.deepEqual(
      viewed.map((r) => r.hasCheckpoint),
      [true, false, false],
      "resumable exactly when the panels have a checkpoint",
    );
  } finally {
    fs.rmSync(runs, { recursive: true, force: true });
  }
});

test("checkpoints since issue 15 (.safetensors) are listed and read beside the old ones; damaged ones are not offered", async () => {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-run-"));
  try {
    const ck = path.join(run, "checkpoints");
    const old = writeLegacyCheckpoint(ck, meta(1, 10), [{ name: "w", kind: "parameter", shape: [2], data: Float32Array.of(1, 2) }]);
    const fresh = writeCheckpoint(ck, meta(2, 10), [
      { name: "w", kind: "parameter", shape: [2], data: Float32Array.of(3, 4) },
      { name: "bn.num_batches_tracked", kind: "buffer", shape: [], data: Float32Array.of(20), torchDtype: "int64" },
      { name: "optimizer.w.exp_avg", kind: "optimizer", shape: [2], data: Float32Array.of(5, 6) },
    ]);
    assert.equal(path.basename(fresh), "e0002-s000010.safetensors");
    fs.writeFileSync(path.join(ck, "e0003-s000001.safetensors"), "torn"); // not a safetensors file
    fs.copyFileSync(path.join(ck, "e0002-s000010.optimizer.safetensors"), path.join(ck, "e0004-s000001.safetensors")); // not a checkpoint's model file
    const listed = await listRunCheckpoints(run);
    assert.deepEqual(
      listed.map((c) => [path.basename(c.index), c.layout, c.epoch, c.globalStep]),
      [
        ["e0001-s000010.json", "bin", 1, 20],
        ["e0002-s000010.safetensors", "safetensors", 2, 30],
      ],
    );
    assert.equal(old, listed[0]!.index);
    assert.deepEqual(await readCheckpointTensor({ id: fresh, run }, "w"), { shape: [2], data: Float32Array.of(3, 4) });
    assert.deepEqual(await readCheckpointTensor({ id: fresh, run }, "bn.num_batches_tracked"), { shape: [], data: Float32Array.of(20) });
    assert.equal(await readCheckpointTensor({ id: fresh, run }, "optimizer.w.exp_avg"), null, "the model file holds the state_dict only");
    // one bit flipped in the data (same size): the tensor shown is refused, naming the file and both checksums
    const whole = fs.readFileSync(fresh);
    const flipped = Buffer.from(whole);
    const dataStart = 8 + Number(flipped.readBigUInt64LE(0));
    flipped[dataStart + 1] = flipped[dataStart + 1]! ^ 0x10;
    fs.writeFileSync(fresh, flipped);
    fs.utimesSync(fresh, new Date(), new Date(Date.now() + 5000)); // another modification time than the checked one
    await assert.rejects(
      readCheckpointTensor({ id: fresh, run }, "w"),
      /e0002-s000010\.safetensors: checksum mismatch: __metadata__ crc32 is \d+, the data's CRC-32 is \d+ \(the file is damaged\)/,
    );
    fs.writeFileSync(fresh, whole);
    // cut short after listing: the tensor's place is checked against the file's size
    const bytes = fs.readFileSync(fresh);
    fs.writeFileSync(fresh, bytes.subarray(0, bytes.length - 4));
    await assert.rejects(readCheckpointTensor({ id: fresh, run }, "bn.num_batches_tracked"), /lies beyond the end of e0002-s000010\.safetensors/);
  } finally {
    fs.rmSync(run, { recursive: true, force: true });
  }
});
