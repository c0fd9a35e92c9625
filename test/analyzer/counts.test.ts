import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import type { ModelAnalysis } from "../../src/shared/analysis";
import { summaryTable } from "../../src/shared/summaryTable";
import { modelHeadline } from "../../src/server/codeLens";
import { layersHover } from "../../src/server/hoverContent";
import { CLI, ROOT } from "../helpers/paths";

/** Issue 12.7: counts above 2^53 are exact, printed digit for digit, and decimal strings in JSON. */

const SOURCE = `import { nn } from "cnn-studio";

/** @input [N, 1073741824] */
export const square = nn.Sequential(nn.Linear(2 ** 30, 2 ** 30));

/** @input [N, 1073741825] */
export const odd = nn.Sequential(nn.Linear(2 ** 30 + 1, 2 ** 30 + 1));

/** @input [1, 65535, 1025, 1025] */
export const wide = nn.Sequential(nn.Conv2d(65535, 65535, 3));
`;

function modelFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-counts-"));
  const file = path.join(dir, "big.ts");
  fs.writeFileSync(file, SOURCE);
  return file;
}

const file = modelFile();
const analysis = new Analyzer().analyzeFile(file);
function model(name: string): ModelAnalysis {
  const m = analysis.models.find((x) => x.name === name);
  assert.ok(m, `no model ${name}: ${JSON.stringify(analysis.diagnostics)}`);
  return m;
}

describe("counts above 2^53", () => {
  test("the analysis is exact (Linear(2**30, 2**30), an odd Linear, a wide Conv2d)", () => {
    assert.deepEqual(analysis.diagnostics, []);
    const sq = model("square");
    assert.equal(sq.params, "1152921505680588800");
    assert.equal(sq.trainableParams, "1152921505680588800");
    assert.equal(sq.macs, "1152921504606846976");
    assert.equal(sq.paramBytes, "4611686022722355200");
    assert.equal(sq.activationBytes, 4294967296);
    const odd = model("odd");
    assert.equal(odd.params, "1152921507828072450"); // a double rounds it to …448
    assert.equal(odd.layers[0]!.params, "1152921507828072450");
    assert.equal(odd.modules.find((m) => m.path === "0")!.params, "1152921507828072450");
    assert.equal(odd.macs, "1152921506754330625");
    const wide = model("wide");
    assert.equal(wide.macs, "40452035937417225"); // a double rounds it to …224
    assert.equal(wide.params, 38653591560);
  });

  test("--json writes them as decimal strings, smaller counts as numbers", () => {
    const r = spawnSync(process.execPath, [CLI, "summary", file, "--model", "odd", "--json"], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /"params":\s*"1152921507828072450"/);
    const [m] = JSON.parse(r.stdout).models;
    assert.equal(m.macs, "1152921506754330625");
    assert.equal(m.paramBytes, "4611686031312289800");
    assert.equal(m.activationBytes, 4294967300);
    assert.equal(m.layers[0].macs, "1152921506754330625");
  });

  test("the table prints every digit", () => {
    const text = summaryTable(model("odd"));
    assert.match(text, /^Total params: 1,152,921,507,828,072,450$/m);
    assert.match(text, /^Non-trainable params: 0$/m);
    assert.match(text, /^MACs per sample: 1152921\.5T \(1,152,921,506,754,330,625\)$/m);
    assert.match(text, /^Params size \(MB\): 4611686031312\.29$/m);
    assert.match(text, / 1,152,921,507,828,072,450 +1,152,921,506,754,330,625 /);
  });

  test("the code lens and the hovers print every digit", () => {
    const m = model("odd");
    assert.match(modelHeadline(m), /^1,152,921,507,828,072,450 params · /);
    const hover = layersHover([{ model: m, layer: m.layers[0]! }]);
    assert.match(hover, /1,152,921,507,828,072,450 · trainable 1,152,921,507,828,072,450/);
    assert.match(hover, /\(1,152,921,506,754,330,625\)/);
  });

  test("a dimension above 2^53 is a diagnostic, not a rounded size", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-counts-"));
    const f = path.join(dir, "flat.ts");
    fs.writeFileSync(f, `import { nn } from "cnn-studio";\n\n/** @input [N, 134217729, 134217729] */\nexport const flat = nn.Sequential(nn.Flatten());\n`);
    const a = new Analyzer().analyzeFile(f);
    assert.deepEqual(
      a.diagnostics.map((d) => d.message),
      ["Flatten of [N, 134217729, 134217729] would make a dimension above 2^53, which is not exact"],
    );
  });
});
