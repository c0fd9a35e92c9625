import { nn, torch, type Tensor } from "cnn-studio";
import { Conv2dNormActivation, makeDivisible, type ActivationLayer, type NormLayer } from "./mobilenet-v2";

/**
 * Squeeze-and-Excitation (Hu et al., 2018), torchvision's `SqueezeExcitation`: global average
 * pool, 1×1 conv down to `squeezeChannels`, activation, 1×1 conv back, sigmoid, and a
 * channel-wise rescaling of the input.
 */
export class SqueezeExcitation extends nn.Module {
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly fc1: nn.Conv2d;
  readonly fc2: nn.Conv2d;
  readonly activation: nn.Module;
  readonly scale_activation: nn.Module;

  constructor(
    inputChannels: number,
    squeezeChannels: number,
    activation: ActivationLayer = nn.ReLU,
    scaleActivation: ActivationLayer = nn.Sigmoid,
  ) {
    super();
    this.avgpool = nn.AdaptiveAvgPool2d(1);
    this.fc1 = nn.Conv2d(inputChannels, squeezeChannels, 1);
    this.fc2 = nn.Conv2d(squeezeChannels, inputChannels, 1);
    this.activation = activation();
    this.scale_activation = scaleActivation();
  }

  private _scale(input: Tensor): Tensor {
    let scale = this.avgpool(input);
    scale = this.fc1(scale);
    scale = this.activation(scale);
    scale = this.fc2(scale);
    return this.scale_activation(scale);
  }

  forward(input: Tensor): Tensor {
    const scale = this._scale(input);
    return scale.mul(input);
  }
}

/**
 * Stochastic depth (Huang et al., 2016), torchvision's `StochasticDepth`: in training it drops
 * the whole residual branch of a sample with probability `p` ("row" mode); in evaluation — the
 * mode analysed here — it is the identity. A leaf module without parameters.
 */
export class StochasticDepth extends nn.Module {
  readonly p: number;
  readonly mode: string;

  constructor(p: number, mode: string) {
    super();
    this.p = p;
    this.mode = mode;
  }

  forward(input: Tensor): Tensor {
    return input;
  }
}

/** One stage of Table 1 of the EfficientNet paper, after width/depth scaling. */
export interface MBConvConfig {
  expandRatio: number;
  kernel: number;
  stride: number;
  inputChannels: number;
  outChannels: number;
  numLayers: number;
}

function adjustChannels(channels: number, widthMult: number): number {
  return makeDivisible(channels * widthMult, 8);
}

function adjustDepth(numLayers: number, depthMult: number): number {
  return Math.ceil(numLayers * depthMult);
}

/** torchvision's `MBConvConfig`: scales channels (to multiples of 8) and depth. */
export function mbConvConfig(
  expandRatio: number,
  kernel: number,
  stride: number,
  inputChannels: number,
  outChannels: number,
  numLayers: number,
  widthMult: number = 1.0,
  depthMult: number = 1.0,
): MBConvConfig {
  return {
    expandRatio,
    kernel,
    stride,
    inputChannels: adjustChannels(inputChannels, widthMult),
    outChannels: adjustChannels(outChannels, widthMult),
    numLayers: adjustDepth(numLayers, depthMult),
  };
}

/**
 * Mobile inverted bottleneck (MBConv) with squeeze-and-excitation: 1×1 expansion, k×k
 * depthwise conv, SE, linear 1×1 projection (all SiLU); stochastic depth on the shortcut.
 */
export class MBConv extends nn.Module {
  readonly useResConnect: boolean;
  readonly block: nn.Sequential;
  readonly stochastic_depth: StochasticDepth;
  readonly outChannels: number;

  constructor(cnf: MBConvConfig, stochasticDepthProb: number, normLayer: NormLayer) {
    super();
    if (cnf.stride < 1 || cnf.stride > 2) {
      throw new Error("illegal stride value");
    }
    this.useResConnect = cnf.stride === 1 && cnf.inputChannels === cnf.outChannels;

    const layers: nn.Module[] = [];
    const activationLayer: ActivationLayer = nn.SiLU;

    // expand
    const expandedChannels = adjustChannels(cnf.inputChannels, cnf.expandRatio);
    if (expandedChannels !== cnf.inputChannels) {
      layers.push(
        new Conv2dNormActivation(cnf.inputChannels, expandedChannels, 1, 1, null, 1, normLayer, activationLayer),
      );
    }

    // depthwise
    layers.push(
      new Conv2dNormActivation(
        expandedChannels,
        expandedChannels,
        cnf.kernel,
        cnf.stride,
        null,
        expandedChannels,
        normLayer,
        activationLayer,
      ),
    );

    // squeeze and excitation
    const squeezeChannels = Math.max(1, Math.floor(cnf.inputChannels / 4));
    layers.push(new SqueezeExcitation(expandedChannels, squeezeChannels, () => nn.SiLU({ inplace: true })));

    // project
    layers.push(new Conv2dNormActivation(expandedChannels, cnf.outChannels, 1, 1, null, 1, normLayer, null));

    this.block = nn.Sequential(...layers);
    this.stochastic_depth = new StochasticDepth(stochasticDepthProb, "row");
    this.outChannels = cnf.outChannels;
  }

  forward(input: Tensor): Tensor {
    let result = this.block(input);
    if (this.useResConnect) {
      result = this.stochastic_depth(result);
      result = result.add(input);
    }
    return result;
  }
}

/**
 * EfficientNet (Tan & Le, 2019) in torchvision's layout: stem, seven MBConv stages (each an
 * `nn.Sequential` inside `features`), 1×1 head convolution to 4× the last stage's channels,
 * global average pooling and a dropout + linear classifier.
 */
export class EfficientNet extends nn.Module {
  readonly features: nn.Sequential;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly classifier: nn.Sequential;

  constructor(
    invertedResidualSetting: MBConvConfig[],
    dropout: number,
    stochasticDepthProb: number = 0.2,
    numClasses: number = 1000,
    normLayer: NormLayer = nn.BatchNorm2d,
  ) {
    super();
    const first = invertedResidualSetting[0];
    const last = invertedResidualSetting[invertedResidualSetting.length - 1];
    if (first === undefined || last === undefined) {
      throw new Error("The inverted_residual_setting should not be empty");
    }

    const layers: nn.Module[] = [];

    // building first layer
    const firstconvOutputChannels = first.inputChannels;
    layers.push(new Conv2dNormActivation(3, firstconvOutputChannels, 3, 2, null, 1, normLayer, nn.SiLU));

    // building inverted residual blocks
    const totalStageBlocks = invertedResidualSetting.reduce((sum, cnf) => sum + cnf.numLayers, 0);
    let stageBlockId = 0;
    for (const cnf of invertedResidualSetting) {
      const stage: nn.Module[] = [];
      for (let i = 0; i < cnf.numLayers; i++) {
        // overwrite the input channels and stride if this is not the first block of the stage
        const blockCnf: MBConvConfig =
          stage.length > 0 ? { ...cnf, inputChannels: cnf.outChannels, stride: 1 } : { ...cnf };
        // stochastic depth probability grows linearly with the block's depth
        const sdProb = (stochasticDepthProb * stageBlockId) / totalStageBlocks;
        stage.push(new MBConv(blockCnf, sdProb, normLayer));
        stageBlockId++;
      }
      layers.push(nn.Sequential(...stage));
    }

    // building last several layers
    const lastconvInputChannels = last.outChannels;
    const lastconvOutputChannels = 4 * lastconvInputChannels;
    layers.push(new Conv2dNormActivation(lastconvInputChannels, lastconvOutputChannels, 1, 1, null, 1, normLayer, nn.SiLU));

    this.features = nn.Sequential(...layers);
    this.avgpool = nn.AdaptiveAvgPool2d(1);
    this.classifier = nn.Sequential(
      nn.Dropout(dropout, { inplace: true }),
      nn.Linear(lastconvOutputChannels, numClasses),
    );
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = this.avgpool(x);
    x = torch.flatten(x, 1);
    x = this.classifier(x);
    return x;
  }
}

/** The EfficientNet-B0…B7 base stages, scaled by width and depth multipliers. */
function efficientnetConf(widthMult: number, depthMult: number): MBConvConfig[] {
  const bneckConf = (e: number, k: number, s: number, i: number, o: number, n: number): MBConvConfig =>
    mbConvConfig(e, k, s, i, o, n, widthMult, depthMult);
  return [
    bneckConf(1, 3, 1, 32, 16, 1),
    bneckConf(6, 3, 2, 16, 24, 2),
    bneckConf(6, 5, 2, 24, 40, 2),
    bneckConf(6, 3, 2, 40, 80, 3),
    bneckConf(6, 5, 1, 80, 112, 3),
    bneckConf(6, 5, 2, 112, 192, 4),
    bneckConf(6, 3, 1, 192, 320, 1),
  ];
}

/** EfficientNet-B0, torchvision's `efficientnet_b0` (dropout 0.2, stochastic depth 0.2;
 *  5,288,548 parameters).
 *  @input [N, 3, 224, 224] */
export const efficientnetB0 = new EfficientNet(efficientnetConf(1.0, 1.0), 0.2);
