import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { runPython } from "../../src/export/pythonProcess";
import { trainConfig } from "../../src/shared/training";
import { TorchTrainingSession, type TorchEvent } from "../../src/trainer/engines/torch/pythonRun";
import { PYTHON, ROOT } from "./helpers";

/**
 * Every Python we start is isolated (issue 12 item 2): a hostile `torch.py` beside the model, in
 * the current folder or on a `PYTHONPATH` the user's shell exported is never imported, by
 * `export --to onnx` (the CLI), runPython, or the PyTorch training engine. Without PyTorch the
 * runs fail cleanly ("PyTorch is not available"), which proves the same: the fake was not taken.
 */

const MARKER = "HOSTILE_TORCH_IMPORTED";

/** A folder with a model file and a `torch.py` that leaves a marker file when imported. */
function hostileFolder(): { dir: string; model: string; marker: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-hostile-"));
  const marker = path.join(dir, MARKER);
  fs.writeFileSync(path.join(dir, "torch.py"), `open(${JSON.stringify(marker)}, "w").close()\nraise SystemExit("hostile torch.py imported")\n`);
  const model = path.join(dir, "lenet5.ts");
  fs.copyFileSync(path.join(ROOT, "examples/lenet5.ts"), model);
  return { dir, model, marker };
}

/** Debian's Python (with PyTorch where installed), else the PATH's python3, or null. */
function python(): string | null {
  for (const p of [PYTHON, "python3"]) if (spawnSync(p, ["-c", "pass"]).status === 0) return p;
  return null;
}

/** Runs `fn` with the process in `dir` and `PYTHONPATH` naming it, as a careless shell would. */
async function inHostileEnvironment<T>(dir: string, fn: () => T | Promise<T>): Promise<T> {
  const cwd = process.cwd();
  const saved = process.env["PYTHONPATH"];
  process.chdir(dir);
  process.env["PYTHONPATH"] = dir;
  try {
    return await fn();
  } finally {
    process.chdir(cwd);
    if (saved === undefined) delete process.env["PYTHONPATH"];
    else process.env["PYTHONPATH"] = saved;
  }
}

describe("Python is started isolated", () => {
  test("export --to onnx does not import a torch.py beside the model, in the current folder or on PYTHONPATH", (t) => {
    const py = python();
    if (!py) return t.skip("no python3 found: install python3 to test that Python starts isolated");
    const { dir, model, marker } = hostileFolder();
    const out = path.join(dir, "lenet5.onnx");
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, "dist/cli.js"), "export", "lenet5.ts", "--model", "lenet5", "--to", "onnx", "--out", out, "--python", py],
      { cwd: dir, env: { ...process.env, PYTHONPATH: dir }, encoding: "utf8", timeout: 300_000 },
    );
    assert.equal(fs.existsSync(marker), false, `the hostile torch.py was imported: ${r.stderr}`);
    assert.ok(fs.existsSync(model));
    if (r.status !== 0) assert.match(r.stderr, /PyTorch is not available/, r.stderr);
    else assert.ok(fs.statSync(out).size > 0, "the ONNX file was written with the real PyTorch");
  });

  test("runPython does not import from the current folder or PYTHONPATH", async (t) => {
    const py = python();
    if (!py) return t.skip("no python3 found: install python3 to test that Python starts isolated");
    const { dir, marker } = hostileFolder();
    const r = await inHostileEnvironment(dir, () =>
      runPython([py], "import sys\ntry:\n    import torch\nexcept ImportError:\n    pass\nprint(repr(sys.path))", []),
    );
    assert.equal(fs.existsSync(marker), false, "the hostile torch.py was imported");
    assert.ok(r.ok && r.status === 0, JSON.stringify(r));
    assert.ok(r.ok && !r.stdout.includes(dir) && !/\[''|, ''/.test(r.stdout), `sys.path holds neither the folder nor '': ${r.ok ? r.stdout : ""}`);
  });

  test("the PyTorch engine does not import a torch.py from the current folder or PYTHONPATH", async (t) => {
    const py = python();
    if (!py) return t.skip("no python3 found: install python3 to test that Python starts isolated");
    const { dir, model, marker } = hostileFolder();
    const events: TorchEvent[] = [];
    await inHostileEnvironment(dir, async () => {
      const session = new TorchTrainingSession({ python: py }, (e) => {
        events.push(e);
        if (e.type === "started" || e.type === "progress") session.stop();
      });
      await session.start(trainConfig({ file: model, model: "lenet5Mnist", dataset: { kind: "mnist-sample" }, runsDir: "runs", epochs: 1, batchSize: 128 }));
    });
    assert.equal(fs.existsSync(marker), false, "the hostile torch.py was imported");
    const error = events.find((e) => e.type === "error");
    if (error && error.type === "error") assert.match(error.message, /PyTorch is not installed|import torch failed: ModuleNotFoundError/, error.message);
    else {
      // trained with the real PyTorch: the stop checkpoint lands in ./runs of the folder the run started from
      const last = events[events.length - 1];
      assert.ok(last && last.type === "stopped" && last.checkpoint, JSON.stringify(events.map((e) => e.type)));
      assert.ok(fs.existsSync(path.join(dir, "runs")) && fs.existsSync(path.resolve(dir, last.checkpoint)), `checkpoint ${last.checkpoint}`);
    }
  });
});
