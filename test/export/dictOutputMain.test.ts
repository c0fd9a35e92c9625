import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { dedent, exportSource, PYTHON } from "./helpers";

/**
 * A forward that builds an object and returns it (torchvision's segmentation models' `result`, as
 * examples/segmentation.ts writes it) exports with a `__main__` that prints the shapes of a dict:
 * `python model.py` runs (it failed on `output.shape` of the dict before). Issue 14: export runs
 * every new example.
 */

const SOURCE = dedent(`
  import { nn, type Tensor } from "cnn-studio";
  export class Heads extends nn.Module {
    readonly head: nn.Conv2d;
    constructor() {
      super();
      this.head = nn.Conv2d(3, 2, 1);
    }
    forward(x: Tensor): Record<string, Tensor> {
      const result: Record<string, Tensor> = {};
      result["out"] = this.head(x);
      result["aux"] = this.head(x);
      return result;
    }
  }
  /** @input [N, 3, 4, 4] */
  export const heads = new Heads();
`);

test("a forward returning a built-up object exports a __main__ that prints the dict's shapes, and runs", (t) => {
  const r = exportSource({ "model.ts": SOURCE });
  assert.ok(r.ok, JSON.stringify(r.diagnostics));
  assert.match(r.code, /shapes = \{k: tuple\(o\.shape\) for k, o in output\.items\(\)\} if isinstance\(output, dict\)/);
  if (!fs.existsSync(PYTHON) || spawnSync(PYTHON, ["-c", "import torch"]).status !== 0) return t.skip(`PyTorch is not installed for ${PYTHON}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-dict-main-"));
  try {
    fs.writeFileSync(path.join(dir, "model.py"), r.code);
    const run = spawnSync(PYTHON, ["model.py"], { cwd: dir, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /heads: 8 parameters, output \{'out': \(1, 2, 4, 4\), 'aux': \(1, 2, 4, 4\)\}/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return undefined;
});
