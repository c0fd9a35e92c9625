import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import { datasetForModel, defaultForm, describeConfig, modelId, smallestSuitableModel, validateForm, type FormModel } from "../../src/extension/train/form";
import { DATASET_KINDS } from "../../src/shared/webview/train";

/** Issue 19, item 15: the Train form offers the generated Shapes-10 sample and picks it for 3-channel models. */

const ROOT = path.resolve(__dirname, "..", "..", "..");

function formModels(example: string): FormModel[] {
  const file = path.join(ROOT, "examples", example);
  return new Analyzer().analyzeFile(file).models.map((m) => ({
    id: modelId(`file://${file}`, m.name),
    file,
    name: m.name,
    inputs: m.inputs,
    output: m.output,
    params: m.params,
    errors: 0,
  }));
}

const simpleCnn = formModels("simple-cnn.ts").find((m) => m.name === "simpleCnn")!;
const lenetMnist = formModels("lenet5.ts").find((m) => m.name === "lenet5Mnist")!;

test("Train form: the Shapes-10 sample is a dataset choice, and SimpleCNN trains on it without a folder", () => {
  assert.ok(DATASET_KINDS.some((k) => k.kind === "shapes10-sample" && /Shapes-10 sample/.test(k.label)));
  const r = validateForm({ ...defaultForm(), model: simpleCnn.id, dataset: "shapes10-sample" }, [simpleCnn], "/r");
  assert.deepEqual(r.errors, {});
  assert.deepEqual(r.config?.dataset, { kind: "shapes10-sample" });
  assert.match(describeConfig(r.config!), /the bundled Shapes-10 sample/);
  const grey = validateForm({ ...defaultForm(), model: lenetMnist.id, dataset: "shapes10-sample" }, [lenetMnist], "/r");
  assert.match(grey.errors.model ?? "", /Shapes-10 sample has 3×32×32 images; lenet5Mnist takes \[N, 1, 28, 28\]/);
});

test("Train form: a bundled sample follows the model (MNIST for 1×28×28, Shapes-10 for 3×32×32); a folder stays", () => {
  assert.equal(datasetForModel("mnist-sample", simpleCnn), "shapes10-sample");
  assert.equal(datasetForModel("shapes10-sample", lenetMnist), "mnist-sample");
  assert.equal(datasetForModel("mnist-sample", lenetMnist), "mnist-sample");
  assert.equal(datasetForModel("cifar10", lenetMnist), "cifar10", "a dataset the person chose stays");
  assert.equal(datasetForModel("mnist-sample", undefined), "mnist-sample");
  // the default form's MNIST sample does not keep SimpleCNN from being picked when it is the only model
  assert.equal(smallestSuitableModel([simpleCnn], "mnist-sample")?.name, "simpleCnn");
  assert.equal(smallestSuitableModel([simpleCnn, lenetMnist], "mnist-sample")?.name, "lenet5Mnist");
});
