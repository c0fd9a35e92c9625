import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { summaryJson } from "../../../src/cli/summaryJson";
import { shapeText } from "../../../src/shared/markdown";
import { trainedOutput } from "../../../src/shared/outputs";
import { summaryTable } from "../../../src/shared/summaryTable";
import { analyzeSource, moduleModel, onlyModel } from "./helpers";

/** Issue 14.4: forward may return an object of tensors; childless modules returning several tensors are still leaves. */

const SEGMENTATION = moduleModel(
  `  backbone = nn.Conv2d(3, 8, 3, { padding: 1 });
  classifier = nn.Conv2d(8, 21, 1);
  auxClassifier = nn.Conv2d(8, 21, 1);
  forward(x: Tensor) {
    const features = this.backbone(x);
    return { out: this.classifier(features), aux: this.auxClassifier(features) };
  }`,
  "[N, 3, 16, 16]",
);

describe("object outputs", () => {
  test("output is the object of shapes, never null; the output nodes are named by key", () => {
    const m = onlyModel(SEGMENTATION);
    assert.deepEqual(m.output, { out: ["N", 21, 16, 16], aux: ["N", 21, 16, 16] });
    assert.equal(m.complete, true);
    assert.deepEqual(
      m.graph.filter((n) => n.kind === "output").map((n) => n.label),
      ["out", "aux"],
    );
  });

  test("summary table, --json and hovers show the object", () => {
    const a = analyzeSource(SEGMENTATION);
    const m = a.models[0]!;
    assert.match(summaryTable(m), /Output: \{ out: \[N, 21, 16, 16\], aux: \[N, 21, 16, 16\] \}/);
    assert.equal(shapeText(m.output), "{ out: [N, 21, 16, 16], aux: [N, 21, 16, 16] }");
    const json = JSON.parse(JSON.stringify(summaryJson("model.ts", a, a.models))) as { models: { output: unknown }[] };
    assert.deepEqual(json.models[0]!.output, { out: ["N", 21, 16, 16], aux: ["N", 21, 16, 16] });
  });

  test("the trainer trains 'out', or says which keys there are", () => {
    assert.deepEqual(trainedOutput("seg", { out: ["N", 21], aux: ["N", 21] }), { shape: ["N", 21] });
    assert.deepEqual(trainedOutput("pair", { logits: ["N", 10], features: ["N", 64] }), {
      problem: "pair returns an object { logits, features }; the trainer trains the tensor named 'out'",
    });
  });

  test("a childless custom module whose forward returns an array (or an object) is still a leaf", () => {
    const m = onlyModel(
      moduleModel(
        `  split = new Split();
  forward(x: Tensor) { const [a, b] = this.split(x); return a.add(b); }`,
        "[N, 4]",
        `class Split extends nn.Module {
  forward(x: Tensor): Tensor[] { return [x.mul(2), x.div(2)]; }
}`,
      ),
    );
    assert.deepEqual(
      m.layers.map((l) => [l.path, l.type, l.output, l.outputs]),
      [
        [
          "split",
          "Split",
          ["N", 4],
          [
            ["N", 4],
            ["N", 4],
          ],
        ],
      ],
    );
    assert.deepEqual(m.output, ["N", 4]);
  });

  test("--json lists a multi-output leaf's outputs", () => {
    const a = analyzeSource(
      moduleModel(
        `  split = new Split();
  forward(x: Tensor) { const [p, q] = this.split(x); return p.add(q); }`,
        "[N, 4]",
        `class Split extends nn.Module {
  forward(x: Tensor): Tensor[] { return [x.mul(2), x.div(2)]; }
}`,
      ),
    );
    const json = JSON.parse(JSON.stringify(summaryJson("model.ts", a, a.models))) as { models: { layers: { outputs?: unknown }[] }[] };
    assert.deepEqual(json.models[0]!.layers[0]!.outputs, [
      ["N", 4],
      ["N", 4],
    ]);
  });
});
