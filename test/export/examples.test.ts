import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import type { ModelAnalysis } from "../../src/shared/analysis";
import { exportPyTorch } from "../../src/export/pytorch";
import { concrete, EXAMPLES, expectedStateDict, ROOT, runChecks } from "./helpers";

/**
 * Every example model, exported to PyTorch and built by PyTorch, has exactly the parameter count,
 * buffers, module tree, state_dict keys and output shape the analyzer reports. All models run in
 * one Python process (forward passes on meta tensors: shapes without arithmetic); without
 * Debian's python3-torch the PyTorch half is skipped with a message.
 */

const BATCH = 2;

test("every example exports to PyTorch, and PyTorch agrees with the analyzer", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-export-"));
  const analyzer = new Analyzer();
  const jobs: { file: string; models: { name: string; inputs: number[][] }[] }[] = [];
  const expected = new Map<string, ModelAnalysis>();
  const files = fs
    .readdirSync(EXAMPLES)
    .filter((f) => f.endsWith(".ts"))
    .sort()
    .map((f) => path.join(EXAMPLES, f));
  assert.ok(files.length >= 13, "the examples are there");
  // the trainer's models of every layer kind and tensor operation, where they are
  const zoo = path.join(ROOT, "test/fixtures/trainer");
  if (fs.existsSync(zoo))
    files.push(
      ...fs
        .readdirSync(zoo)
        .filter((f) => f.endsWith(".ts"))
        .sort()
        .map((f) => path.join(zoo, f)),
    );
  const t0 = performance.now();
  for (const abs of files) {
    const f = path.basename(abs);
    const analysis = analyzer.analyzeFile(abs);
    assert.deepEqual(
      analysis.diagnostics.filter((d) => d.severity === "error"),
      [],
      `${f} analyses without errors`,
    );
    const result = exportPyTorch(abs, { displayPath: path.relative(ROOT, abs) });
    assert.deepEqual(result.diagnostics, [], `${f} exports without diagnostics`);
    assert.ok(result.ok);
    assert.deepEqual(
      result.models.map((m) => m.name),
      analysis.models.map((m) => m.name),
      `${f}: the same models`,
    );
    const out = path.join(dir, path.relative(ROOT, abs).replace(/[\/]/g, "_").replace(/\.ts$/, ".py"));
    fs.writeFileSync(out, result.code);
    jobs.push({ file: out, models: analysis.models.map((m) => ({ name: m.name, inputs: m.inputs.map((s) => concrete(s, BATCH)) })) });
    for (const m of analysis.models) expected.set(`${out}#${m.name}`, m);
  }
  const exportSeconds = (performance.now() - t0) / 1000;
  t.diagnostic(`analysed and exported ${files.length} files (${expected.size} models) in ${exportSeconds.toFixed(1)} s`);

  const run = runChecks(jobs);
  if (!run.ok) {
    if ("skip" in run) {
      t.skip(run.skip);
      return;
    }
    assert.fail(run.error);
  }
  t.diagnostic(`PyTorch built and ran all models in ${run.seconds.toFixed(1)} s`);
  for (const report of run.reports) {
    assert.equal(report.error, undefined, `${report.file} imports: ${report.error}`);
    for (const [name, py] of Object.entries(report.models)) {
      const m = expected.get(`${report.file}#${name}`)!;
      const where = `${path.basename(report.file)} ${name}`;
      assert.equal(py.error, undefined, `${where}: ${py.error}`);
      assert.equal(py.params, m.params, `${where}: parameters`);
      assert.equal(py.trainableParams, m.trainableParams, `${where}: trainable parameters`);
      assert.equal(py.buffers, m.buffers, `${where}: buffer values`);
      assert.deepEqual(
        py.output,
        Array.isArray((m.output as unknown[] | null)?.[0])
          ? (m.output as (number | string)[][]).map((s) => concrete(s, BATCH))
          : concrete(m.output as (number | string)[], BATCH),
        `${where}: output shape`,
      );
      assert.deepEqual(
        py.modules,
        m.modules.map((x) => [x.path, x.type, x.params, x.trainableParams, x.buffers]),
        `${where}: module tree (named_modules: path, type, parameters, trainable, buffers)`,
      );
      assert.deepEqual(py.stateDict, expectedStateDict(m), `${where}: state_dict keys`);
    }
  }
});
