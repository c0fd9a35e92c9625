// Built-in modules are classes as well as factories (the contract's Version 2): `new nn.Kind(...)`,
// `class X extends nn.Kind` overriding `forward` and reading the attributes PyTorch has, `instanceof`.
import { nn, ops, type Tensor } from "cnn-studio";

/** A convolution whose output is scaled by its channel ratio. */
class ScaledConv extends nn.Conv2d {
  forward(x: Tensor): Tensor {
    return super.forward(x).mul(this.outChannels / this.inChannels);
  }
}

/** BatchNorm2d applied by hand from its own attributes (torchvision's FrozenBatchNorm2d). */
class FrozenBatchNorm2d extends nn.BatchNorm2d {
  forward(x: Tensor): Tensor {
    const scale = this.weight!.view(1, this.numFeatures, 1, 1);
    return x.mul(scale).add(this.bias!.view(1, -1, 1, 1));
  }
}

/** A Linear layer that flattens first. */
class FlatLinear extends nn.Linear {
  forward(x: Tensor): Tensor {
    return super.forward(x.flatten(1));
  }
}

/** A named chain, like torchvision's Conv2dNormActivation. */
class ConvBnReLU extends nn.Sequential {
  constructor(inChannels: number, outChannels: number) {
    super(new nn.Conv2d(inChannels, outChannels, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(outChannels), new nn.ReLU({ inplace: true }));
  }
}

class QuietReLU extends nn.ReLU {}
class Pool extends nn.MaxPool2d {}
class SE extends ops.SqueezeExcitation {}

class Net extends nn.Module {
  stem = new ConvBnReLU(3, 8);
  conv = new ScaledConv(8, 16, 3, { padding: 1 });
  bn = new FrozenBatchNorm2d(16);
  act = new QuietReLU();
  se = new SE(16, 4);
  pool = new Pool(2);
  gap = new nn.AdaptiveAvgPool2d(1);
  fc = new FlatLinear(16, 10);
  forward(x: Tensor): Tensor {
    return this.fc(this.gap(this.pool(this.se(this.act(this.bn(this.conv(this.stem(x))))))));
  }
}

const conv: nn.Conv2d = new ScaledConv(3, 3, 1);
export const isConv = conv instanceof nn.Conv2d;

/** @input [N, 3, 16, 16] */
export const builtinClassesNet = new Net();
