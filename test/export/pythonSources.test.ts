import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { CHECKPOINT_IMPORTS, CHECKPOINT_PY } from "../../src/export/checkpointPy";
import { TORCH_DISTRIBUTED_PY, TORCH_SEGMENTATION_PY, TORCH_TRAINER_PY, TORCH_TRANSFER_PY } from "../../src/trainer/engines/torch/script";
import { PYTHON, ROOT } from "./helpers";

/**
 * The Python programs are real .py files (issue 13 item 2): the build bundles them as text, they
 * compile as Python, and checkpoint.py runs as a module of its own (a save/load round trip with
 * PyTorch, where it is installed).
 */

const CHECKPOINT = path.join(ROOT, "src/export/checkpoint.py");
const TRAINER = path.join(ROOT, "src/trainer/engines/torch/trainer.py");
const TRANSFER = path.join(ROOT, "src/trainer/engines/torch/transfer.py");
const DISTRIBUTED = path.join(ROOT, "src/trainer/engines/torch/distributed.py");
const SEGMENTATION = path.join(ROOT, "src/trainer/engines/torch/segmentation.py");

function python(): string | null {
  for (const p of [PYTHON, "python3"]) if (spawnSync(p, ["-c", "pass"]).status === 0) return p;
  return null;
}

test("the bundled Python is the .py files' text", () => {
  const checkpoint = fs.readFileSync(CHECKPOINT, "utf8");
  assert.ok(CHECKPOINT_PY.startsWith("# ---- CNN Studio checkpoints"), "from the marker line on");
  assert.ok(checkpoint.endsWith(CHECKPOINT_PY));
  assert.match(CHECKPOINT_PY, /^def load_checkpoint\(/m);
  assert.match(CHECKPOINT_PY, /^def save_checkpoint\(/m);
  assert.deepEqual(CHECKPOINT_IMPORTS, ["import datetime", "import json", "import os", "import re", "import struct", "import uuid", "import zlib"]);
  assert.equal(TORCH_TRAINER_PY, fs.readFileSync(TRAINER, "utf8"));
  assert.equal(TORCH_TRANSFER_PY, fs.readFileSync(TRANSFER, "utf8"));
  assert.equal(TORCH_DISTRIBUTED_PY, fs.readFileSync(DISTRIBUTED, "utf8"));
  assert.equal(TORCH_SEGMENTATION_PY, fs.readFileSync(SEGMENTATION, "utf8"));
});

test("checkpoint.py and trainer.py compile as Python", (t) => {
  const py = python();
  if (!py) return t.skip("no python3 found: install python3 to compile the Python sources");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-pyc-"));
  try {
    const sources = [CHECKPOINT, TRAINER, TRANSFER, DISTRIBUTED, SEGMENTATION];
    const r = spawnSync(py, ["-I", path.join(ROOT, "test/export/compile_sources.py"), dir, ...sources], { cwd: dir, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("checkpoint.py saves and loads a state_dict as a module of its own", (t) => {
  const py = python();
  if (!py) return t.skip("no python3 found: install python3 to run checkpoint.py");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-ckpt-py-"));
  try {
    const r = spawnSync(py, ["-I", "-B", path.join(ROOT, "test/export/checkpoint_roundtrip.py"), CHECKPOINT, dir], {
      cwd: dir,
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    if (r.stdout.trim() === "no torch") return t.skip(`PyTorch is not installed for ${py}: install python3-torch (Debian) to run checkpoint.py`);
    assert.equal(r.stdout.trim(), "ok 1 2 True");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
