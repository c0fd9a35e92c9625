import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { readPytorchZip } from "../../../src/trainer/weightFiles/pytorchZip";
import { readWeightsFile } from "../../../src/trainer/weightFiles/readWeights";
import { readSafetensors } from "../../../src/trainer/weightFiles/safetensors";
import type { StateDict } from "../../../src/trainer/weightFiles/stateDict";
import { PYTHON } from "../../export/helpers";
import { ROOT } from "../../helpers/paths";

/** The PyTorch zip reader against files torch 1.13 wrote (test/trainer/weightFiles/pytorch_files.py). */

const GENERATE = path.join(ROOT, "test/trainer/weightFiles/pytorch_files.py");
const hasTorch = fs.existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch, torchvision"]).status === 0;
const noTorch = hasTorch ? false : `PyTorch and torchvision are not installed for ${PYTHON} (python3-torch, python3-torchvision)`;

let dir = "";
let marker = "";
let names: Record<string, string[]> = {};

before(() => {
  if (!hasTorch) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-pth-"));
  marker = path.join(dir, "PWNED");
  const r = spawnSync(PYTHON, [GENERATE, dir, marker], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  names = JSON.parse(r.stdout) as Record<string, string[]>;
});

function read(name: string): StateDict {
  const r = readWeightsFile(path.join(dir, name));
  assert.ok(r.ok, r.ok ? "" : r.error);
  return r.value;
}

function error(file: string): string {
  const r = readWeightsFile(file);
  assert.equal(r.ok, false, `${file} was read`);
  return r.ok ? "" : r.error;
}

/** Same names in the same order, same shapes, and the same float32 bits as torch's .float(). */
function assertSameBits(ours: StateDict, expectedFile: string, rename: (n: string) => string = (n) => n): void {
  const expected = readSafetensors(expectedFile);
  assert.ok(expected.ok, expected.ok ? "" : expected.error);
  assert.deepEqual([...ours.tensors.keys()], [...expected.value.tensors.keys()].map(rename));
  for (const [name, e] of expected.value.tensors) {
    const t = ours.tensors.get(rename(name));
    assert.ok(t, name);
    assert.deepEqual(t.shape, e.shape, name);
    assert.equal(t.name, rename(name));
    assert.ok(
      Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength).equals(Buffer.from(e.values.buffer, e.values.byteOffset, e.values.byteLength)),
      `${name}: values differ`,
    );
  }
}

test("a torchvision ResNet-18 state_dict reads bit for bit, every name in order", { skip: noTorch }, () => {
  const sd = read("resnet18.pth");
  assert.equal(sd.tensors.size, 122);
  assert.deepEqual([...sd.tensors.keys()], names["resnet18"]);
  assertSameBits(sd, path.join(dir, "resnet18.expected.safetensors"));
  assert.equal(sd.tensors.get("fc.weight")?.dtype, "F32");
  assert.deepEqual(sd.tensors.get("bn1.num_batches_tracked")?.shape, []);
  assert.deepEqual(sd.notes, ["20 tensors stored as I64 converted to float32"]);
});

test("a state_dict held under state_dict or model reads with a note; a DataParallel one keeps its module. names", { skip: noTorch }, () => {
  const wrapped = read("wrapped_state_dict.pth");
  assertSameBits(wrapped, path.join(dir, "wrapped_state_dict.expected.safetensors"));
  assert.equal(wrapped.notes[0], `the state_dict is the file's "state_dict" entry (the file also holds: epoch, best)`);
  const model = read("wrapped_model.pth");
  assertSameBits(model, path.join(dir, "wrapped_model.expected.safetensors"));
  assert.equal(model.notes[0], `the state_dict is the file's "model" entry (the file also holds: optimizer)`);
  const dp = read("dataparallel.pth");
  assert.ok([...dp.tensors.keys()].every((n) => n.startsWith("module.")));
  assertSameBits(dp, path.join(dir, "dataparallel.expected.safetensors"));
});

test("views read exactly: offsets into a shared storage, transposes, steps, stride 0, 0-d; nn.Parameters too", { skip: noTorch }, () => {
  assertSameBits(read("views.pth"), path.join(dir, "views.expected.safetensors"));
  assertSameBits(read("parameters.pth"), path.join(dir, "parameters.expected.safetensors"));
});

test("float16, bfloat16, float64, int64, int32 and bool tensors convert as .float() does, with notes", { skip: noTorch }, () => {
  const sd = read("dtypes.pth");
  assertSameBits(sd, path.join(dir, "dtypes.expected.safetensors"));
  assert.deepEqual(
    [...sd.tensors.values()].map((t) => t.dtype),
    ["F16", "BF16", "F64", "I64", "I32", "BOOL", "F16"],
  );
  assert.deepEqual(sd.notes, [
    "2 tensors stored as F16 converted to float32",
    "1 tensor stored as BF16 converted to float32",
    "1 tensor stored as F64 converted to float32",
    "1 tensor stored as I64 converted to float32",
    "1 tensor stored as I32 converted to float32",
    "1 tensor stored as BOOL converted to float32",
  ]);
});

test("any archive folder name, and an archive re-packed with DEFLATE, read the same", { skip: noTorch }, () => {
  assertSameBits(read("renamed.pth"), path.join(dir, "small.expected.safetensors"));
  assertSameBits(read("deflated.pth"), path.join(dir, "small.expected.safetensors"));
});

test("a pickle that would run a command is refused naming the global, and nothing runs", { skip: noTorch }, () => {
  // the control file is the same pickle: Python's own pickle does run it, so the test's pickle is real
  const control = spawnSync(PYTHON, [
    "-c",
    "import pickle, sys, zipfile; pickle.loads(zipfile.ZipFile(sys.argv[1]).read('archive/data.pkl'))",
    path.join(dir, "control.pth"),
  ]);
  assert.equal(control.status, 0, String(control.stderr));
  assert.ok(fs.existsSync(`${marker}.control`), "the control pickle runs its command when Python unpickles it");

  assert.equal(
    error(path.join(dir, "malicious.pth")),
    `${path.join(dir, "malicious.pth")}: refused global posix.system: weights files may only hold tensors and plain containers; nothing was executed`,
  );
  assert.match(
    error(path.join(dir, "eval.pth")),
    /refused global builtins\.eval: weights files may only hold tensors and plain containers; nothing was executed/,
  );
  assert.equal(fs.existsSync(marker), false, "the command did not run");
});

test("a whole model saved with torch.save(model) is refused naming its class, with the state_dict advice", { skip: noTorch }, () => {
  assert.match(
    error(path.join(dir, "whole_model.pth")),
    /refused global torch\.nn\.modules\.container\.Sequential: .*nothing was executed \(for a model saved whole with torch\.save\(model, f\), save model\.state_dict\(\) instead\)/,
  );
});

test("a legacy (pre-1.6) torch.save file asks for a re-save with PyTorch ≥ 1.6", { skip: noTorch }, () => {
  assert.match(error(path.join(dir, "legacy.pth")), /legacy\.pth is a legacy torch\.save file .*re-save it with PyTorch ≥ 1\.6/);
});

function damaged(name: string, change: (b: Buffer) => Buffer): string {
  const file = path.join(dir, `damaged-${name}`);
  fs.writeFileSync(file, change(fs.readFileSync(path.join(dir, "small.pth"))));
  return file;
}

test("truncated and damaged archives are messages that say so, never a crash", { skip: noTorch }, () => {
  const original = fs.readFileSync(path.join(dir, "small.pth"));
  const cases: [string, Buffer, RegExp][] = [
    ["half", original.subarray(0, original.length >> 1), /no end-of-central-directory record \(the file is truncated or not a zip archive\)/],
    ["tail", original.subarray(0, original.length - 30), /no end-of-central-directory record/],
    ["three bytes", original.subarray(0, 3), /only 3 bytes/],
  ];
  for (const [what, bytes, message] of cases) assert.match(error(damaged(what, () => bytes)), message, what);

  // a byte of a storage flipped: its CRC no longer matches
  const weightAt = original.indexOf(Buffer.from("small/data/0")) + "small/data/0".length;
  const flipped = damaged("flipped", (b) => {
    const c = Buffer.from(b);
    const dataStart = weightAt + c.readUInt16LE(weightAt - "small/data/0".length - 2);
    c[dataStart + 100] = c[dataStart + 100]! ^ 0xff;
    return c;
  });
  assert.match(error(flipped), /the zip entry small\/data\/0 fails its CRC check \(the file is damaged\)/);

  // the central directory says an entry is far larger than the file
  const huge = damaged("huge", (b) => {
    const c = Buffer.from(b);
    const central = c.lastIndexOf(Buffer.from("small/data/0")) - 46; // the central directory's entry, its name after 46 bytes
    c.writeUInt32LE(0x7fffffff, central + 20);
    c.writeUInt32LE(0x7fffffff, central + 24);
    return c;
  });
  assert.match(error(huge), /the zip entry small\/data\/0 \(2147483647 bytes at \d+\) is past the end of the file \(\d+ bytes\): truncated\?/);
});

test("a zip without data.pkl is not a PyTorch file", () => {
  // an empty zip archive: only its end-of-central-directory record
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cnn-pth-")), "empty.zip");
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  fs.writeFileSync(file, eocd);
  const r = readPytorchZip(file);
  assert.equal(r.ok, false);
  assert.match(r.ok ? "" : r.error, /a zip archive but not a PyTorch file: it has no <archive>\/data\.pkl/);
});
