import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import type { FileAnalysis, Shape } from "../../src/shared/analysis";

/**
 * Issue 14: the new layer kinds (LayerNorm, GroupNorm, Conv1d, MaxPool1d, AvgPool1d,
 * AdaptiveAvgPool1d, BatchNorm1d on [N, C, L], Embedding, Unflatten, PixelShuffle, ZeroPad2d, Mish,
 * PReLU): output shape, parameters, buffers and MACs against PyTorch 1.13's
 * (`/usr/bin/python3 scripts/golden/modern_layers.py` prints them), and the diagnostics for the
 * arguments and inputs PyTorch refuses, each naming the values.
 */

interface Case {
  call: string;
  input: Shape;
  output: Shape;
  params: number;
  buffers?: number;
  macs?: number;
}

// Figures from scripts/golden/modern_layers.py (torch 1.13.1).
const CASES: Record<string, Case> = {
  layerNorm: { call: "nn.LayerNorm(768)", input: ["N", 197, 768], output: ["N", 197, 768], params: 1536 },
  layerNormNoAffine: { call: "nn.LayerNorm([8, 4, 4], { elementwiseAffine: false })", input: ["N", 8, 4, 4], output: ["N", 8, 4, 4], params: 0 },
  layerNormLast2: { call: "nn.LayerNorm([4, 4], { eps: 1e-6 })", input: ["N", 8, 4, 4], output: ["N", 8, 4, 4], params: 32 },
  groupNorm: { call: "nn.GroupNorm(4, 32)", input: ["N", 32, 8, 8], output: ["N", 32, 8, 8], params: 64 },
  groupNorm1d: { call: "nn.GroupNorm(2, 6, { affine: false })", input: ["N", 6, 10], output: ["N", 6, 10], params: 0 },
  conv1d: { call: "nn.Conv1d(16, 32, 3, { padding: 1 })", input: ["N", 16, 100], output: ["N", 32, 100], params: 1568, macs: 153600 },
  conv1dGrouped: {
    call: "nn.Conv1d(6, 12, 5, { stride: 2, dilation: 2, groups: 3, bias: false })",
    input: ["N", 6, 50],
    output: ["N", 12, 21],
    params: 120,
    macs: 2520,
  },
  conv1dSame: { call: 'nn.Conv1d(4, 4, 4, { padding: "same" })', input: ["N", 4, 9], output: ["N", 4, 9], params: 68, macs: 576 },
  maxPool1dCeil: { call: "nn.MaxPool1d(3, { stride: 2, padding: 1, ceilMode: true })", input: ["N", 4, 10], output: ["N", 4, 6], params: 0 },
  maxPool1dDilated: { call: "nn.MaxPool1d(2, { dilation: 2 })", input: ["N", 4, 11], output: ["N", 4, 5], params: 0 },
  avgPool1d: { call: "nn.AvgPool1d(3, { stride: 2, padding: 1 })", input: ["N", 8, 100], output: ["N", 8, 50], params: 0 },
  adaptiveAvgPool1d: { call: "nn.AdaptiveAvgPool1d(7)", input: ["N", 8, 37], output: ["N", 8, 7], params: 0 },
  batchNorm1dNCL: { call: "nn.BatchNorm1d(8)", input: ["N", 8, 20], output: ["N", 8, 20], params: 16, buffers: 17 },
  embedding: { call: "nn.Embedding(1000, 64)", input: ["N", 12], output: ["N", 12, 64], params: 64000 },
  embeddingPadding: { call: "nn.Embedding(10, 3, { paddingIdx: -1 })", input: ["N", 4, 5], output: ["N", 4, 5, 3], params: 30 },
  unflatten: { call: "nn.Unflatten(1, [64, 7, 7])", input: ["N", 3136], output: ["N", 64, 7, 7], params: 0 },
  unflattenInferred: { call: "nn.Unflatten(-1, [2, -1])", input: ["N", 3, 8], output: ["N", 3, 2, 4], params: 0 },
  pixelShuffle: { call: "nn.PixelShuffle(3)", input: ["N", 18, 5, 4], output: ["N", 2, 15, 12], params: 0 },
  zeroPad: { call: "nn.ZeroPad2d(2)", input: ["N", 3, 8, 8], output: ["N", 3, 12, 12], params: 0 },
  zeroPadCrop: { call: "nn.ZeroPad2d([1, 0, -1, 2])", input: ["N", 3, 8, 8], output: ["N", 3, 9, 9], params: 0 },
  mish: { call: "nn.Mish()", input: ["N", 5], output: ["N", 5], params: 0 },
  prelu: { call: "nn.PReLU()", input: ["N", 3, 4, 4], output: ["N", 3, 4, 4], params: 1 },
  preluPerChannel: { call: "nn.PReLU(3)", input: ["N", 3, 4, 4], output: ["N", 3, 4, 4], params: 3 },
  // PyTorch's unbatched [C, L]
  conv1dUnbatched: { call: "nn.Conv1d(16, 32, 3)", input: [16, 100], output: [32, 98], params: 1568, macs: 150528 },
  maxPool1dUnbatched: { call: "nn.MaxPool1d(2)", input: [4, 10], output: [4, 5], params: 0 },
  // PyTorch 2.1's LayerNorm(bias=False) (torch 1.13 has no `bias`): the weight only.
  layerNormNoBias: { call: "nn.LayerNorm(16, { bias: false })", input: ["N", 16], output: ["N", 16], params: 16 },
};

const shapeText = (s: Shape): string => `[${s.join(", ")}]`;

function analyze(source: string): FileAnalysis {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-modern-"));
  const file = path.join(dir, "model.ts");
  fs.writeFileSync(file, `import { nn } from "cnn-studio";\n\n${source}`);
  try {
    return new Analyzer().analyzeFile(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("the new layer kinds give PyTorch's shapes, parameters, buffers and MACs", () => {
  const source = Object.entries(CASES)
    .map(([name, c]) => `/** @input ${shapeText(c.input)} */\nexport const ${name} = nn.Sequential(${c.call});\n`)
    .join("\n");
  const a = analyze(source);

  test("no diagnostics", () => assert.deepEqual(a.diagnostics, []));
  for (const [name, c] of Object.entries(CASES)) {
    test(`${name}: ${c.call} on ${shapeText(c.input)}`, () => {
      const m = a.models.find((x) => x.name === name);
      assert.ok(m, `no model ${name}`);
      assert.deepEqual(m.output, c.output);
      const layer = m.layers[0]!;
      assert.deepEqual(layer.output, c.output);
      assert.equal(layer.params, c.params);
      assert.equal(layer.buffers, c.buffers ?? 0);
      assert.equal(layer.macs, c.macs ?? 0, "MACs: Conv1d counts, norms and activations do not (torchvision's convention)");
    });
  }

  test("norms, activations and padding keep a 2-D receptive field; 1-D kinds have none", () => {
    const field = (name: string) => a.models.find((x) => x.name === name)!.layers[0]!.receptiveField;
    assert.deepEqual(field("groupNorm"), { size: [1, 1], jump: [1, 1], start: [0, 0] });
    assert.deepEqual(field("prelu"), { size: [1, 1], jump: [1, 1], start: [0, 0] });
    assert.deepEqual(field("zeroPad"), { size: [1, 1], jump: [1, 1], start: [-2, -2] });
    assert.equal(field("conv1d"), null);
  });
});

// PyTorch's own errors are quoted in scripts/golden/modern_layers.py's output.
const BAD: [string, string, RegExp][] = [
  ["nn.LayerNorm(10)", "[N, 5, 11]", /LayerNorm expects an input of shape \[\*, 10\] \(normalizedShape\) but receives input \[N, 5, 11\]/],
  ["nn.LayerNorm([])", "[N, 5]", /LayerNorm argument 'normalizedShape' must be a positive integer or a non-empty list of them, got \[\]/],
  ["nn.GroupNorm(4, 6)", "[N, 6, 4]", /GroupNorm numChannels \(6\) must be divisible by numGroups \(4\)/],
  ["nn.GroupNorm(2, 8)", "[N, 6, 4]", /GroupNorm expects 8 channels \(numChannels\) but receives 6/],
  ["nn.Conv1d(4, 8, 3)", "[N, 3, 10]", /Conv1d expects 4 input channels but receives 3/],
  ["nn.Conv1d(4, 8, 5)", "[N, 4, 3]", /Conv1d output length would be 0 from input \[N, 4, 3\] with kernel 5/],
  ["nn.Conv1d(4, 8, 3)", "[N, 4, 10, 10]", /Conv1d expects a 3-D or 2-D input \[N, C, L\] or \[C, L\] but receives \[N, 4, 10, 10\]/],
  ["nn.Conv1d(4, 6, 3, { groups: 4 })", "[N, 4, 10]", /Conv1d outChannels \(6\) must be divisible by groups \(4\)/],
  ["nn.Conv1d(4, 6, 3, { padding: [1, 1] })", "[N, 4, 10]", /Conv1d padding must be a non-negative integer, "same" or "valid", got \[1, 1\]/],
  ["nn.MaxPool1d(2, { padding: 2 })", "[N, 4, 10]", /MaxPool1d padding \(2\) should be at most half of the kernel size \(2\)/],
  ["nn.Embedding(10, 3, { paddingIdx: 10 })", "[N, 4]", /Embedding paddingIdx \(10\) must be within numEmbeddings \(10\)/],
  ["nn.Unflatten(1, [5, 5])", "[N, 24]", /Unflatten sizes \[5, 5\] don't multiply up to the size of the dimension \(24\) of input \[N, 24\]/],
  ["nn.Unflatten(1, [-1, -1])", "[N, 24]", /Unflatten sizes \[-1, -1\] may infer only one dimension/],
  ["nn.Unflatten(3, [2, 12])", "[N, 24]", /Unflatten dim 3 is out of range for input \[N, 24\]/],
  ["nn.PixelShuffle(2)", "[N, 6, 4, 4]", /PixelShuffle expects channels divisible by upscaleFactor² \(4\) but receives 6/],
  ["nn.ZeroPad2d([1, 2, 3])", "[N, 3, 8, 8]", /ZeroPad2d argument 'padding' must be an integer or a list of four, got \[1, 2, 3\]/],
  ["nn.ZeroPad2d(-5)", "[N, 3, 8, 8]", /ZeroPad2d padding \(-5, -5, -5, -5\) would make input \[N, 3, 8, 8\] -2×-2/],
  ["nn.PReLU(3)", "[N, 4, 8, 8]", /PReLU has 3 parameters \(numParameters\) but its input has 4 channels/],
];

describe("bad arguments and inputs are diagnostics naming the values", () => {
  for (const [call, input, message] of BAD) {
    test(`${call} on ${input}`, () => {
      const a = analyze(`/** @input ${input} */\nexport const m = nn.Sequential(${call});\n`);
      const errors = a.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
      assert.ok(
        errors.some((e) => message.test(e)),
        `expected ${message} among ${JSON.stringify(errors)}`,
      );
    });
  }

  test("a wrong channel count offers the fix PyTorch's numbers ask for", () => {
    const a = analyze(`/** @input [N, 3, 10] */\nexport const m = nn.Sequential(nn.Conv1d(4, 8, 3));\n`);
    assert.ok(
      a.diagnostics.some((d) => d.fix?.newText === "3"),
      JSON.stringify(a.diagnostics),
    );
  });
});
