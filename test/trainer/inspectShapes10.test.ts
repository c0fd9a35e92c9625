import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import { Inspector } from "../../src/trainer/inspect";
import { deps, EXAMPLES } from "./helpers/env";

/** Issue 19, items 14 and 15: an untrained 3-channel model's panels get samples of the Shapes-10 sample, not "no samples". */

const FILE = path.join(EXAMPLES, "simple-cnn.ts");
const MODEL = "simpleCnn";

test("the untrained SimpleCNN takes shapes10-sample: its dataset, and feature maps of a sample", { timeout: 120_000 }, async () => {
  const inspector = new Inspector(deps());
  const ds = await inspector.inspect({ kind: "dataset", file: FILE, model: MODEL, checkpoint: null });
  assert.ok(ds.ok && ds.value.kind === "dataset", ds.ok ? "" : ds.error);
  assert.deepEqual(ds.value.dataset, {
    name: "shapes10-sample",
    channels: 3,
    height: 32,
    width: 32,
    classNames: ["circle", "ring", "square", "triangle", "cross", "star", "h-stripes", "v-stripes", "checker", "dots"],
    trainCount: 5000,
    validationCount: 1000,
  });
  const conv1 = new Analyzer()
    .analyzeFile(FILE)
    .models.find((m) => m.name === MODEL)!
    .graph.find((n) => n.label === "features.0")!;
  const r = await inspector.inspect({
    kind: "featureMaps",
    file: FILE,
    model: MODEL,
    checkpoint: null,
    input: { kind: "sample", split: "validation", index: 0 },
    nodeIds: [conv1.id],
  });
  assert.ok(r.ok && r.value.kind === "featureMaps", r.ok ? "" : r.error);
  assert.deepEqual(r.value.input.shape, [3, 32, 32]);
  assert.deepEqual(r.value.maps[0]!.tensor.shape, [32, 32, 32]);
  inspector.dispose();
});
