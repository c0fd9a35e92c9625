import assert from "node:assert/strict";
import { test } from "node:test";
import { exportSource } from "./helpers";

/** Issue 14: ops.* → torchvision.ops.*, nn.MultiheadAttention's call options → PyTorch's keywords. */

const SOURCE = `import { nn, ops, type Tensor } from "cnn-studio";

class Block extends nn.Module {
  attn = nn.MultiheadAttention(8, 2, { batchFirst: true, kdim: 4 });
  se = ops.SqueezeExcitation(8, 2, { scaleActivation: nn.Hardsigmoid });
  conv = ops.Conv2dNormActivation(8, 8, { kernelSize: 3, normLayer: null, inplace: null });
  drop = ops.StochasticDepth(0.2, "row");
  forward(x: Tensor, q: Tensor, k: Tensor): Tensor {
    const [y] = this.attn(q, k, k, { needWeights: false, averageAttnWeights: false });
    return this.drop(this.conv(this.se(x))).mean([2, 3]).add(y.mean([1]));
  }
}

/**
 * @input [N, 8, 4, 4]
 * @input [N, 3, 8]
 * @input [N, 5, 4]
 */
export const block = new Block();
`;

test("ops blocks export to torchvision.ops with snake_case keywords (inplace kept), attention options to keywords", () => {
  const r = exportSource({ "model.ts": SOURCE });
  assert.deepEqual(r.diagnostics, []);
  const lines = r.code.split("\n").map((l) => l.trim());
  assert.ok(lines.includes("import torchvision"), r.code);
  for (const line of [
    "self.attn = nn.MultiheadAttention(8, 2, batch_first=True, kdim=4)",
    "self.se = torchvision.ops.SqueezeExcitation(8, 2, scale_activation=nn.Hardsigmoid)",
    "self.conv = torchvision.ops.Conv2dNormActivation(8, 8, kernel_size=3, norm_layer=None, inplace=None)",
    'self.drop = torchvision.ops.StochasticDepth(0.2, "row")',
    "y, _ = self.attn(q, k, k, need_weights=False, average_attn_weights=False)",
  ])
    assert.ok(lines.includes(line), `${line} in\n${r.code}`);
});

test("a file without ops does not import torchvision", () => {
  const r = exportSource({ "model.ts": 'import { nn } from "cnn-studio";\n\n/** @input [N, 4] */\nexport const m = nn.Linear(4, 2);\n' });
  assert.ok(!r.code.includes("torchvision"), r.code);
});
