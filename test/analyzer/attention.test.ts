import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import ts = require("typescript");
import { Analyzer } from "../../src/analyzer/index";
import { USER_COMPILER_OPTIONS } from "../helpers/userCompilerOptions";
import type { FileAnalysis, ModelAnalysis } from "../../src/shared/analysis";

/**
 * Issue 14: nn.MultiheadAttention (a call with query, key, value and options that returns
 * `[output, weights]`) and torchvision's `ops` blocks. Figures from torch 1.13 / torchvision 0.14.
 */

function write(source: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-attention-"));
  const file = path.join(dir, "model.ts");
  fs.writeFileSync(file, source);
  return file;
}

function analyze(source: string): FileAnalysis {
  return new Analyzer().analyzeFile(write(source));
}

/** The type errors of a model file compiled against the typings as a strict user project would. */
function typeErrors(source: string): string[] {
  const program = ts.createProgram([write(source)], USER_COMPILER_OPTIONS);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, " "));
}

function model(r: FileAnalysis, name: string): ModelAnalysis {
  const m = r.models.find((x) => x.name === name);
  assert.ok(m, `no model ${name}: ${JSON.stringify(r.diagnostics)}`);
  return m;
}

const ATTENTION = `import { nn, type Tensor } from "cnn-studio";

class SelfAttention extends nn.Module {
  attn = nn.MultiheadAttention(768, 12, { batchFirst: true });
  forward(x: Tensor): Tensor[] {
    const [y, w] = this.attn(x, x, x);
    const [, perHead] = this.attn(x, x, x, { averageAttnWeights: false });
    const [z, none] = this.attn(y, y, y, { needWeights: false });
    return none === null ? [z, w!, perHead!] : [];
  }
}

class CrossAttention extends nn.Module {
  attn = nn.MultiheadAttention(8, 2, { kdim: 4, vdim: 6 });
  forward(q: Tensor, k: Tensor, v: Tensor): Tensor[] {
    const [y, w] = this.attn(q, k, v, { keyPaddingMask: null });
    return [y, w!];
  }
}

/** @input [N, 197, 768] */
export const vitBlock = new SelfAttention();

/**
 * @input [5, 3, 8]
 * @input [7, 3, 4]
 * @input [7, 3, 6]
 */
export const cross = new CrossAttention();

/**
 * @input [5, 8]
 * @input [7, 4]
 * @input [7, 6]
 */
export const unbatched = new CrossAttention();
`;

describe("nn.MultiheadAttention", () => {
  const r = analyze(ATTENTION);

  test("returns [output, weights] like PyTorch's tuple: [N, L, S] averaged, [N, heads, L, S] per head, null without weights", () => {
    assert.deepEqual(r.diagnostics, []);
    const m = model(r, "vitBlock");
    assert.deepEqual(m.output, [
      ["N", 197, 768],
      ["N", 197, 197],
      ["N", 12, 197, 197],
    ]);
  });

  test("is one leaf with PyTorch's parameters (2,362,368 for 768 / 12) and MACs of projections plus Q·Kᵀ and A·V", () => {
    const m = model(r, "vitBlock");
    assert.equal(m.layers.length, 3);
    const l = m.layers[0]!;
    assert.equal(l.path, "attn");
    assert.equal(l.type, "MultiheadAttention");
    assert.equal(l.params, 2_362_368);
    assert.deepEqual(l.inputs, [
      ["N", 197, 768],
      ["N", 197, 768],
      ["N", 197, 768],
    ]);
    // 4 projections 4·197·768² = 464,781,312 plus the products 2·197²·768 = 59,610,624 (batch 1)
    assert.equal(l.macs, 464_781_312 + 59_610_624);
    assert.equal(m.params, 2_362_368, "the module's parameters count once for three calls");
    assert.deepEqual(
      m.modules.map((x) => [x.path, x.type, x.params]),
      [
        ["", "SelfAttention", 2_362_368],
        ["attn", "MultiheadAttention", 2_362_368],
        ["attn.out_proj", "NonDynamicallyQuantizableLinear", 768 * 768 + 768],
      ],
      "named_modules() as PyTorch lists them",
    );
    assert.deepEqual(l.receptiveField, { wholeInput: true }, "attention mixes every token: the whole input");
  });

  test("kdim and vdim give separate projection weights (240 parameters) and [L, N, E] / [N, L, S] shapes", () => {
    const m = model(r, "cross");
    assert.deepEqual(m.output, [
      [5, 3, 8],
      [3, 5, 7],
    ]);
    assert.equal(m.params, 240);
    // 3·(5·8·8 + 7·4·8 + 7·6·8 + 5·8·8) + 3·2·5·7·8
    assert.equal(m.layers[0]!.macs, 3 * (320 + 224 + 336 + 320) + 3 * 2 * 5 * 7 * 8);
    assert.deepEqual(model(r, "unbatched").output, [
      [5, 8],
      [5, 7],
    ]);
  });

  test("the graph has the module node with its three inputs and an item node for the weights", () => {
    const m = model(r, "cross");
    const node = m.graph.find((n) => n.type === "MultiheadAttention")!;
    assert.equal(node.inputs.length, 3);
    assert.equal(node.attrs.needWeights, true);
    const item = m.graph.find((n) => n.type === "item")!;
    assert.deepEqual(item.inputs, [node.id]);
    assert.deepEqual(item.attrs, { index: 1 });
  });

  test("the calls type-check: attn(q, k, v, opts?) is [Tensor, Tensor | null]", () => {
    assert.deepEqual(typeErrors(ATTENTION), []);
    assert.ok(typeErrors(ATTENTION.replace("return [y, w!];", "return [y, w];")).some((m) => /null/.test(m)));
  });

  test("wrong features, batch, masks, options and heads are diagnostics naming the values", () => {
    const bad = analyze(`import { nn, torch, type Tensor } from "cnn-studio";
class A extends nn.Module {
  attn = nn.MultiheadAttention(8, 2);
  forward(x: Tensor): Tensor {
    const [y] = this.attn(x, x, x);
    return y;
  }
}
class B extends nn.Module {
  attn = nn.MultiheadAttention(8, 2);
  forward(x: Tensor): Tensor {
    const [y] = this.attn(x, x, x, { needWeight: false });
    return y;
  }
}
class C extends nn.Module {
  attn = nn.MultiheadAttention(8, 2);
  forward(x: Tensor, m: Tensor): Tensor {
    const [y] = this.attn(x, x, x, { keyPaddingMask: m });
    return y;
  }
}
/** @input [5, 3, 6] */
export const a = new A();
/** @input [5, 3, 8] */
export const b = new B();
/**
 * @input [5, 3, 8]
 * @input [3, 4]
 */
export const c = new C();
export const heads = nn.MultiheadAttention(10, 3);
`);
    const messages = bad.diagnostics.map((d) => d.message);
    assert.ok(
      messages.some((m) => /expects query features 8 \(embedDim\) but receives 6/.test(m)),
      messages.join("\n"),
    );
    assert.ok(
      messages.some((m) => /has no call option 'needWeight'/.test(m)),
      messages.join("\n"),
    );
    assert.ok(
      messages.some((m) => /keyPaddingMask must be \[3, 5\].*got \[3, 4\]/.test(m)),
      messages.join("\n"),
    );
    assert.ok(
      messages.some((m) => /embedDim \(10\) must be divisible by numHeads \(3\)/.test(m)),
      messages.join("\n"),
    );
  });
});

describe("ViT-B/16's attention and MLP MACs", () => {
  // torchvision's vit_b_16 (LayerNorms have no MACs in its count): 12 encoder blocks over 197 tokens of 768.
  const r = analyze(`import { nn, ops, type Tensor } from "cnn-studio";
class Block extends nn.Module {
  self_attention = nn.MultiheadAttention(768, 12, { batchFirst: true });
  mlp = ops.MLP(768, [3072, 768], { activationLayer: nn.GELU, inplace: null });
  forward(x: Tensor): Tensor {
    const [y] = this.self_attention(x, x, x, { needWeights: false });
    const z = x.add(y);
    return z.add(this.mlp(z));
  }
}
class Encoder extends nn.Module {
  layers = nn.Sequential(...Array.from({ length: 12 }, () => new Block()));
  forward(x: Tensor): Tensor {
    return this.layers(x);
  }
}
/** @input [N, 197, 768] */
export const encoder = new Encoder();
`);

  test("with conv_proj (115,605,504) and the head (768,000) they give torchvision's 17.56 G, 16.85 G without Q·Kᵀ and A·V", () => {
    const m = model(r, "encoder");
    const blocks = BigInt(m.macs);
    assert.equal(blocks, 12n * (524_391_936n + 929_562_624n));
    const total = blocks + 115_605_504n + 768_000n;
    assert.equal(total, 17_563_828_224n);
    const products = 12n * 2n * 197n * 197n * 768n;
    assert.equal(((total - products) / 10_000_000n).toString(), "1684", "16.85 G (16.848...) without the attention products");
    assert.equal(m.params, 12 * (2_362_368 + 4_722_432));
  });
});

const OPS = `import { nn, ops, type Tensor } from "cnn-studio";

class Block extends nn.Module {
  stem = ops.Conv2dNormActivation(16, 32, { stride: 2 });
  se = ops.SqueezeExcitation(32, 8);
  proj = ops.Conv2dNormActivation(32, 32, { kernelSize: 1, normLayer: null, activationLayer: nn.Hardswish });
  drop = ops.StochasticDepth(0.1, "row");
  toLast = ops.Permute([0, 2, 3, 1]);
  mlp = ops.MLP(32, [20, 30], { dropout: 0.1 });
  forward(x: Tensor): Tensor {
    const y = this.drop(this.proj(this.se(this.stem(x))));
    return this.mlp(this.toLast(y));
  }
}

/** @input [N, 16, 8, 8] */
export const block = new Block();
`;

describe("ops: torchvision's building blocks", () => {
  const r = analyze(OPS);

  test("have torchvision 0.14's children, names and parameters", () => {
    assert.deepEqual(r.diagnostics, []);
    const m = model(r, "block");
    assert.deepEqual(m.output, ["N", 4, 4, 30]);
    const paths = m.layers.map((l) => `${l.path}:${l.type}`);
    assert.deepEqual(paths, [
      "stem.0:Conv2d",
      "stem.1:BatchNorm2d",
      "stem.2:ReLU",
      "se.avgpool:AdaptiveAvgPool2d",
      "se.fc1:Conv2d",
      "se.activation:ReLU",
      "se.fc2:Conv2d",
      "se.scale_activation:Sigmoid",
      "proj.0:Conv2d",
      "proj.1:Hardswish",
      "drop:StochasticDepth",
      "toLast:Permute",
      "mlp.0:Linear",
      "mlp.1:ReLU",
      "mlp.2:Dropout",
      "mlp.3:Linear",
      "mlp.4:Dropout",
    ]);
    const params = (prefix: string): number => m.layers.filter((l) => l.path.startsWith(prefix)).reduce((a, l) => a + Number(l.params), 0);
    assert.equal(params("stem."), 4672, "Conv2dNormActivation(16, 32, stride=2): 4,608 + 64 (bias=False with a norm)");
    assert.equal(params("se."), 32 * 8 + 8 + 8 * 32 + 32, "fc1 and fc2 with biases (torchvision: SqueezeExcitation(64, 16) has 2,128)");
    assert.equal(params("proj."), 32 * 32 + 32, "no norm: the convolution has a bias");
    assert.equal(params("mlp."), 32 * 20 + 20 + 20 * 30 + 30, "torchvision: MLP(10, [20, 30]) has 850");
    const stem = m.layers[0]!;
    assert.equal(stem.description, "Conv2d(16, 32, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)");
    assert.equal(m.layers.find((l) => l.type === "StochasticDepth")!.description, "StochasticDepth(p=0.1, mode=row)");
    assert.deepEqual(
      m.modules.map((x) => `${x.path}:${x.type}`).filter((p) => !p.includes(".")),
      [":Block", "stem:Conv2dNormActivation", "se:SqueezeExcitation", "proj:Conv2dNormActivation", "drop:StochasticDepth", "toLast:Permute", "mlp:MLP"],
    );
  });

  test("the blocks type-check with the typings", () => {
    assert.deepEqual(typeErrors(OPS), []);
  });

  test("SqueezeExcitation multiplies its input by the scale; Permute checks its dims", () => {
    const m = model(r, "block");
    const se = m.layers.find((l) => l.path === "se.scale_activation")!;
    assert.deepEqual(se.output, ["N", 32, 1, 1]);
    assert.ok(m.graph.some((n) => n.kind === "op" && n.label === "mul"));
    const bad = analyze(`import { ops } from "cnn-studio";
/** @input [N, 3, 4, 4] */
export const p = ops.Permute([0, 2, 1]);
/** @input [N, 3, 4, 4] */
export const q = ops.Conv2dNormActivation(3, 8, { kernel: 3 });
/** @input [N, 8, 4, 4] */
export const s = ops.SqueezeExcitation(8, 2, { activation: 5 });
`);
    const messages = bad.diagnostics.map((d) => d.message);
    assert.ok(
      messages.some((x) => /Permute's dims \[0, 2, 1\] must be a permutation of the 4 dimensions/.test(x)),
      messages.join("\n"),
    );
    assert.ok(
      messages.some((x) => /ops.Conv2dNormActivation has no option 'kernel'/.test(x)),
      messages.join("\n"),
    );
    assert.ok(
      messages.some((x) => /activation must be a module factory such as nn.ReLU, got 5/.test(x)),
      messages.join("\n"),
    );
  });
});
