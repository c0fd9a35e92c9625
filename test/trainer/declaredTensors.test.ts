import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type * as tfc from "@tensorflow/tfjs-core";
import { selectBackend } from "../../src/trainer/model/backend";
import { compileModel } from "../../src/trainer/model/compile";
import type { TF } from "../../src/trainer/model/types";
import { moduleModel, onlyModel } from "../analyzer/language/helpers";

/** Issue 14.2: the trainer creates the parameters and buffers a model declares, initialised as declared. */

let tf: TF;
before(async () => {
  const sel = await selectBackend("wasm", { strict: true });
  assert.ok(sel.ok);
  tf = sel.tf;
});

const SOURCE = moduleModel(
  `  conv = nn.Conv2d(3, 8, 3, { padding: 1 });
  scale = new LayerScale();
  posEmbedding = nn.Parameter(torch.empty(1, 8, 8, 8).normal_(0, 0.02));
  frozenBias = nn.Parameter(torch.zeros([8, 1, 1]), { requiresGrad: false });
  constructor() {
    super();
    this.registerBuffer("mask", torch.ones(1, 1, 8, 8));
    this.registerBuffer("tmp", torch.zeros(3), false);
    nn.init.kaimingNormal_(this.conv.weight, { mode: "fan_out", nonlinearity: "relu" });
    nn.init.zeros_(this.conv.bias);
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

function stats(v: tfc.Tensor): { mean: number; std: number } {
  const d = [...v.dataSync()];
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  return { mean, std: Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length) };
}

describe("declared parameters and buffers in the trainer", () => {
  test("state_dict order (own parameters, own buffers, then children), trainability, initial values, forward", () => {
    const c = compileModel(tf, onlyModel(SOURCE), { seed: 3 });
    try {
      // torch 1.13's state_dict keys: pos_embedding, frozen_bias, mask, conv.weight, conv.bias, scale.gamma
      assert.deepEqual([...c.parameters.keys()], ["posEmbedding", "frozenBias", "conv.weight", "conv.bias", "scale.gamma"]);
      assert.deepEqual([...c.buffers.keys()], ["mask"]);
      assert.deepEqual(
        [...c.parameters].filter(([, v]) => !v.trainable).map(([n]) => n),
        ["frozenBias"],
      );
      const p = (n: string): tfc.Variable => c.parameters.get(n)!;
      assert.ok(Math.abs(stats(p("posEmbedding")).std - 0.02) < 0.003, `std ${stats(p("posEmbedding")).std}`);
      assert.ok(Math.abs(stats(p("conv.weight")).std - 1 / 6) < 0.03, `std ${stats(p("conv.weight")).std}`);
      assert.deepEqual([...p("conv.bias").dataSync()], new Array(8).fill(0));
      assert.ok([...p("scale.gamma").dataSync()].every((x) => Math.abs(x - 1e-6) < 1e-12));
      assert.deepEqual([...c.buffers.get("mask")!.dataSync()], new Array(64).fill(1));
      const y = c.apply([tf.ones([2, 3, 8, 8])], false);
      assert.deepEqual(y.shape, [2, 8, 8, 8]);
      y.dispose();
    } finally {
      c.dispose();
    }
  });
});

describe("object outputs in the trainer (issue 14.4)", () => {
  const seg = (keys: [string, string]) =>
    moduleModel(
      `  backbone = nn.Conv2d(3, 8, 3, { padding: 1 });
  head = nn.Conv2d(8, 5, 1);
  aux = nn.Conv2d(8, 2, 1);
  forward(x: Tensor) {
    const f = this.backbone(x);
    return { ${keys[1]}: this.aux(f), ${keys[0]}: this.head(f) };
  }`,
      "[N, 3, 8, 8]",
    );

  test("an object output trains its 'out'", () => {
    const c = compileModel(tf, onlyModel(seg(["out", "aux"])), { seed: 1 });
    try {
      const y = c.apply([tf.ones([2, 3, 8, 8])], false);
      assert.deepEqual(y.shape, [2, 5, 8, 8]);
      y.dispose();
    } finally {
      c.dispose();
    }
  });

  test("an object without 'out' is a compile error naming its keys", () => {
    assert.throws(() => compileModel(tf, onlyModel(seg(["logits", "features"])), { seed: 1 }), {
      message: "net returns an object { features, logits }; the trainer trains the tensor named 'out'",
    });
  });
});
