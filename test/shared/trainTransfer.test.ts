import assert from "node:assert/strict";
import { test } from "node:test";
import { validateTrainToWebview } from "../../src/shared/webview/train";
import { freezeCompletions, freezeNames, trainableText, weightsReportView } from "../../src/shared/webview/trainTransfer";
import type { WeightsReport } from "../../src/shared/weights";

/** The Train view's transfer-learning words (issue 15): the weights report as shown, the freeze completions, the trainable count. */

const RESNET_HEAD: WeightsReport = {
  file: "/w/resnet18.pth",
  loaded: Array.from({ length: 120 }, (_, i) => `t${i}`),
  missing: [],
  unexpected: [],
  mismatched: [
    { name: "fc.weight", fileShape: [1000, 512], modelShape: [10, 512] },
    { name: "fc.bias", fileShape: [1000], modelShape: [10] },
  ],
  notes: ["1 int64 tensor (num_batches_tracked) converted to float32"],
};

test("the weights report as the Train view shows it: how many load, the counts, each mismatch in words", () => {
  const v = weightsReportView(RESNET_HEAD);
  assert.equal(v.headline, "120 of 122 tensors load");
  assert.equal(v.counts, "2 mismatched · 0 missing · 0 unexpected");
  assert.deepEqual(v.lines, [
    "fc.weight: file [1000, 512], model [10, 512] — kept freshly initialised",
    "fc.bias: file [1000], model [10] — kept freshly initialised",
    "note: 1 int64 tensor (num_batches_tracked) converted to float32",
  ]);
  const other = weightsReportView({
    ...RESNET_HEAD,
    loaded: [],
    mismatched: [],
    missing: ["a", "b", "c", "d", "e"],
    unexpected: ["x"],
    strippedPrefix: "module.",
  });
  assert.equal(other.headline, "None of the model's 5 tensors load from this file");
  assert.deepEqual(other.lines.slice(0, 3), [
    "the file's names start with \"module.\": stripped to match the model's",
    "missing (kept freshly initialised): a, b, c and 2 more",
    "unexpected (ignored): x",
  ]);
  assert.equal(weightsReportView({ ...RESNET_HEAD, mismatched: [] }).headline, "120 of 120 tensors load (all)");
});

test("the freeze field completes module paths and parameter names after the globs already typed", () => {
  const names = freezeNames(["conv1.weight", "bn1.weight", "bn1.bias", "layer1.0.conv1.weight"]);
  assert.deepEqual(names, ["conv1", "conv1.weight", "bn1", "bn1.weight", "bn1.bias", "layer1", "layer1.0", "layer1.0.conv1", "layer1.0.conv1.weight"]);
  assert.deepEqual(freezeCompletions(["conv1", "bn1"], ""), ["conv1", "bn1"]);
  assert.deepEqual(freezeCompletions(["conv1", "bn1", "layer1"], "conv1,"), ["conv1,bn1", "conv1,layer1"], "a glob given is not offered again");
  assert.deepEqual(freezeCompletions(["conv1", "bn1"], "conv1, b"), ["conv1,bn1"]);
});

test("the trainable count: trainable in full, the total short", () => {
  assert.equal(trainableText(5130, 11_689_512), "5,130 trainable of 11.69M parameters");
  assert.equal(trainableText(0, 206_922), "0 trainable of 206.9K parameters");
});

test("the transfer message is checked: a report with a bad shape is refused, naming the field", () => {
  const info = { weights: { path: "/w/a.pth", source: "/w/a.pth", report: RESNET_HEAD, error: null }, freezeNames: ["conv1"], trainable: "" };
  assert.ok(validateTrainToWebview({ type: "transfer", info }).ok);
  const bad = validateTrainToWebview({
    type: "transfer",
    info: { ...info, weights: { ...info.weights, report: { ...RESNET_HEAD, mismatched: [{ name: "fc.weight", fileShape: [-1], modelShape: [10] }] } } },
  });
  assert.ok(!bad.ok);
  assert.match(bad.error, /mismatched\[0\]\.fileShape\[0\]/);
});
