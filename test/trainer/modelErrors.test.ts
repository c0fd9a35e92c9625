import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import { modelErrors } from "../../src/shared/analysis";
import { findModel } from "../../src/trainer/runSetup";

/**
 * Issue 19.7: one model's error blocks only that model, and names it. The analyzer marks the
 * diagnostics each exported model reports (building it, running its forward pass); the file's own
 * (syntax, other top-level code) concern every model.
 */

const TWO_MODELS = `import { nn, type Tensor } from "cnn-studio";

class Net extends nn.Module {
  readonly conv: nn.Conv2d;
  readonly fc: nn.Linear;
  constructor(inChannels: number) {
    super();
    this.conv = nn.Conv2d(inChannels, 8, 3, { padding: 1 });
    this.fc = nn.Linear(8 * 28 * 28, 10);
  }
  forward(x: Tensor): Tensor {
    return this.fc(this.conv(x).flatten(1));
  }
}

/** @input [N, 1, 28, 28] */
export const myNet = new Net(1);

/** @input [N, 1, 28, 28] */
export const myMnist = new Net(3);

/** @input [N, 1, 28, 28] */
export const badArgs = new Net(-1);
`;

function analyse(text: string): { file: string; analysis: ReturnType<Analyzer["analyzeFile"]> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-model-errors-"));
  const file = path.join(dir, "two.ts");
  fs.writeFileSync(file, text);
  return { file, analysis: new Analyzer().analyzeFile(file) };
}

test("a valid model beside a broken one has no errors of its own; the broken one has its own", () => {
  const { analysis } = analyse(TWO_MODELS);
  const errors = analysis.diagnostics.filter((d) => d.severity === "error");
  assert.ok(errors.length >= 2, JSON.stringify(errors.map((d) => d.message)));
  assert.deepEqual(modelErrors(analysis.diagnostics, "myNet"), []);
  const mnist = modelErrors(analysis.diagnostics, "myMnist");
  assert.equal(mnist.length, 1);
  assert.match(mnist[0]!.message, /3 input channels/);
  assert.ok(modelErrors(analysis.diagnostics, "badArgs").length >= 1, "an error building the model is its own");
  assert.ok(
    errors.every((d) => d.model === "myMnist" || d.model === "badArgs"),
    "every error belongs to one model",
  );
});

test("the trainer takes the valid model and refuses the broken one by name", () => {
  const { file, analysis } = analyse(TWO_MODELS);
  const ok = findModel(analysis, file, "myNet");
  assert.ok(ok.ok, ok.ok ? "" : ok.error);
  const broken = findModel(analysis, file, "myMnist");
  assert.ok(!broken.ok);
  assert.match(broken.error, /^myMnist in .*two\.ts has 1 error; the first: two\.ts:\d+: .*3 input channels/);
});

test("an error of the file's own code (not a model's) still blocks every model", () => {
  const { file, analysis } = analyse(
    `${TWO_MODELS.replace("export const myMnist = new Net(3);", "export const myMnist = new Net(1);").replace("export const badArgs = new Net(-1);", "")}\nconst broken = nn.Conv2d(1, 2);\n`,
  );
  const own = analysis.diagnostics.filter((d) => d.severity === "error");
  assert.ok(own.length >= 1 && own.every((d) => d.model === undefined), JSON.stringify(own));
  const r = findModel(analysis, file, "myNet");
  assert.ok(!r.ok);
  assert.match(r.error, /^myNet in /);
});
