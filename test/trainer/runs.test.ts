import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import {
  crc32,
  latestCheckpoint,
  pruneCheckpoints,
  // the format before issue 15, still read: these tests write it (checkpointSafetensors.test.ts tests the new one)
  readLegacyCheckpoint as readCheckpoint,
  writeLegacyCheckpoint as writeCheckpoint,
  writeTensorData,
} from "../../src/trainer/checkpoint";
import { createRunDir, markRunFailed, readStatus, RunFiles, runDirName } from "../../src/trainer/runFiles";
import { resumeCheckpoint } from "../../src/trainer/runSetup";
import { meta, position } from "./helpers/checkpoints";
import { tempDir } from "./helpers/env";

describe("runs on disk", () => {
  test("run folder names: date, time, model; never reused", () => {
    assert.equal(runDirName("lenet5", new Date(2025, 0, 2, 3, 4, 5)), "2025-01-02-030405-lenet5");
    assert.equal(runDirName("a/b c", new Date(2025, 0, 2, 3, 4, 5)), "2025-01-02-030405-a_b_c");
    const root = tempDir();
    const d = new Date(2025, 5, 6, 7, 8, 9);
    const a = createRunDir(root, "net", d);
    const b = createRunDir(root, "net", d);
    assert.deepEqual([path.basename(a), path.basename(b)], ["2025-06-06-070809-net", "2025-06-06-070809-net-2"]);
    assert.ok(fs.statSync(path.join(a, "checkpoints")).isDirectory());
  });

  test("checkpoints round-trip exactly with PyTorch names; damage is detected, the newest whole one wins", () => {
    const run = tempDir();
    const dir = path.join(run, "checkpoints");
    const w = Float32Array.from([1.5, -2.25, Math.PI, 1e-30]);
    writeCheckpoint(dir, meta(1, 10), [
      { name: "conv.weight", kind: "parameter", shape: [2, 2], data: w },
      { name: "bn.num_batches_tracked", kind: "buffer", shape: [], data: Float32Array.of(10), torchDtype: "int64" },
      { name: "optimizer.conv.weight.exp_avg", kind: "optimizer", shape: [2, 2], data: new Float32Array(4).fill(0.5) },
    ]);
    const second = writeCheckpoint(dir, meta(2, 3), [{ name: "conv.weight", kind: "parameter", shape: [2, 2], data: w }]);
    assert.deepEqual(fs.readdirSync(dir).sort(), ["e0001-s000010.bin", "e0001-s000010.json", "e0002-s000003.bin", "e0002-s000003.json"]);
    const r = readCheckpoint(path.join(dir, "e0001-s000010.json"));
    assert.ok(r.ok);
    assert.deepEqual(r.value.tensors.get("conv.weight")!.data, w);
    assert.equal(r.value.tensors.get("bn.num_batches_tracked")!.torchDtype, "int64");
    assert.deepEqual(r.value.index.position, position(1, 10));
    assert.deepEqual(
      r.value.index.tensors.map((t) => [t.name, t.offset, t.length]),
      [
        ["conv.weight", 0, 4],
        ["bn.num_batches_tracked", 4, 1],
        ["optimizer.conv.weight.exp_avg", 5, 4],
      ],
    );
    // the .bin is plain little-endian float32: readable by numpy.fromfile(dtype="<f4")
    const raw = fs.readFileSync(path.join(dir, "e0001-s000010.bin"));
    assert.deepEqual(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + 16)), w);

    assert.equal(latestCheckpoint(run).checkpoint!.file, path.join(run, "checkpoints", path.basename(second)));
    // flip a byte of the newest .bin: checksum mismatch, the older one is used
    const bin = path.join(run, "checkpoints", "e0002-s000003.bin");
    const bytes = fs.readFileSync(bin);
    bytes[3] = bytes[3]! ^ 0xff;
    fs.writeFileSync(bin, bytes);
    const latest = latestCheckpoint(run);
    assert.equal(path.basename(latest.checkpoint!.file), "e0001-s000010.json");
    assert.match(latest.skipped[0]!, /e0002-s000003\.bin: checksum mismatch \(expected \d+, computed \d+\)/);
    // an index that is not JSON, or not ours
    fs.writeFileSync(path.join(run, "checkpoints", "e0003-s000001.json"), "{ torn");
    fs.writeFileSync(path.join(run, "checkpoints", "e0003-s000002.json"), '{"format":"other"}');
    const l2 = latestCheckpoint(run);
    assert.equal(path.basename(l2.checkpoint!.file), "e0001-s000010.json");
    assert.match(l2.skipped.join("\n"), /e0003-s000002\.json: not a cnn-studio-checkpoint version 1 index/);
    assert.match(l2.skipped.join("\n"), /e0003-s000001\.json: unreadable checkpoint index/);
    // a well-formed JSON with garbage inside
    const good = JSON.parse(fs.readFileSync(path.join(run, "checkpoints", "e0001-s000010.json"), "utf8")) as Record<string, unknown>;
    fs.writeFileSync(path.join(run, "checkpoints", "e0003-s000003.json"), JSON.stringify({ ...good, tensors: [{ name: "x", shape: "big" }] }));
    fs.writeFileSync(path.join(run, "checkpoints", "e0003-s000004.json"), JSON.stringify({ ...good, position: { epoch: "one" } }));
    const l3 = latestCheckpoint(run);
    assert.equal(path.basename(l3.checkpoint!.file), "e0001-s000010.json");
    assert.match(l3.skipped[0]!, /e0003-s000004\.json: the index has no valid position\.epoch/);
    assert.match(l3.skipped[1]!, /e0003-s000003\.json: a tensor entry is malformed/);
    // temporary files of an interrupted write are not checkpoints
    fs.writeFileSync(path.join(run, "checkpoints", "e0004-s000001.json.tmp-123"), "{}");
    assert.equal(path.basename(latestCheckpoint(run).checkpoint!.file), "e0001-s000010.json");
    assert.equal(crc32(Buffer.from("123456789")), 0xcbf43926);
  });

  test("old checkpoints are pruned: the newest ones and the best epoch stay", () => {
    const run = tempDir();
    const dir = path.join(run, "checkpoints");
    const accuracies = [0.5, 0.9, 0.7, 0.6, 0.8];
    accuracies.forEach((accuracy, i) =>
      writeCheckpoint(dir, { ...meta(i + 1, 10), validation: { loss: 1, accuracy } }, [{ name: "w", kind: "parameter", shape: [1], data: Float32Array.of(i) }]),
    );
    const removed = pruneCheckpoints(run, 2).map((f) => path.basename(f));
    assert.deepEqual(removed, ["e0001-s000010.json", "e0003-s000010.json"]);
    assert.deepEqual(fs.readdirSync(dir).sort(), [
      "e0002-s000010.bin",
      "e0002-s000010.json",
      "e0004-s000010.bin",
      "e0004-s000010.json",
      "e0005-s000010.bin",
      "e0005-s000010.json",
    ]);
    assert.deepEqual(pruneCheckpoints(run, 3), []);
  });

  test("a failed run keeps its files, gains the reason and the output tail", () => {
    const dir = createRunDir(tempDir(), "net");
    const run = new RunFiles(dir);
    run.appendMetrics({ type: "step", step: 1 });
    run.log("epoch 1 started");
    run.status({ state: "running", epoch: 1, step: 1, globalStep: 1, message: null });
    markRunFailed(dir, "the trainer process was killed by SIGKILL before the run ended", ["Error: out of memory"]);
    const s = readStatus(dir)!;
    assert.equal(s.state, "failed");
    assert.equal(s.globalStep, 1);
    assert.match(
      s.logTail.join("\n"),
      /epoch 1 started[\s\S]*\[parent\] run failed: the trainer process was killed[\s\S]*\[trainer output\] Error: out of memory/,
    );
    assert.equal(fs.readFileSync(path.join(dir, "metrics.jsonl"), "utf8"), '{"type":"step","step":1}\n');
    // a folder that vanished: no throw
    assert.doesNotThrow(() => markRunFailed(path.join(dir, "gone"), "x", []));
  });

  test("a crafted .bin that is not whole float32s (checksum matching) is skipped with its reason; the older checkpoint is used", () => {
    const run = tempDir();
    const dir = path.join(run, "checkpoints");
    writeCheckpoint(dir, meta(1, 10), [{ name: "w", kind: "parameter", shape: [2], data: Float32Array.of(1, 2) }]);
    const crafted = writeCheckpoint(dir, meta(2, 10), [{ name: "w", kind: "parameter", shape: [2], data: Float32Array.of(1, 2) }]);
    const odd = Buffer.from("0123456789");
    fs.writeFileSync(crafted.replace(/\.json$/, ".bin"), odd);
    const index = JSON.parse(fs.readFileSync(crafted, "utf8")) as Record<string, unknown>;
    fs.writeFileSync(crafted, JSON.stringify({ ...index, byteLength: 10, crc32: crc32(odd) }));
    const r = readCheckpoint(crafted);
    assert.ok(!r.ok && /e0002-s000010\.json: byteLength 10 is not a whole number of float32 values/.test(r.error), r.ok ? "read" : r.error);
    const latest = latestCheckpoint(run);
    assert.equal(path.basename(latest.checkpoint!.file), "e0001-s000010.json");
    assert.equal(latest.skipped.length, 1);
    // an index claiming more bytes than the .bin has is refused before the data is read
    fs.writeFileSync(crafted, JSON.stringify({ ...index, byteLength: 4e12 }));
    assert.match(latestCheckpoint(run).skipped[0]!, /expected 4000000000000 bytes, the file has 10/);
  });

  test("a failure before training (a resume that failed) keeps the progress status.json recorded", () => {
    const dir = createRunDir(tempDir(), "net");
    const run = new RunFiles(dir);
    run.status({ state: "stopped", epoch: 3, step: 7, globalStep: 47, message: null });
    run.failed("cannot resume: no complete checkpoint", null);
    const s = readStatus(dir)!;
    assert.deepEqual([s.state, s.epoch, s.step, s.globalStep, s.message], ["failed", 3, 7, 47, "cannot resume: no complete checkpoint"]);
    run.failed("diverged", { epoch: 4, step: 1, globalStep: 48 });
    assert.deepEqual([readStatus(dir)!.epoch, readStatus(dir)!.globalStep], [4, 48]);
    // a status.json far larger than the trainer writes is not read
    fs.writeFileSync(path.join(dir, "status.json"), JSON.stringify({ state: "failed", epoch: 9, pad: "x".repeat(2 * 1024 * 1024) }));
    assert.equal(readStatus(dir), null);
  });

  test("temporary files of killed writes are removed on pruning and on resume; a live writer's stay", () => {
    const run = createRunDir(tempDir(), "net");
    const dir = path.join(run, "checkpoints");
    writeCheckpoint(dir, meta(1, 10), [{ name: "w", kind: "parameter", shape: [1], data: Float32Array.of(1) }]);
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    const temps = (d: string) =>
      fs
        .readdirSync(d)
        .filter((f) => f.includes(".tmp-"))
        .sort();
    const leave = (d: string) => {
      fs.writeFileSync(path.join(d, `e0002-s000010.bin.tmp-${dead}`), "x");
      fs.writeFileSync(path.join(d, `e0002-s000010.json.tmp-${process.pid}`), "x");
      fs.writeFileSync(path.join(d, `status.json.tmp-${process.ppid}`), "x");
    };
    leave(dir);
    const removed = pruneCheckpoints(run, 3)
      .map((f) => path.basename(f))
      .sort();
    assert.deepEqual(removed, [`e0002-s000010.bin.tmp-${dead}`, `e0002-s000010.json.tmp-${process.pid}`]);
    assert.deepEqual(temps(dir), [`status.json.tmp-${process.ppid}`], "the file of a live process stays");
    // on resume: the run folder and its checkpoints
    leave(run);
    const logged: string[] = [];
    const r = resumeCheckpoint(run, (l) => logged.push(l));
    assert.ok(r.ok);
    assert.deepEqual(temps(run), [`status.json.tmp-${process.ppid}`]);
    assert.equal(logged.filter((l) => /^removed .*\.tmp-\d+, left by an interrupted write$/.test(l)).length, 2);
  });

  test("a checkpoint's .bin is streamed a bounded piece at a time, never one buffer of all tensors; the file is as before", () => {
    const tensors = [
      { name: "a", kind: "parameter" as const, shape: [3, 5], data: Float32Array.from({ length: 15 }, (_, i) => i - 7.25) },
      { name: "b", kind: "buffer" as const, shape: [], data: Float32Array.of(42), torchDtype: "int64" as const },
      // a view into a larger buffer: only its own values are written
      { name: "c", kind: "optimizer" as const, shape: [9], data: new Float32Array(Float32Array.from({ length: 20 }, (_, i) => i / 3).buffer, 8, 9) },
    ];
    const pieces: Uint8Array[] = [];
    const out = writeTensorData(tensors, (p) => pieces.push(p.slice()), 7);
    assert.ok(
      pieces.every((p) => p.length <= 7 && p.length > 0),
      pieces.map((p) => p.length).join(","),
    );
    const all = Buffer.concat(pieces);
    const expected = Buffer.from(Float32Array.from([...tensors[0]!.data, ...tensors[1]!.data, ...tensors[2]!.data]).buffer);
    assert.deepEqual(all, expected);
    assert.equal(out.byteLength, 100);
    assert.equal(out.crc32, crc32(expected));
    assert.deepEqual(
      out.entries.map((e) => [e.name, e.offset, e.length]),
      [
        ["a", 0, 15],
        ["b", 15, 1],
        ["c", 16, 9],
      ],
    );
    // the file written in small pieces is the file written at once, and reads back
    const dir = path.join(tempDir(), "checkpoints");
    const small = writeCheckpoint(path.join(dir, "small"), meta(1, 1), tensors, 5);
    const big = writeCheckpoint(path.join(dir, "big"), meta(1, 1), tensors);
    assert.deepEqual(fs.readFileSync(small.replace(/json$/, "bin")), fs.readFileSync(big.replace(/json$/, "bin")));
    const r = readCheckpoint(small);
    assert.ok(r.ok, r.ok ? "" : r.error);
    assert.deepEqual(r.value.tensors.get("c")!.data, tensors[2]!.data);
    assert.deepEqual(fs.readdirSync(path.join(dir, "small")).sort(), ["e0001-s000001.bin", "e0001-s000001.json"], "no temporary file left");
    // a failing write leaves no temporary file and no index
    assert.throws(() =>
      writeCheckpoint(path.join(dir, "bad"), meta(2, 1), [{ name: "x", kind: "parameter", shape: [1], data: null as unknown as Float32Array }]),
    );
    assert.deepEqual(fs.readdirSync(path.join(dir, "bad")), []);
  });

  test("metrics.jsonl larger than the scan chunk: counting and rewinding read it in pieces, with the same result", () => {
    const dir = createRunDir(tempDir(), "net");
    const file = path.join(dir, "metrics.jsonl");
    const line = (i: number) => JSON.stringify({ type: "step", step: i, pad: "x".repeat(80) });
    const n = 60_000; // about 6 MB, more than the 4 MiB chunk
    fs.writeFileSync(file, Array.from({ length: n }, (_, i) => line(i + 1) + "\n").join("") + '{"type":"st');
    const run = new RunFiles(dir);
    assert.equal(run.metricsCount, n + 1, "the torn last line counts, as before");
    assert.equal(run.rewindMetrics(50_000), n + 1 - 50_000);
    const kept = fs.readFileSync(file, "utf8");
    assert.equal(kept.length, Array.from({ length: 50_000 }, (_, i) => line(i + 1) + "\n").join("").length);
    assert.ok(kept.endsWith(line(50_000) + "\n"));
    const moved = fs.readFileSync(path.join(dir, "metrics.discarded.jsonl"), "utf8").split("\n");
    assert.deepEqual([moved[0], moved.at(-2), moved.at(-1)], [line(50_001), '{"type":"st', ""]);
    assert.equal(new RunFiles(dir).metricsCount, 50_000);
    // empty lines: counted by split (rewind) but not as records (count), as before
    fs.writeFileSync(file, "a\n\nb\n");
    assert.equal(new RunFiles(dir).metricsCount, 2);
    assert.equal(new RunFiles(dir).rewindMetrics(0), 3);
    assert.equal(fs.readFileSync(file, "utf8"), "");
  });

  test("rewinding metrics moves later lines aside", () => {
    const dir = createRunDir(tempDir(), "net");
    const run = new RunFiles(dir);
    for (let i = 1; i <= 5; i++) run.appendMetrics({ step: i });
    assert.equal(new RunFiles(dir).metricsCount, 5);
    assert.equal(run.rewindMetrics(3), 2);
    assert.equal(fs.readFileSync(path.join(dir, "metrics.jsonl"), "utf8"), '{"step":1}\n{"step":2}\n{"step":3}\n');
    assert.equal(fs.readFileSync(path.join(dir, "metrics.discarded.jsonl"), "utf8"), '{"step":4}\n{"step":5}\n');
    assert.equal(run.rewindMetrics(3), 0);
    run.appendMetrics({ step: 4 });
    assert.equal(run.metricsCount, 4);
  });
});
