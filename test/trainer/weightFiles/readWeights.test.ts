import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { readWeightsFile, sniffWeightsFormat } from "../../../src/trainer/weightFiles/readWeights";
import { writeSafetensors } from "../../../src/trainer/weightFiles/safetensors";

function tempFile(name: string, bytes?: Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cnn-rw-")), name);
  if (bytes) fs.writeFileSync(file, bytes);
  return file;
}

const LEGACY = Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);

test("the format is told by content, not by the file's name", () => {
  assert.equal(sniffWeightsFormat(Buffer.from("PK\x03\x04rest")), "pytorch-zip");
  assert.equal(sniffWeightsFormat(LEGACY), "legacy-torch");
  assert.equal(sniffWeightsFormat(Buffer.from([0x80, 0x04, 0x95])), "pickle");
  assert.equal(sniffWeightsFormat(Buffer.from("hello world, not weights")), "unknown");
  const st = tempFile("weights.pth");
  writeSafetensors(st, [{ name: "w", shape: [2], values: new Float32Array([1, 2]) }]);
  const r = readWeightsFile(st);
  assert.ok(r.ok, r.ok ? "" : r.error);
  assert.deepEqual([...(r.value.tensors.get("w")?.values ?? [])], [1, 2]);
});

test("a legacy torch.save file is told to re-save with PyTorch ≥ 1.6; other files are named for what they are not", () => {
  const legacy = readWeightsFile(tempFile("old.pth", LEGACY));
  assert.equal(legacy.ok, false);
  assert.match(legacy.ok ? "" : legacy.error, /old\.pth is a legacy torch\.save file .*re-save it with PyTorch ≥ 1\.6 .*_use_new_zipfile_serialization=True/);
  const text = readWeightsFile(tempFile("notes.txt", Buffer.from("just some text here")));
  assert.match(text.ok ? "" : text.error, /notes\.txt is neither a PyTorch file .* nor a \.safetensors file/);
  const missing = readWeightsFile(path.join(os.tmpdir(), "no-such-weights.pth"));
  assert.match(missing.ok ? "" : missing.error, /no-such-weights\.pth: cannot open \(ENOENT\)/);
  const folder = readWeightsFile(fs.mkdtempSync(path.join(os.tmpdir(), "cnn-rw-")));
  assert.match(folder.ok ? "" : folder.error, /is a folder, not a weights file/);
});
