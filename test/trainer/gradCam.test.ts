import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import type { InputSpec } from "../../src/shared/webview/common";
import { gradCam } from "../../src/trainer/explain";
import { Inspector } from "../../src/trainer/inspect";
import { compileModel } from "../../src/trainer/model/compile";
import { assignWeights } from "../../src/trainer/weights";
import { deps, EXAMPLES, testTf } from "./helpers/env";
import { decode, ROOT, TRAINER_GOLDEN, type EncodedTensor } from "./helpers/golden";

/**
 * Issue 18: Grad-CAM (src/trainer/explain.ts) against PyTorch's on the same checkpoint
 * (test/golden/trainer/gradCam.json, made by test/trainer/gradcam_reference.py), and the
 * Inspector's `gradCam` and `predictions` queries.
 */

interface CamGolden {
  state: Record<string, EncodedTensor>;
  input: EncodedTensor;
  cases: { layer: string; classIndex: number | null; explained: number; cam: EncodedTensor; probabilities: number[] }[];
}

const golden = JSON.parse(fs.readFileSync(path.join(TRAINER_GOLDEN, "gradCam.json"), "utf8")) as CamGolden;
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe("Grad-CAM equals PyTorch's on the same checkpoint", () => {
  test("every case of the golden within 1e-4: the class explained, the map, the probabilities", async () => {
    const { tf } = await testTf();
    const model = new Analyzer().analyzeFile(path.join(ROOT, "test/fixtures/trainer/gradCam.ts")).models.find((m) => m.name === "camNet")!;
    const compiled = compileModel(tf, model, { seed: 0 });
    const values = new Map(Object.entries(golden.state).map(([name, t]) => [name, { data: Float32Array.from(decode(t)) }]));
    for (const [name, v] of compiled.buffers) if (!values.has(name)) values.set(name, { data: Float32Array.from(v.dataSync()) });
    assignWeights(tf, compiled, values);
    const x = tf.tensor4d(Float32Array.from(decode(golden.input)), [1, 2, 12, 12]);
    assert.equal(golden.cases.length, 6);
    for (const c of golden.cases) {
      const node = model.graph.find((n) => n.kind === "module" && n.label === c.layer)!;
      const [, C, h, w] = node.output as number[];
      const g = gradCam(tf, compiled, x, node.id, [C!, h!, w!], c.classIndex);
      assert.ok(g.ok, g.ok ? "" : g.error);
      const expected = decode(c.cam);
      assert.equal(g.value.classIndex, c.explained, `layer ${c.layer}`);
      assert.deepEqual([g.value.height, g.value.width], c.cam.shape);
      assert.ok(
        expected.some((v) => v > 0),
        `layer ${c.layer}: the golden map is not all zero`,
      );
      const d = maxAbsDiff(g.value.cam, expected);
      assert.ok(d < 1e-4, `layer ${c.layer}, class ${c.explained}: max |tfjs − torch| = ${d}`);
      assert.ok(maxAbsDiff(g.value.probabilities, c.probabilities) < 1e-5);
    }
    const bad = gradCam(tf, compiled, x, model.graph.find((n) => n.label === "0")!.id, [4, 10, 10], 7);
    assert.deepEqual(bad, { ok: false, error: "class 7 is out of range: the model has 7 classes (0 to 6)" });
    x.dispose();
    compiled.dispose();
  });
});

describe("the Inspector's gradCam and predictions", () => {
  const inspector = new Inspector(deps());
  after(() => inspector.dispose());
  const FILE = path.join(EXAMPLES, "lenet5.ts");
  const MODEL = "lenet5Mnist";
  const analysis = new Analyzer().analyzeFile(FILE).models.find((m) => m.name === MODEL)!;
  const nodeOf = (label: string) => analysis.graph.find((n) => n.label === label)!;
  const data = new Float32Array(28 * 28);
  for (let y = 5; y < 23; y++) for (let x = 12; x < 16; x++) data[y * 28 + x] = 1;
  const drawing: InputSpec = { kind: "pixels", source: "drawing", name: "drawing", tensor: { shape: [1, 28, 28], data } };

  test("the predicted class by default, a chosen class on request, at the layer's resolution; probabilities sum to 1", async () => {
    const p = await inspector.inspect({ kind: "predictions", file: FILE, model: MODEL, checkpoint: null, input: drawing });
    assert.ok(p.ok && p.value.kind === "predictions", p.ok ? "" : p.error);
    assert.equal(p.value.probabilities.length, 10);
    assert.ok(Math.abs(p.value.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    const best = p.value.probabilities.indexOf(Math.max(...p.value.probabilities));
    const conv = nodeOf("features.3");
    const g = await inspector.inspect({ kind: "gradCam", file: FILE, model: MODEL, checkpoint: null, input: drawing, nodeId: conv.id, classIndex: null });
    assert.ok(g.ok && g.value.kind === "gradCam", g.ok ? "" : g.error);
    assert.equal(g.value.classIndex, best);
    assert.deepEqual(g.value.cam.shape, [1, ...(conv.output.slice(2) as number[])]);
    assert.deepEqual(g.value.probabilities, p.value.probabilities);
    const chosen = await inspector.inspect({ kind: "gradCam", file: FILE, model: MODEL, checkpoint: null, input: drawing, nodeId: conv.id, classIndex: 4 });
    assert.ok(chosen.ok && chosen.value.kind === "gradCam");
    assert.equal(chosen.value.classIndex, 4);
  });

  test("a layer without a spatial output and a class out of range are refused with their names", async () => {
    const fc = nodeOf("classifier.4");
    const flat = await inspector.inspect({ kind: "gradCam", file: FILE, model: MODEL, checkpoint: null, input: drawing, nodeId: fc.id, classIndex: null });
    assert.ok(!flat.ok);
    assert.match(flat.error, /^classifier\.4 \(graph node \d+\) outputs \[N, 10\]; Grad-CAM needs a layer with a spatial output/);
    const range = await inspector.inspect({
      kind: "gradCam",
      file: FILE,
      model: MODEL,
      checkpoint: null,
      input: drawing,
      nodeId: nodeOf("features.0").id,
      classIndex: 12,
    });
    assert.deepEqual(range, { ok: false, error: "class 12 is out of range: the model has 10 classes (0 to 9)" });
  });
});
