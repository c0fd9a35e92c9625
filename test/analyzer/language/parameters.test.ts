import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyzeSource, messages, moduleModel, onlyModel } from "./helpers";

/** Issue 14.2: nn.Parameter, registerBuffer, tensor creation, initialisers; totals against torch 1.13. */

const NET = moduleModel(
  `  conv = nn.Conv2d(3, 8, 3, { padding: 1 });
  scale = new LayerScale();
  posEmbedding = nn.Parameter(torch.zeros(1, 8, 8, 8));
  frozenBias = nn.Parameter(torch.zeros([8, 1, 1]), { requiresGrad: false });
  constructor() {
    super();
    this.registerBuffer("mask", torch.ones(1, 1, 8, 8));
    this.registerBuffer("tmp", torch.zeros(3), false);
    nn.init.kaimingNormal_(this.conv.weight, { mode: "fan_out", nonlinearity: "relu" });
  }
  forward(x: Tensor): Tensor {
    x = this.conv(x).add(this.posEmbedding);
    x = this.scale(x);
    return x.add(this.frozenBias).mul(this.mask);
  }`,
  "[N, 3, 8, 8]",
  `class LayerScale extends nn.Module {
  gamma = nn.Parameter(torch.full([8, 1, 1], 1e-6));
  forward(x: Tensor): Tensor { return x.mul(this.gamma); }
}`,
);

describe("parameters and buffers", () => {
  test("totals equal torch 1.13's: 752 parameters, 744 trainable, 67 buffer elements", () => {
    // /usr/bin/python3: sum(p.numel() for p in n.parameters()) == 752, requires_grad only 744, buffers 67
    const m = onlyModel(NET);
    assert.equal(m.params, 752);
    assert.equal(m.trainableParams, 744);
    assert.equal(m.buffers, 67);
    assert.deepEqual(m.output, ["N", 8, 8, 8]);
  });

  test("a module that owns parameters and no children is a leaf with them", () => {
    const m = onlyModel(NET);
    assert.deepEqual(
      m.layers.map((l) => [l.path, l.type, l.params, l.trainableParams, l.output]),
      [
        ["conv", "Conv2d", 224, 224, ["N", 8, 8, 8]],
        ["scale", "LayerScale", 8, 8, ["N", 8, 8, 8]],
      ],
    );
  });

  test("declared tensors are recorded on their module with shapes, roles and initialisation", () => {
    const m = onlyModel(NET);
    const root = m.modules.find((x) => x.path === "")!;
    assert.deepEqual(root.declaredTensors, [
      { name: "posEmbedding", role: "parameter", shape: [1, 8, 8, 8], requiresGrad: true, persistent: true, init: { kind: "const", value: 0 } },
      { name: "frozenBias", role: "parameter", shape: [8, 1, 1], requiresGrad: false, persistent: true, init: { kind: "const", value: 0 } },
      { name: "mask", role: "buffer", shape: [1, 1, 8, 8], requiresGrad: false, persistent: true, init: { kind: "const", value: 1 } },
      { name: "tmp", role: "buffer", shape: [3], requiresGrad: false, persistent: false, init: { kind: "const", value: 0 } },
    ]);
    assert.deepEqual(m.modules.find((x) => x.path === "scale")!.declaredTensors, [
      { name: "gamma", role: "parameter", shape: [8, 1, 1], requiresGrad: true, persistent: true, init: { kind: "const", value: 1e-6 } },
    ]);
    // kaiming_normal_(fan_out, relu): std = sqrt(2) / sqrt(8 * 3 * 3) = 0.16666... (torch 1.13: calculate_gain / sqrt(fan_out))
    const conv = m.modules.find((x) => x.path === "conv")!;
    assert.equal(conv.initialisers?.weight?.kind, "normal");
    const w = conv.initialisers!.weight as { mean: number; std: number };
    assert.ok(Math.abs(w.std - 0.16666666666666669) < 1e-12);
    assert.equal(conv.initialisers!.bias, undefined);
  });

  test("forward reads a parameter as a tensor with a 'param' graph node (one per parameter)", () => {
    const m = onlyModel(NET);
    const params = m.graph.filter((n) => n.kind === "param");
    assert.deepEqual(
      params.map((n) => [n.label, n.type, n.output, n.attrs.role]),
      [
        ["posEmbedding", "Parameter", [1, 8, 8, 8], "parameter"],
        ["scale.gamma", "Parameter", [8, 1, 1], "parameter"],
        ["frozenBias", "Parameter", [8, 1, 1], "parameter"],
        ["mask", "Buffer", [1, 1, 8, 8], "buffer"],
      ],
    );
    const add = m.graph.find((n) => n.kind === "op" && n.label === "add")!;
    assert.equal(m.graph[add.inputs[1]!]!.label, "posEmbedding");
  });

  test("in-place initialisers and nn.init.* set the declared initialisation", () => {
    const m = onlyModel(
      moduleModel(
        `  a = nn.Parameter(torch.empty(4, 2).normal_(0, 0.02));
  b = nn.Parameter(torch.empty(4, 2));
  c = nn.Parameter(torch.zeros(4));
  d = nn.Parameter(torch.randn(4));
  e = nn.Parameter(torch.rand(2, 2));
  f = nn.Parameter(torch.empty(16, 8));
  g = nn.Parameter(torch.empty(16, 8));
  constructor() {
    super();
    nn.init.truncNormal_(this.b, { std: 0.02 });
    this.c.fill_(3);
    nn.init.uniform_(this.d, -1, 1);
    nn.init.trunc_normal_(this.e, 0, 1, -1, 1);
    nn.init.kaimingUniform_(this.f);
    nn.init.xavierUniform_(this.g);
  }
  forward(x: Tensor) { return x; }`,
      ),
    );
    const inits = Object.fromEntries(m.modules[0]!.declaredTensors!.map((t) => [t.name, t.init]));
    assert.deepEqual(inits.a, { kind: "normal", mean: 0, std: 0.02 });
    assert.deepEqual(inits.b, { kind: "truncNormal", mean: 0, std: 0.02, a: -2, b: 2 });
    assert.deepEqual(inits.c, { kind: "const", value: 3 });
    assert.deepEqual(inits.d, { kind: "uniform", low: -1, high: 1 });
    assert.deepEqual(inits.e, { kind: "truncNormal", mean: 0, std: 1, a: -1, b: 1 });
    // torch 1.13: kaiming_uniform_ default (a=0, leaky_relu, fan_in 8): bound = sqrt(2) * sqrt(3 / 8) = 0.8660254037844386
    assert.ok(inits.f?.kind === "uniform" && Math.abs(inits.f.high - 0.8660254037844386) < 1e-12);
    // xavier_uniform_: sqrt(6 / (16 + 8)) = 0.5
    assert.ok(inits.g?.kind === "uniform" && Math.abs(inits.g.high - 0.5) < 1e-12);
  });

  test("mul_/div_/add_/sub_ by a number in a constructor change the declared values (ConvNeXt's layer scale)", () => {
    const m = onlyModel(
      moduleModel(
        `  layerScale = nn.Parameter(torch.ones(8, 1, 1).mul_(1e-6));
  shifted = nn.Parameter(torch.randn(4).mul_(0.5).add_(1));
  forward(x: Tensor) { return x; }`,
      ),
    );
    const inits = Object.fromEntries(m.modules[0]!.declaredTensors!.map((t) => [t.name, t.init]));
    assert.deepEqual(inits.layerScale, { kind: "const", value: 1e-6 });
    assert.deepEqual(inits.shifted, { kind: "normal", mean: 1, std: 0.5 });
  });

  test("requiresGrad_(false) on the module makes its declared parameters non-trainable", () => {
    const m = onlyModel(
      moduleModel(
        `  inner = new Scale();
  constructor() { super(); this.inner.requiresGrad_(false); }
  forward(x: Tensor) { return this.inner(x); }`,
        "[N, 4]",
        `class Scale extends nn.Module { w = nn.Parameter(torch.ones(4)); forward(x: Tensor) { return x.mul(this.w); } }`,
      ),
    );
    assert.equal(m.params, 4);
    assert.equal(m.trainableParams, 0);
  });
});

describe("tensor creation", () => {
  const shapes: [string, (string | number)[]][] = [
    ["torch.zeros(2, 3)", [2, 3]],
    ["torch.ones([4])", [4]],
    ["torch.empty(1, 2, 3)", [1, 2, 3]],
    ["torch.full([2, 2], 7)", [2, 2]],
    ["torch.randn(5, { dtype: 'float32' })", [5]],
    ["torch.rand(3, 1)", [3, 1]],
    ["torch.arange(7)", [7]],
    ["torch.arange(2, 11, 3)", [3]],
    ["torch.linspace(0, 1, 5)", [5]],
    ["torch.eye(3)", [3, 3]],
    ["torch.eye(3, 4)", [3, 4]],
    ["torch.stack([torch.zeros(2, 3), torch.zeros(2, 3)], 1)", [2, 2, 3]],
    ["torch.stack(torch.meshgrid([torch.arange(3), torch.arange(4)], { indexing: 'ij' }))", [2, 3, 4]],
    ["torch.meshgrid(torch.arange(3), torch.arange(4), { indexing: 'xy' })[0]", [4, 3]],
  ];
  for (const [expr, shape] of shapes) {
    test(`${expr} has shape [${shape.join(", ")}] (torch 1.13)`, () => {
      const m = onlyModel(moduleModel(`  t = nn.Parameter(${expr});\n  forward(x: Tensor) { return x; }`, "[N, 1]"));
      assert.deepEqual(m.modules[0]!.declaredTensors![0]!.shape, shape);
    });
  }

  test("inside forward a creation is a graph operation with the batch from the input", () => {
    const m = onlyModel(moduleModel(`  forward(x: Tensor) { return x.add(torch.zeros(x.size(0), 1, 8, 8)); }`));
    assert.deepEqual(m.output, ["N", 3, 8, 8]);
    const op = m.graph.find((n) => n.label === "zeros")!;
    assert.equal(op.kind, "op");
    assert.deepEqual(op.attrs, { size: ["N", "1", "8", "8"], value: 0 });
  });
});

describe("diagnostics of parameters", () => {
  const cases: [string, string, string][] = [
    ["nn.Parameter of a number", `p = nn.Parameter(3);`, "nn.Parameter expects a tensor (torch.zeros(...), torch.randn(...), ...), got 3"],
    ["nn.Parameter with an unknown option", `p = nn.Parameter(torch.zeros(2), { grad: true });`, "nn.Parameter has no option 'grad' (it has requiresGrad)"],
    ["registerBuffer of a number", `constructor() { super(); this.registerBuffer("b", 3); }`, "registerBuffer expects a tensor (or null), got 3"],
    ["a negative size", `p = nn.Parameter(torch.zeros(2, -1));`, "torch.zeros sizes must be non-negative integers, got -1"],
    [
      "kaiming on a vector",
      `p = nn.Parameter(torch.zeros(4)); constructor() { super(); nn.init.kaimingNormal_(this.p); }`,
      "nn.init.kaimingNormal_: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions ([4])",
    ],
    ["an unknown initialiser", `constructor() { super(); nn.init.orthogonal_(torch.zeros(2, 2)); }`, "nn.init.orthogonal_ is not part of the model language"],
    [
      "an unknown kaiming mode",
      `p = nn.Parameter(torch.zeros(4, 4)); constructor() { super(); nn.init.kaimingNormal_(this.p, { mode: "fan_avg" }); }`,
      `nn.init.kaimingNormal_ mode must be "fan_in" or "fan_out", got "fan_avg"`,
    ],
  ];
  for (const [name, body, message] of cases) {
    test(name, () => {
      const a = analyzeSource(moduleModel(`  ${body}\n  forward(x: Tensor) { return x; }`));
      assert.deepEqual(
        messages(a).map((x) => x.replace(/^\d+:\d+ /, "")),
        [message],
      );
    });
  }
});
