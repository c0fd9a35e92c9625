import { nn, F, torch, type Tensor } from "cnn-studio";

/** A layer factory taking the channel count, like torchvision's `norm_layer`. */
export type NormLayer = (numFeatures: number) => nn.Module;
/** An activation factory, like torchvision's `activation_layer`. */
export type ActivationLayer = (opts?: { inplace?: boolean }) => nn.Module;

/**
 * Rounds a channel count to the nearest multiple of `divisor`, never going down by more than
 * 10% (torchvision's `_make_divisible`, from the TensorFlow MobileNet code).
 */
export function makeDivisible(v: number, divisor: number, minValue?: number): number {
  const min = minValue ?? divisor;
  let newV = Math.max(min, Math.floor(Math.floor(v + divisor / 2) / divisor) * divisor);
  // Make sure that rounding down does not go down by more than 10%.
  if (newV < 0.9 * v) {
    newV += divisor;
  }
  return newV;
}

/**
 * Convolution, normalisation and activation in a Sequential (torchvision's
 * `Conv2dNormActivation`): padding defaults to "same" for odd kernels, the convolution has a
 * bias only when there is no normalisation layer.
 */
export class Conv2dNormActivation extends nn.Sequential {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number = 3,
    stride: number = 1,
    padding: number | null = null,
    groups: number = 1,
    normLayer: NormLayer | null = nn.BatchNorm2d,
    activationLayer: ActivationLayer | null = nn.ReLU,
    dilation: number = 1,
  ) {
    const pad = padding ?? Math.floor((kernelSize - 1) / 2) * dilation;
    const layers: nn.Module[] = [
      nn.Conv2d(inChannels, outChannels, kernelSize, {
        stride,
        padding: pad,
        dilation,
        groups,
        bias: normLayer === null,
      }),
    ];
    if (normLayer !== null) {
      layers.push(normLayer(outChannels));
    }
    if (activationLayer !== null) {
      layers.push(activationLayer({ inplace: true }));
    }
    super(...layers);
  }
}

/**
 * MobileNet v2 inverted residual block: 1×1 expansion (skipped when the ratio is 1), 3×3
 * depthwise convolution, linear 1×1 projection; identity shortcut when shapes allow.
 */
export class InvertedResidual extends nn.Module {
  readonly stride: number;
  readonly useResConnect: boolean;
  readonly conv: nn.Sequential;
  readonly outChannels: number;

  constructor(inp: number, oup: number, stride: number, expandRatio: number, normLayer: NormLayer = nn.BatchNorm2d) {
    super();
    this.stride = stride;
    if (stride !== 1 && stride !== 2) {
      throw new Error(`stride should be 1 or 2 instead of ${stride}`);
    }
    const hiddenDim = Math.round(inp * expandRatio);
    this.useResConnect = this.stride === 1 && inp === oup;

    const layers: nn.Module[] = [];
    if (expandRatio !== 1) {
      // pw
      layers.push(new Conv2dNormActivation(inp, hiddenDim, 1, 1, null, 1, normLayer, nn.ReLU6));
    }
    // dw
    layers.push(new Conv2dNormActivation(hiddenDim, hiddenDim, 3, stride, null, hiddenDim, normLayer, nn.ReLU6));
    // pw-linear
    layers.push(nn.Conv2d(hiddenDim, oup, 1, { stride: 1, padding: 0, bias: false }));
    layers.push(normLayer(oup));
    this.conv = nn.Sequential(...layers);
    this.outChannels = oup;
  }

  forward(x: Tensor): Tensor {
    if (this.useResConnect) {
      return x.add(this.conv(x));
    }
    return this.conv(x);
  }
}

/** MobileNet v2 (Sandler et al., 2018) in torchvision's layout, width multiplier 1.0. */
export class MobileNetV2 extends nn.Module {
  readonly lastChannel: number;
  readonly features: nn.Sequential;
  readonly classifier: nn.Sequential;

  constructor(numClasses: number = 1000, widthMult: number = 1.0, roundNearest: number = 8, dropout: number = 0.2) {
    super();
    const normLayer: NormLayer = nn.BatchNorm2d;
    let inputChannel = 32;
    const lastChannel = 1280;
    // t (expansion), c (channels), n (repeats), s (stride of the first repeat)
    const invertedResidualSetting: [number, number, number, number][] = [
      [1, 16, 1, 1],
      [6, 24, 2, 2],
      [6, 32, 3, 2],
      [6, 64, 4, 2],
      [6, 96, 3, 1],
      [6, 160, 3, 2],
      [6, 320, 1, 1],
    ];

    // building first layer
    inputChannel = makeDivisible(inputChannel * widthMult, roundNearest);
    this.lastChannel = makeDivisible(lastChannel * Math.max(1.0, widthMult), roundNearest);
    const features: nn.Module[] = [
      new Conv2dNormActivation(3, inputChannel, 3, 2, null, 1, normLayer, nn.ReLU6),
    ];
    // building inverted residual blocks
    for (const [t, c, n, s] of invertedResidualSetting) {
      const outputChannel = makeDivisible(c * widthMult, roundNearest);
      for (let i = 0; i < n; i++) {
        const stride = i === 0 ? s : 1;
        features.push(new InvertedResidual(inputChannel, outputChannel, stride, t, normLayer));
        inputChannel = outputChannel;
      }
    }
    // building last several layers
    features.push(new Conv2dNormActivation(inputChannel, this.lastChannel, 1, 1, null, 1, normLayer, nn.ReLU6));
    this.features = nn.Sequential(...features);

    // building classifier
    this.classifier = nn.Sequential(
      nn.Dropout(dropout),
      nn.Linear(this.lastChannel, numClasses),
    );
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = F.adaptiveAvgPool2d(x, [1, 1]);
    x = torch.flatten(x, 1);
    x = this.classifier(x);
    return x;
  }
}

/** MobileNet v2, torchvision layout (3,504,872 parameters).
 *  @input [N, 3, 224, 224] */
export const mobilenetV2 = new MobileNetV2();
