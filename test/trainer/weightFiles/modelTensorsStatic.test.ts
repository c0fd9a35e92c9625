import assert from "node:assert/strict";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { Analyzer } from "../../../src/analyzer/index";
import { selectBackend } from "../../../src/trainer/model/backend";
import type { TF } from "../../../src/trainer/model/types";
import { planTransfer } from "../../../src/trainer/train/freeze";
import { modelTensorSpecs } from "../../../src/trainer/weightFiles/modelTensors";
import { modelTensorLayout } from "../../../src/trainer/weightFiles/modelTensorsStatic";
import { ROOT } from "../helpers/golden";

/**
 * The editor's tensor layout of a model (no TensorFlow.js) is the compiler's: the same state_dict
 * names, shapes and order as modelTensorSpecs, over examples that have every kind of tensor
 * (BatchNorm buffers, declared parameters and buffers, shared modules, attention, LayerNorm2d's
 * own tensors read in forward).
 */

let tf: TF;
before(async () => {
  const sel = await selectBackend("js", { strict: true });
  assert.ok(sel.ok);
  tf = sel.tf;
});

const EXAMPLES = ["mnist-cnn.ts", "lenet5.ts", "mnist-resnet.ts", "convnext-mnist.ts", "vit-mnist.ts", "transfer-learning.ts", "mobilenet-v3.ts"];

describe("modelTensorLayout", () => {
  for (const file of EXAMPLES) {
    test(`${file}: the same names, shapes and order as the compiled model`, () => {
      const a = new Analyzer().analyzeFile(path.join(ROOT, "examples", file));
      assert.ok(a.models.length > 0);
      for (const m of a.models) {
        const compiled = modelTensorSpecs(tf, m);
        assert.ok(compiled.ok, compiled.ok ? "" : compiled.error);
        const layout = modelTensorLayout(m);
        assert.deepEqual(layout.tensors, compiled.value, `${file} ${m.name}`);
        const params = layout.parameters.reduce((s, p) => s + p.size, 0);
        assert.equal(params, Number(m.params), `${m.name}: the parameters add up to the analysis's count`);
      }
    });
  }

  test("its names plan a freeze as the trainer does (a module path freezes its parameters; an unmatched glob is named)", () => {
    const a = new Analyzer().analyzeFile(path.join(ROOT, "examples", "mnist-cnn.ts"));
    const m = a.models[0]!;
    const names = modelTensorLayout(m).names;
    const first = names.parameters[0]!.split(".")[0]!;
    const plan = planTransfer({ weights: null, freeze: [first], lrFor: [] }, names);
    assert.ok(typeof plan !== "string");
    assert.ok(plan.frozen.size > 0 && [...plan.frozen].every((n) => n.startsWith(`${first}.`)));
    const bad = planTransfer({ weights: null, freeze: ["nothing.*"], lrFor: [] }, names);
    assert.match(String(bad), /--freeze nothing\.\* matches no parameter/);
  });
});
