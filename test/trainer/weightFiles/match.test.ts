import assert from "node:assert/strict";
import { test } from "node:test";
import { matchWeights, reportOf, type ModelTensorSpec } from "../../../src/trainer/weightFiles/match";
import type { StateDict, WeightTensor } from "../../../src/trainer/weightFiles/stateDict";
import { validateWeightsReport, weightsReportLines } from "../../../src/shared/weights";

function tensor(name: string, shape: number[]): WeightTensor {
  return { name, shape, dtype: "F32", values: new Float32Array(shape.reduce((a, b) => a * b, 1)) };
}

function stateDict(entries: [string, number[]][], notes: string[] = []): StateDict {
  return { file: "w.pth", tensors: new Map(entries.map(([n, s]) => [n, tensor(n, s)])), notes, metadata: {} };
}

const MODEL: ModelTensorSpec[] = [
  { name: "conv1.weight", shape: [64, 3, 7, 7] },
  { name: "bn1.weight", shape: [64] },
  { name: "bn1.num_batches_tracked", shape: [] },
  { name: "fc.weight", shape: [10, 512] },
  { name: "fc.bias", shape: [10] },
  { name: "head.extra", shape: [3] },
];

test("names load by state_dict name; a new head is mismatched, a new tensor missing, an extra one unexpected", () => {
  const sd = stateDict([
    ["conv1.weight", [64, 3, 7, 7]],
    ["bn1.weight", [64]],
    ["bn1.num_batches_tracked", []],
    ["fc.weight", [1000, 512]],
    ["fc.bias", [1000]],
    ["aux.weight", [2]],
  ]);
  const m = matchWeights(MODEL, sd);
  assert.deepEqual(m.loaded, ["conv1.weight", "bn1.weight", "bn1.num_batches_tracked"]);
  assert.deepEqual(m.missing, ["head.extra"]);
  assert.deepEqual(m.unexpected, ["aux.weight"]);
  assert.deepEqual(m.mismatched, [
    { name: "fc.weight", fileShape: [1000, 512], modelShape: [10, 512] },
    { name: "fc.bias", fileShape: [1000], modelShape: [10] },
  ]);
  assert.equal(m.strippedPrefix, undefined);
  assert.deepEqual([...m.values.keys()], m.loaded);
  assert.equal(m.values.get("conv1.weight"), sd.tensors.get("conv1.weight"));
  const report = reportOf(m);
  assert.equal("values" in report, false);
  assert.deepEqual(validateWeightsReport(JSON.parse(JSON.stringify(report))), { ok: true, value: report });
});

test("a DataParallel checkpoint's module. prefix is stripped when that makes names match, and reported", () => {
  const sd = stateDict([
    ["module.conv1.weight", [64, 3, 7, 7]],
    ["module.fc.weight", [10, 512]],
    ["other", [1]],
  ]);
  const m = matchWeights(MODEL, sd);
  assert.equal(m.strippedPrefix, "module.");
  assert.deepEqual(m.loaded, ["conv1.weight", "fc.weight"]);
  assert.deepEqual(m.unexpected, ["other"]);
  assert.equal(m.values.get("fc.weight")?.name, "module.fc.weight");
});

test("a model whose own names start with module. keeps them: nothing is stripped that does not add matches", () => {
  const model = [{ name: "module.w", shape: [2] }];
  const m = matchWeights(model, stateDict([["module.w", [2]]]));
  assert.equal(m.strippedPrefix, undefined);
  assert.deepEqual(m.loaded, ["module.w"]);
});

test("the report in words names shapes and what happens to each tensor", () => {
  const m = matchWeights(
    MODEL,
    stateDict(
      [
        ["fc.weight", [1000, 512]],
        ["x", [1]],
      ],
      ["1 tensor stored as F16 converted to float32"],
    ),
  );
  assert.deepEqual(weightsReportLines(reportOf(m)), [
    "w.pth: 0 of 6 tensors loaded, 1 mismatched, 5 missing, 1 unexpected",
    "note: 1 tensor stored as F16 converted to float32",
    "fc.weight: file [1000, 512], model [10, 512] — kept freshly initialised",
    "conv1.weight: not in the file — kept freshly initialised",
    "bn1.weight: not in the file — kept freshly initialised",
    "bn1.num_batches_tracked: not in the file — kept freshly initialised",
    "fc.bias: not in the file — kept freshly initialised",
    "head.extra: not in the file — kept freshly initialised",
    "x: in the file but not in the model — ignored",
  ]);
});

test("a malformed report is refused naming the field", () => {
  const r = validateWeightsReport({
    file: "f",
    loaded: [],
    missing: [],
    unexpected: [],
    mismatched: [{ name: "a", fileShape: [-1], modelShape: [] }],
    notes: [],
  });
  assert.equal(r.ok, false);
  assert.match(r.ok ? "" : r.error, /weights report\.mismatched\[0\]\.fileShape\[0\] must be at least 0, got -1/);
});
