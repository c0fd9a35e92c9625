import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyzeSource, messages, onlyModel } from "./helpers";

/** Issue 14.3: built-in modules are classes as well as factories, and classes may extend them. */

describe("built-in modules as classes", () => {
  test("new nn.Kind(...) equals nn.Kind(...) for every kind used here", () => {
    const src = (prefix: string) => `import { nn } from "cnn-studio";
/** @input [N, 3, 8, 8] */
export const net = nn.Sequential(${prefix}nn.Conv2d(3, 8, 3), ${prefix}nn.BatchNorm2d(8), ${prefix}nn.ReLU(), ${prefix}nn.Flatten(), ${prefix}nn.Linear(288, 10));
`;
    const a = onlyModel(src(""));
    const b = onlyModel(src("new "));
    assert.deepEqual(
      b.layers.map((l) => [l.path, l.type, l.output, l.params, l.macs]),
      a.layers.map((l) => [l.path, l.type, l.output, l.params, l.macs]),
    );
    assert.equal(b.params, a.params);
  });

  test("a class extending a built-in kind reads its attributes and tensors, and is a leaf with the kind's parameters", () => {
    const m = onlyModel(`import { nn, type Tensor } from "cnn-studio";
class BatchNorm2dScaled extends nn.BatchNorm2d {
  forward(x: Tensor): Tensor {
    // torch 1.13: weight [8], bias [8], running_mean [8], num_features 8, eps 1e-5
    return x.mul(this.weight!.view(1, this.numFeatures, 1, 1)).add(this.bias!.view(1, -1, 1, 1)).div(this.eps + 1);
  }
}
class WideConv extends nn.Conv2d {
  forward(x: Tensor): Tensor {
    return super.forward(x).mul(this.outChannels / this.inChannels);
  }
}
class Net extends nn.Module {
  conv = new WideConv(3, 8, 3, { padding: 1 });
  bn = new BatchNorm2dScaled(8);
  forward(x: Tensor): Tensor { return this.bn(this.conv(x)); }
}
/** @input [N, 3, 8, 8] */
export const net = new Net();
`);
    // torch 1.13: Conv2d(3, 8, 3) 224 parameters, BatchNorm2d(8) 16 parameters and 17 buffer elements
    assert.deepEqual(
      m.layers.map((l) => [l.path, l.type, l.output, l.params, l.buffers]),
      [
        ["conv", "WideConv", ["N", 8, 8, 8], 224, 0],
        ["bn", "BatchNorm2dScaled", ["N", 8, 8, 8], 16, 17],
      ],
    );
    assert.equal(m.params, 240);
    assert.equal(m.buffers, 17);
    // the convolution's MACs are not lost by the override: super.forward is a Conv2d op in the graph
    assert.ok(m.graph.some((n) => n.kind === "op" && n.type === "Conv2d"));
    assert.deepEqual(
      m.graph.filter((n) => n.kind === "param").map((n) => [n.label, n.type, n.output]),
      [
        ["bn.weight", "Parameter", [8]],
        ["bn.bias", "Parameter", [8]],
      ],
    );
  });

  test("instanceof a built-in kind", () => {
    const m = onlyModel(`import { nn } from "cnn-studio";
class MyConv extends nn.Conv2d {}
const layers = [nn.Conv2d(3, 3, 1), nn.ReLU(), new MyConv(3, 3, 1)];
const n = layers.filter((l) => l instanceof nn.Conv2d).length;
/** @input [N, 3] */
export const net = nn.Sequential(nn.Linear(3, n));
`);
    assert.deepEqual(m.output, ["N", 2]);
  });

  test("a class extending a kind without forward computes the kind's output under the class's name", () => {
    const m = onlyModel(`import { nn } from "cnn-studio";
class MyLinear extends nn.Linear { static tag = "mine"; }
/** @input [N, 4] */
export const net = nn.Sequential(new MyLinear(4, 2, { bias: false }));
`);
    assert.deepEqual(
      m.layers.map((l) => [l.type, l.output, l.params]),
      [["MyLinear", ["N", 2], 8]],
    );
    assert.equal(m.modules[1]!.type, "MyLinear");
  });

  test("diagnostics: bad arguments to a subclass's super are reported like the factory's; extending a function is named", () => {
    const a = analyzeSource(`import { nn, F } from "cnn-studio";
class Bad extends nn.Conv2d {}
const b = new Bad(3);
class Worse extends F.relu {}
`);
    assert.deepEqual(
      messages(a).map((x) => x.replace(/^\d+:\d+ /, "")),
      [
        "Conv2d is missing its required argument 'outChannels'",
        "A class can only extend a class: F.relu is a function (nn.Module, nn.Sequential, the nn layers and your own classes can be extended)",
      ],
    );
  });

  test("super.forward of an extended kind counts the kind's MACs in the subclass's leaf and the model's total", () => {
    const m = onlyModel(`import { nn, ops, type Tensor } from "cnn-studio";
class ScaledConv extends nn.Conv2d {
  forward(x: Tensor): Tensor { return super.forward(x).mul(2); }
}
class FlatLinear extends nn.Linear {
  forward(x: Tensor): Tensor { return super.forward(x.flatten(1)); }
}
class QuietReLU extends nn.ReLU {}
class SE extends ops.SqueezeExcitation {}
class Net extends nn.Module {
  conv = new ScaledConv(3, 8, 3, { padding: 1 });
  act = new QuietReLU();
  se = new SE(8, 2);
  fc = new FlatLinear(512, 10);
  forward(x: Tensor): Tensor { return this.fc(this.se(this.act(this.conv(x)))); }
}
/** @input [N, 3, 8, 8] */
export const net = new Net();
`);
    // Conv2d(3, 8, 3, padding=1) on 8×8: 8·8·8·3·9 = 13,824 MACs; Linear(512, 10): 5,120; SE's 1×1 convs 16 + 16
    assert.deepEqual(
      m.layers.map((l) => [l.path, l.type, l.params, l.macs]),
      [
        ["conv", "ScaledConv", 224, 13824],
        ["act", "QuietReLU", 0, 0],
        ["se.avgpool", "AdaptiveAvgPool2d", 0, 0],
        ["se.fc1", "Conv2d", 18, 16],
        ["se.activation", "ReLU", 0, 0],
        ["se.fc2", "Conv2d", 24, 16],
        ["se.scale_activation", "Sigmoid", 0, 0],
        ["fc", "FlatLinear", 5130, 5120],
      ],
    );
    assert.equal(m.macs, 13824 + 16 + 16 + 5120);
  });
});
