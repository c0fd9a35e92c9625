import { nn, ops, torch, type Tensor } from "cnn-studio";
import { makeDivisible } from "./mobilenet-v2";

/**
 * EfficientNetV2 (Tan & Le, 2021), transcribed from torchvision's `efficientnet.py` so that module
 * paths and `state_dict` names are torchvision's: Fused-MBConv stages (one k×k convolution in
 * place of expansion + depthwise) followed by MBConv stages with squeeze-and-excitation, built
 * from torchvision's `ops.Conv2dNormActivation`, `ops.SqueezeExcitation` and
 * `ops.StochasticDepth`. (examples/efficientnet.ts spells the same blocks out for EfficientNet-B0.)
 */

/** A normalisation layer factory, like torchvision's `norm_layer`. */
export type NormLayer = (numFeatures: number) => nn.Module;
/** A block class taking its configuration, like `MBConv` and `FusedMBConv`. */
export type BlockConstructor = new (cnf: _MBConvConfig, stochasticDepthProb: number, normLayer: NormLayer) => nn.Module;

/** One stage: Table 1 of the EfficientNet paper and Table 4 of the EfficientNetV2 paper. */
export class _MBConvConfig {
  constructor(
    public expandRatio: number,
    public kernel: number,
    public stride: number,
    public inputChannels: number,
    public outChannels: number,
    public numLayers: number,
    public block: BlockConstructor,
  ) {}

  static adjustChannels(channels: number, widthMult: number, minValue?: number): number {
    return makeDivisible(channels * widthMult, 8, minValue);
  }

  /** A shallow copy (Python's `copy.copy`). */
  copy(): _MBConvConfig {
    return new _MBConvConfig(
      this.expandRatio,
      this.kernel,
      this.stride,
      this.inputChannels,
      this.outChannels,
      this.numLayers,
      this.block,
    );
  }
}

/** An MBConv stage, its channels and depth scaled by the width and depth multipliers. */
export class MBConvConfig extends _MBConvConfig {
  constructor(
    expandRatio: number,
    kernel: number,
    stride: number,
    inputChannels: number,
    outChannels: number,
    numLayers: number,
    widthMult: number = 1.0,
    depthMult: number = 1.0,
    block: BlockConstructor | null = null,
  ) {
    inputChannels = MBConvConfig.adjustChannels(inputChannels, widthMult);
    outChannels = MBConvConfig.adjustChannels(outChannels, widthMult);
    numLayers = MBConvConfig.adjustDepth(numLayers, depthMult);
    super(expandRatio, kernel, stride, inputChannels, outChannels, numLayers, block ?? MBConv);
  }

  static adjustDepth(numLayers: number, depthMult: number): number {
    return Math.ceil(numLayers * depthMult);
  }
}

/** A Fused-MBConv stage (Table 4 of the EfficientNetV2 paper). */
export class FusedMBConvConfig extends _MBConvConfig {
  constructor(
    expandRatio: number,
    kernel: number,
    stride: number,
    inputChannels: number,
    outChannels: number,
    numLayers: number,
    block: BlockConstructor | null = null,
  ) {
    super(expandRatio, kernel, stride, inputChannels, outChannels, numLayers, block ?? FusedMBConv);
  }
}

/**
 * Mobile inverted bottleneck: 1×1 expansion, k×k depthwise convolution, squeeze-and-excitation,
 * linear 1×1 projection (SiLU); stochastic depth on the residual branch.
 */
export class MBConv extends nn.Module {
  readonly useResConnect: boolean;
  readonly block: nn.Sequential;
  readonly stochastic_depth: nn.Module;
  readonly outChannels: number;

  constructor(
    cnf: _MBConvConfig,
    stochasticDepthProb: number,
    normLayer: NormLayer,
    seLayer: typeof ops.SqueezeExcitation = ops.SqueezeExcitation,
  ) {
    super();

    if (!(1 <= cnf.stride && cnf.stride <= 2)) {
      throw new Error("illegal stride value");
    }

    this.useResConnect = cnf.stride === 1 && cnf.inputChannels === cnf.outChannels;

    const layers: nn.Module[] = [];
    const activationLayer = nn.SiLU;

    // expand
    const expandedChannels = _MBConvConfig.adjustChannels(cnf.inputChannels, cnf.expandRatio);
    if (expandedChannels !== cnf.inputChannels) {
      layers.push(
        ops.Conv2dNormActivation(cnf.inputChannels, expandedChannels, {
          kernelSize: 1,
          normLayer,
          activationLayer,
        }),
      );
    }

    // depthwise
    layers.push(
      ops.Conv2dNormActivation(expandedChannels, expandedChannels, {
        kernelSize: cnf.kernel,
        stride: cnf.stride,
        groups: expandedChannels,
        normLayer,
        activationLayer,
      }),
    );

    // squeeze and excitation
    const squeezeChannels = Math.max(1, Math.floor(cnf.inputChannels / 4));
    layers.push(seLayer(expandedChannels, squeezeChannels, { activation: () => nn.SiLU({ inplace: true }) }));

    // project
    layers.push(
      ops.Conv2dNormActivation(expandedChannels, cnf.outChannels, { kernelSize: 1, normLayer, activationLayer: null }),
    );

    this.block = nn.Sequential(...layers);
    this.stochastic_depth = ops.StochasticDepth(stochasticDepthProb, "row");
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
 * Fused-MBConv: one k×k convolution does the expansion (then a linear 1×1 projection), or, with
 * expansion ratio 1, the whole block; stochastic depth on the residual branch.
 */
export class FusedMBConv extends nn.Module {
  readonly useResConnect: boolean;
  readonly block: nn.Sequential;
  readonly stochastic_depth: nn.Module;
  readonly outChannels: number;

  constructor(cnf: _MBConvConfig, stochasticDepthProb: number, normLayer: NormLayer) {
    super();

    if (!(1 <= cnf.stride && cnf.stride <= 2)) {
      throw new Error("illegal stride value");
    }

    this.useResConnect = cnf.stride === 1 && cnf.inputChannels === cnf.outChannels;

    const layers: nn.Module[] = [];
    const activationLayer = nn.SiLU;

    const expandedChannels = _MBConvConfig.adjustChannels(cnf.inputChannels, cnf.expandRatio);
    if (expandedChannels !== cnf.inputChannels) {
      // fused expand
      layers.push(
        ops.Conv2dNormActivation(cnf.inputChannels, expandedChannels, {
          kernelSize: cnf.kernel,
          stride: cnf.stride,
          normLayer,
          activationLayer,
        }),
      );

      // project
      layers.push(
        ops.Conv2dNormActivation(expandedChannels, cnf.outChannels, { kernelSize: 1, normLayer, activationLayer: null }),
      );
    } else {
      layers.push(
        ops.Conv2dNormActivation(cnf.inputChannels, cnf.outChannels, {
          kernelSize: cnf.kernel,
          stride: cnf.stride,
          normLayer,
          activationLayer,
        }),
      );
    }

    this.block = nn.Sequential(...layers);
    this.stochastic_depth = ops.StochasticDepth(stochasticDepthProb, "row");
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
 * EfficientNet V1 and V2 (torchvision's `EfficientNet`): stem, one `nn.Sequential` of blocks per
 * stage inside `features`, 1×1 head convolution, global average pooling, dropout + linear.
 */
export class EfficientNet extends nn.Module {
  readonly features: nn.Sequential;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly classifier: nn.Sequential;

  constructor(
    invertedResidualSetting: _MBConvConfig[],
    dropout: number,
    stochasticDepthProb: number = 0.2,
    numClasses: number = 1000,
    normLayer: NormLayer | null = null,
    lastChannel: number | null = null,
  ) {
    super();

    if (invertedResidualSetting.length === 0) {
      throw new Error("The inverted_residual_setting should not be empty");
    }

    const norm: NormLayer = normLayer ?? nn.BatchNorm2d;

    const layers: nn.Module[] = [];

    // building first layer
    const firstconvOutputChannels = invertedResidualSetting[0]!.inputChannels;
    layers.push(
      ops.Conv2dNormActivation(3, firstconvOutputChannels, {
        kernelSize: 3,
        stride: 2,
        normLayer: norm,
        activationLayer: nn.SiLU,
      }),
    );

    // building inverted residual blocks
    const totalStageBlocks = invertedResidualSetting.reduce((sum, cnf) => sum + cnf.numLayers, 0);
    let stageBlockId = 0;
    for (const cnf of invertedResidualSetting) {
      const stage: nn.Module[] = [];
      for (let i = 0; i < cnf.numLayers; i++) {
        // copy to avoid modifications. shallow copy is enough
        const blockCnf = cnf.copy();

        // overwrite info if not the first conv in the stage
        if (stage.length > 0) {
          blockCnf.inputChannels = blockCnf.outChannels;
          blockCnf.stride = 1;
        }

        // adjust stochastic depth probability based on the depth of the stage block
        const sdProb = (stochasticDepthProb * stageBlockId) / totalStageBlocks;

        stage.push(new blockCnf.block(blockCnf, sdProb, norm));
        stageBlockId += 1;
      }

      layers.push(nn.Sequential(...stage));
    }

    // building last several layers
    const lastconvInputChannels = invertedResidualSetting[invertedResidualSetting.length - 1]!.outChannels;
    const lastconvOutputChannels = lastChannel ?? 4 * lastconvInputChannels;
    layers.push(
      ops.Conv2dNormActivation(lastconvInputChannels, lastconvOutputChannels, {
        kernelSize: 1,
        normLayer: norm,
        activationLayer: nn.SiLU,
      }),
    );

    this.features = nn.Sequential(...layers);
    this.avgpool = nn.AdaptiveAvgPool2d(1);
    this.classifier = nn.Sequential(
      nn.Dropout(dropout, { inplace: true }),
      nn.Linear(lastconvOutputChannels, numClasses),
    );
  }

  private _forwardImpl(x: Tensor): Tensor {
    x = this.features(x);

    x = this.avgpool(x);
    x = torch.flatten(x, 1);

    x = this.classifier(x);

    return x;
  }

  forward(x: Tensor): Tensor {
    return this._forwardImpl(x);
  }
}

/** torchvision's `_efficientnet_conf` for the V2 architectures: the stages and the head's width. */
export function efficientnetConf(arch: string): [_MBConvConfig[], number | null] {
  let invertedResidualSetting: _MBConvConfig[];
  let lastChannel: number | null;
  if (arch.startsWith("efficientnet_v2_s")) {
    invertedResidualSetting = [
      new FusedMBConvConfig(1, 3, 1, 24, 24, 2),
      new FusedMBConvConfig(4, 3, 2, 24, 48, 4),
      new FusedMBConvConfig(4, 3, 2, 48, 64, 4),
      new MBConvConfig(4, 3, 2, 64, 128, 6),
      new MBConvConfig(6, 3, 1, 128, 160, 9),
      new MBConvConfig(6, 3, 2, 160, 256, 15),
    ];
    lastChannel = 1280;
  } else if (arch.startsWith("efficientnet_v2_m")) {
    invertedResidualSetting = [
      new FusedMBConvConfig(1, 3, 1, 24, 24, 3),
      new FusedMBConvConfig(4, 3, 2, 24, 48, 5),
      new FusedMBConvConfig(4, 3, 2, 48, 80, 5),
      new MBConvConfig(4, 3, 2, 80, 160, 7),
      new MBConvConfig(6, 3, 1, 160, 176, 14),
      new MBConvConfig(6, 3, 2, 176, 304, 18),
      new MBConvConfig(6, 3, 1, 304, 512, 5),
    ];
    lastChannel = 1280;
  } else if (arch.startsWith("efficientnet_v2_l")) {
    invertedResidualSetting = [
      new FusedMBConvConfig(1, 3, 1, 32, 32, 4),
      new FusedMBConvConfig(4, 3, 2, 32, 64, 7),
      new FusedMBConvConfig(4, 3, 2, 64, 96, 7),
      new MBConvConfig(4, 3, 2, 96, 192, 10),
      new MBConvConfig(6, 3, 1, 192, 224, 19),
      new MBConvConfig(6, 3, 2, 224, 384, 25),
      new MBConvConfig(6, 3, 1, 384, 640, 7),
    ];
    lastChannel = 1280;
  } else {
    throw new Error(`Unsupported model type ${arch}`);
  }

  return [invertedResidualSetting, lastChannel];
}

/** torchvision's `efficientnet_v2_s` without weights: dropout 0.2, BatchNorm eps 1e-3. */
function efficientnetV2SModel(): EfficientNet {
  const [invertedResidualSetting, lastChannel] = efficientnetConf("efficientnet_v2_s");
  const normLayer: NormLayer = (numFeatures) => nn.BatchNorm2d(numFeatures, { eps: 1e-3 });
  return new EfficientNet(invertedResidualSetting, 0.2, 0.2, 1000, normLayer, lastChannel);
}

/** EfficientNetV2-S, torchvision's `efficientnet_v2_s` (21,458,488 parameters; trained at 384×384,
 *  analysed here at 224×224).
 *  @input [N, 3, 224, 224] */
export const efficientnetV2S = efficientnetV2SModel();
