import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { CHECKPOINT_IMPORTS, CHECKPOINT_PY } from "../../src/export/checkpointPy";
import { TORCH_SEGMENTATION_PY, TORCH_TRAINER_PY, TORCH_TRANSFER_PY } from "../../src/trainer/engines/torch/script";
import { PYTHON, ROOT } from "./helpers";

/**
 * The Python programs are real .py files (issue 13 item 2): the build bundles them as text, they
 * compile as Python, and checkpoint.py runs as a module of its own (a save/load round trip with
 * PyTorch, where it is installed).
 */

const CHECKPOINT = path.join(ROOT, "src/export/checkpoint.py");
const TRAINER = path.join(ROOT, "src/trainer/engines/torch/trainer.py");
const TRANSFER = path.join(ROOT, "src/trainer/engines/torch/transfer.py");
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
  assert.equal(TORCH_SEGMENTATION_PY, fs.readFileSync(SEGMENTATION, "utf8"));
});

test("checkpoint.py and trainer.py compile as Python", (t) => {
  const py = python();
  if (!py) return t.skip("no python3 found: install python3 to compile the Python sources");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-pyc-"));
  try {
    const script =
      "import py_compile, os, sys\nfor i, f in enumerate(sys.argv[2:]):\n    py_compile.compile(f, cfile=os.path.join(sys.argv[1], f'{i}.pyc'), doraise=True)";
    const r = spawnSync(py, ["-I", "-c", script, dir, CHECKPOINT, TRAINER, TRANSFER, SEGMENTATION], { cwd: dir, encoding: "utf8" });
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
    const script = [
      "import importlib.util, sys",
      "try:",
      "    import torch",
      "except ImportError:",
      "    print('no torch'); sys.exit(0)",
      "spec = importlib.util.spec_from_file_location('checkpoint', sys.argv[1])",
      "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)",
      "a = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))",
      "b = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))",
      "path = m.save_checkpoint(a, sys.argv[2], name='t', epoch=1, step=2)",
      "index = m.load_checkpoint(b, sys.argv[2])",
      "assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))",
      "print('ok', index['position']['epoch'], index['position']['step'], path.endswith('e0001-s000002.safetensors'))",
    ].join("\n");
    const r = spawnSync(py, ["-I", "-B", "-c", script, CHECKPOINT, dir], { cwd: dir, encoding: "utf8", timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    if (r.stdout.trim() === "no torch") return t.skip(`PyTorch is not installed for ${py}: install python3-torch (Debian) to run checkpoint.py`);
    assert.equal(r.stdout.trim(), "ok 1 2 True");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
