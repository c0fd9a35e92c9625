import { nn, torch, type Tensor } from "cnn-studio";

/** Convolution (no bias), BatchNorm and ReLU with "same" padding, as one Sequential. */
export class ConvBNReLU extends nn.Sequential {
  constructor(inChannels: number, outChannels: number, kernelSize: number = 3, stride: number = 1, groups: number = 1) {
    const padding = Math.floor((kernelSize - 1) / 2);
    super(
      nn.Conv2d(inChannels, outChannels, kernelSize, { stride, padding, groups, bias: false }),
      nn.BatchNorm2d(outChannels),
      nn.ReLU({ inplace: true }),
    );
  }
}

/**
 * Depthwise separable convolution (MobileNet v1's building block): a 3×3 depthwise convolution
 * (one filter per input channel, carrying the stride) then a 1×1 pointwise convolution that
 * mixes channels, each followed by BatchNorm and ReLU.
 */
export class DepthwiseSeparableConv extends nn.Module {
  readonly depthwise: nn.Sequential;
  readonly pointwise: nn.Sequential;

  constructor(inChannels: number, outChannels: number, stride: number) {
    super();
    this.depthwise = new ConvBNReLU(inChannels, inChannels, 3, stride, inChannels);
    this.pointwise = new ConvBNReLU(inChannels, outChannels, 1);
  }

  forward(x: Tensor): Tensor {
    return this.pointwise(this.depthwise(x));
  }
}

/**
 * MobileNet v1 (Howard et al., 2017): a standard 3×3 stride-2 convolution followed by 13
 * depthwise separable convolutions (Table 1 of the paper), global average pooling and a linear
 * classifier. `widthMult` is the paper's width multiplier α.
 */
export class MobileNetV1 extends nn.Module {
  readonly features: nn.Sequential;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly classifier: nn.Linear;

  constructor(numClasses: number = 1000, widthMult: number = 1.0) {
    super();
    // [output channels, stride] of the depthwise separable layers
    const cfg: [number, number][] = [
      [64, 1],
      [128, 2], [128, 1],
      [256, 2], [256, 1],
      [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1],
      [1024, 2], [1024, 1],
    ];
    let inputChannel = Math.floor(32 * widthMult);
    const layers: nn.Module[] = [new ConvBNReLU(3, inputChannel, 3, 2)];
    for (const [c, s] of cfg) {
      const outputChannel = Math.floor(c * widthMult);
      layers.push(new DepthwiseSeparableConv(inputChannel, outputChannel, s));
      inputChannel = outputChannel;
    }
    this.features = nn.Sequential(...layers);
    this.avgpool = nn.AdaptiveAvgPool2d(1);
    this.classifier = nn.Linear(inputChannel, numClasses);
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);     // N × 1024 × 7 × 7
    x = this.avgpool(x);      // N × 1024 × 1 × 1
    x = torch.flatten(x, 1);  // N × 1024
    return this.classifier(x);
  }
}

/** MobileNet v1, width 1.0, 224×224, 1000 classes (4,231,976 parameters, 569M MACs).
 *  @input [N, 3, 224, 224] */
export const mobilenetV1 = new MobileNetV1();
