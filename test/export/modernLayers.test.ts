import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import { exportPyTorch } from "../../src/export/pytorch";
import { PYTHON, ROOT } from "./helpers";

/**
 * Issue 14: the export of a file using every new kind (test/fixtures/trainer/modernZoo.ts) runs as
 * a script under PyTorch — an embedding model gets integer zeros — and prints the analyzer's
 * parameter counts and output shapes.
 */

test("the exported modernZoo.ts runs under PyTorch with the analyzer's parameters and shapes", (t) => {
  const file = path.join(ROOT, "test/fixtures/trainer/modernZoo.ts");
  const r = exportPyTorch(file, { displayPath: "test/fixtures/trainer/modernZoo.ts" });
  assert.ok(r.ok);
  assert.deepEqual(r.diagnostics, []);
  if (!fs.existsSync(PYTHON) || spawnSync(PYTHON, ["-c", "import torch"]).status !== 0) {
    t.skip(`PyTorch is not installed for ${PYTHON}: install python3-torch (Debian) to run it`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-modern-export-"));
  try {
    const out = path.join(dir, "modern_zoo.py");
    fs.writeFileSync(out, r.code);
    const run = spawnSync(PYTHON, [out], { encoding: "utf8", timeout: 120_000 });
    assert.equal(run.status, 0, run.stderr);
    const printed = run.stdout.trim().split("\n");
    const analysis = new Analyzer().analyzeFile(file);
    const expected = analysis.models.map((m) => {
      const shape = (m.output as (number | string)[]).map((d) => (typeof d === "number" ? d : 1));
      return `${m.name}: ${Number(m.params).toLocaleString("en-US")} parameters, output (${shape.join(", ")})`;
    });
    assert.deepEqual(printed, expected);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
