import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { readSafetensors, writeSafetensors } from "../../../src/trainer/weightFiles/safetensors";
import { PYTHON } from "../../export/helpers";
import { ROOT } from "../../helpers/paths";

/** Our safetensors reader and writer against the format as PyTorch reads and writes its bytes. */

const CHECK = path.join(ROOT, "test/trainer/weightFiles/safetensors_check.py");
const hasTorch = fs.existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch"]).status === 0;
const noTorch = hasTorch ? false : `PyTorch is not installed for ${PYTHON} (python3-torch)`;

function tempFile(name: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cnn-st-")), name);
}

function python(args: string[]): unknown {
  const r = spawnSync(PYTHON, [CHECK, ...args], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("what we write, PyTorch reads back bit for bit, with its metadata and int64 counters", { skip: noTorch }, () => {
  const file = tempFile("w.safetensors");
  const weight = new Float32Array([1.5, -0.25, 3.0e-8, 65504.5, -7, 0.1]);
  writeSafetensors(
    file,
    [
      { name: "conv.weight", shape: [2, 3], values: weight },
      { name: "bn.num_batches_tracked", shape: [], values: new Float32Array([937]), dtype: "I64" },
    ],
    { epoch: "3" },
  );
  const read = python(["read", file]) as {
    metadata: unknown;
    headerLength: number;
    tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
  };
  assert.deepEqual(read.metadata, { epoch: "3" });
  assert.equal(read.headerLength % 8, 0, "the header is padded to 8 bytes");
  assert.deepEqual(read.tensors["conv.weight"], { dtype: "F32", shape: [2, 3], values: [...weight] });
  assert.deepEqual(read.tensors["bn.num_batches_tracked"], { dtype: "I64", shape: [], values: [937] });
});

test("what PyTorch stores as F16, BF16, F64 and I64 reads as its .float() values, with a note", { skip: noTorch }, () => {
  const file = tempFile("p.safetensors");
  const expected = python(["write", file]) as Record<string, { shape: number[]; values: number[] }>;
  const r = readSafetensors(file);
  assert.ok(r.ok, r.ok ? "" : r.error);
  assert.deepEqual([...r.value.tensors.keys()], Object.keys(expected));
  for (const [name, t] of Object.entries(expected)) {
    const ours = r.value.tensors.get(name);
    assert.deepEqual(ours?.shape, t.shape, name);
    assert.deepEqual([...(ours?.values ?? [])], t.values, name);
  }
  assert.deepEqual(r.value.metadata, { format: "pt" });
  assert.deepEqual(r.value.notes.sort(), [
    "1 tensor stored as BF16 converted to float32",
    "1 tensor stored as F16 converted to float32",
    "1 tensor stored as F64 converted to float32",
    "1 tensor stored as I64 converted to float32",
  ]);
});

function withHeader(header: unknown, dataBytes: number, padTo?: number): string {
  const file = tempFile("bad.safetensors");
  const text = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(padTo ?? text.length));
  fs.writeFileSync(file, Buffer.concat([length, text, Buffer.alloc(dataBytes)]));
  return file;
}

test("a damaged file is a message naming the tensor and the numbers, before any data is read", () => {
  const cases: [string, string, RegExp][] = [
    [
      "short",
      (() => {
        const f = tempFile("s.safetensors");
        fs.writeFileSync(f, Buffer.alloc(5));
        return f;
      })(),
      /5 bytes, too short/,
    ],
    ["huge header", withHeader({}, 0, 2 ** 40), /header length 1099511627776 is more than the file/],
    ["dtype", withHeader({ w: { dtype: "F8", shape: [1], data_offsets: [0, 1] } }, 1), /w has dtype "F8"/],
    [
      "size",
      withHeader({ w: { dtype: "F32", shape: [2, 2], data_offsets: [0, 12] } }, 12),
      /w \[2, 2\] F32 needs 16 bytes but its data_offsets \[0, 12\] hold 12/,
    ],
    [
      "overlap",
      withHeader({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } }, 12),
      /b's data starts at byte 4, expected 8/,
    ],
    ["truncated", withHeader({ a: { dtype: "F32", shape: [4], data_offsets: [0, 16] } }, 8), /hold 16 bytes but the file has 8/],
    ["not json", withHeader("x", 0, 0), /not JSON|not a JSON object/],
  ];
  for (const [what, file, message] of cases) {
    const r = readSafetensors(file);
    assert.equal(r.ok, false, what);
    assert.match(r.ok ? "" : r.error, message, what);
  }
});
