import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { summaryJson } from "../../../src/cli/summaryJson";
import { analyzeSource, moduleModel, onlyModel } from "./helpers";

/** Issue 14.5: counts above 2^53 stay exact on every path of version 2 (declared parameters and buffers, custom leaves, --json). */

// (2^27 + 1)^2 = 2^54 + 2^28 + 1 = 18014398777917441: odd, so a double would round it
const HUGE = moduleModel(
  `  w = nn.Parameter(torch.empty(2 ** 27 + 1, 2 ** 27 + 1));
  frozen = nn.Parameter(torch.empty(2 ** 27 + 1, 2 ** 27 + 1), { requiresGrad: false });
  constructor() { super(); this.registerBuffer("b", torch.zeros(2 ** 27 + 1, 2 ** 27 + 1)); }
  forward(x: Tensor) { return x; }`,
  "[N, 1]",
);

describe("counts above 2^53 of declared tensors", () => {
  test("parameters, trainable parameters, buffers and bytes are exact decimal strings", () => {
    const m = onlyModel(HUGE);
    assert.equal(m.params, "36028797555834882"); // 2 · 18014398777917441
    assert.equal(m.trainableParams, "18014398777917441");
    assert.equal(m.buffers, "18014398777917441");
    assert.equal(m.paramBytes, "144115190223339528");
    assert.equal(m.bufferBytes, "72057595111669764");
    assert.equal(m.modules[0]!.params, "36028797555834882");
    // a childless module with parameters is a leaf: its entry is exact too
    assert.deepEqual(
      m.layers.map((l) => [l.path, l.params, l.trainableParams, l.buffers]),
      [["", "36028797555834882", "18014398777917441", "18014398777917441"]],
    );
  });

  test("--json writes them as decimal strings", () => {
    const a = analyzeSource(HUGE);
    const json = JSON.parse(JSON.stringify(summaryJson("model.ts", a, a.models))) as { models: { params: unknown; trainableParams: unknown }[] };
    assert.equal(json.models[0]!.params, "36028797555834882");
    assert.equal(json.models[0]!.trainableParams, "18014398777917441");
  });
});
