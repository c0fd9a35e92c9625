import { nn, ops, torch, type Tensor } from "cnn-studio";
import { makeDivisible } from "./mobilenet-v2";

/**
 * MobileNet v3 (Howard et al., 2019), transcribed from torchvision's `mobilenetv3.py` so that
 * module paths and `state_dict` names are torchvision's. Its blocks are torchvision's own
 * `ops.Conv2dNormActivation` and `ops.SqueezeExcitation` (with a hard-sigmoid gate).
 */

/** A normalisation layer factory, like torchvision's `norm_layer`. */
export type NormLayer = (numFeatures: number) => nn.Module;
/** A squeeze-and-excitation factory, like torchvision's `se_layer`. */
export type SELayer = (inputChannels: number, squeezeChannels: number) => nn.Module;

/** One row of Tables 1 and 2 of the MobileNetV3 paper, after width scaling. */
export class InvertedResidualConfig {
  readonly inputChannels: number;
  readonly kernel: number;
  readonly expandedChannels: number;
  readonly outChannels: number;
  readonly useSe: boolean;
  readonly useHs: boolean;
  readonly stride: number;
  readonly dilation: number;

  constructor(
    inputChannels: number,
    kernel: number,
    expandedChannels: number,
    outChannels: number,
    useSe: boolean,
    activation: string,
    stride: number,
    dilation: number,
    widthMult: number,
  ) {
    this.inputChannels = InvertedResidualConfig.adjustChannels(inputChannels, widthMult);
    this.kernel = kernel;
    this.expandedChannels = InvertedResidualConfig.adjustChannels(expandedChannels, widthMult);
    this.outChannels = InvertedResidualConfig.adjustChannels(outChannels, widthMult);
    this.useSe = useSe;
    this.useHs = activation === "HS";
    this.stride = stride;
    this.dilation = dilation;
  }

  static adjustChannels(channels: number, widthMult: number): number {
    return makeDivisible(channels * widthMult, 8);
  }
}

/** torchvision's default `se_layer`: squeeze-and-excitation gated by a hard sigmoid. */
const hardSigmoidSE: SELayer = (inputChannels, squeezeChannels) =>
  ops.SqueezeExcitation(inputChannels, squeezeChannels, { scaleActivation: nn.Hardsigmoid });

/**
 * Inverted residual block of section 5 of the paper: 1×1 expansion, k×k depthwise convolution,
 * optional squeeze-and-excitation, linear 1×1 projection; identity shortcut when shapes allow.
 */
export class InvertedResidual extends nn.Module {
  readonly useResConnect: boolean;
  readonly block: nn.Sequential;
  readonly outChannels: number;
  readonly _isCn: boolean;

  constructor(cnf: InvertedResidualConfig, normLayer: NormLayer, seLayer: SELayer = hardSigmoidSE) {
    super();
    if (!(1 <= cnf.stride && cnf.stride <= 2)) {
      throw new Error("illegal stride value");
    }

    this.useResConnect = cnf.stride === 1 && cnf.inputChannels === cnf.outChannels;

    const layers: nn.Module[] = [];
    const activationLayer = cnf.useHs ? nn.Hardswish : nn.ReLU;

    // expand
    if (cnf.expandedChannels !== cnf.inputChannels) {
      layers.push(
        ops.Conv2dNormActivation(cnf.inputChannels, cnf.expandedChannels, {
          kernelSize: 1,
          normLayer,
          activationLayer,
        }),
      );
    }

    // depthwise
    const stride = cnf.dilation > 1 ? 1 : cnf.stride;
    layers.push(
      ops.Conv2dNormActivation(cnf.expandedChannels, cnf.expandedChannels, {
        kernelSize: cnf.kernel,
        stride,
        dilation: cnf.dilation,
        groups: cnf.expandedChannels,
        normLayer,
        activationLayer,
      }),
    );
    if (cnf.useSe) {
      const squeezeChannels = makeDivisible(Math.floor(cnf.expandedChannels / 4), 8);
      layers.push(seLayer(cnf.expandedChannels, squeezeChannels));
    }

    // project
    layers.push(
      ops.Conv2dNormActivation(cnf.expandedChannels, cnf.outChannels, {
        kernelSize: 1,
        normLayer,
        activationLayer: null,
      }),
    );

    this.block = nn.Sequential(...layers);
    this.outChannels = cnf.outChannels;
    this._isCn = cnf.stride > 1;
  }

  forward(input: Tensor): Tensor {
    let result = this.block(input);
    if (this.useResConnect) {
      result = result.add(input);
    }
    return result;
  }
}

/** MobileNet v3: hard-swish stem, inverted residual blocks, 1×1 head, GAP, two-layer classifier. */
export class MobileNetV3 extends nn.Module {
  readonly features: nn.Sequential;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly classifier: nn.Sequential;

  constructor(
    invertedResidualSetting: InvertedResidualConfig[],
    lastChannel: number,
    numClasses: number = 1000,
    block: typeof InvertedResidual | null = null,
    normLayer: NormLayer | null = null,
    dropout: number = 0.2,
  ) {
    super();

    if (invertedResidualSetting.length === 0) {
      throw new Error("The inverted_residual_setting should not be empty");
    }

    const blockClass = block ?? InvertedResidual;
    const norm: NormLayer = normLayer ?? ((numFeatures) => nn.BatchNorm2d(numFeatures, { eps: 0.001, momentum: 0.01 }));

    const layers: nn.Module[] = [];

    // building first layer
    const firstconvOutputChannels = invertedResidualSetting[0]!.inputChannels;
    layers.push(
      ops.Conv2dNormActivation(3, firstconvOutputChannels, {
        kernelSize: 3,
        stride: 2,
        normLayer: norm,
        activationLayer: nn.Hardswish,
      }),
    );

    // building inverted residual blocks
    for (const cnf of invertedResidualSetting) {
      layers.push(new blockClass(cnf, norm));
    }

    // building last several layers
    const lastconvInputChannels = invertedResidualSetting[invertedResidualSetting.length - 1]!.outChannels;
    const lastconvOutputChannels = 6 * lastconvInputChannels;
    layers.push(
      ops.Conv2dNormActivation(lastconvInputChannels, lastconvOutputChannels, {
        kernelSize: 1,
        normLayer: norm,
        activationLayer: nn.Hardswish,
      }),
    );

    this.features = nn.Sequential(...layers);
    this.avgpool = nn.AdaptiveAvgPool2d(1);
    this.classifier = nn.Sequential(
      nn.Linear(lastconvOutputChannels, lastChannel),
      nn.Hardswish({ inplace: true }),
      nn.Dropout(dropout, { inplace: true }),
      nn.Linear(lastChannel, numClasses),
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

/** torchvision's `_mobilenet_v3_conf`: the block table and the classifier's width. */
export function mobilenetV3Conf(
  arch: string,
  widthMult: number = 1.0,
  reducedTail: boolean = false,
  dilated: boolean = false,
): [InvertedResidualConfig[], number] {
  const reduceDivider = reducedTail ? 2 : 1;
  const dilation = dilated ? 2 : 1;

  const bneckConf = (i: number, k: number, e: number, o: number, se: boolean, act: string, s: number, d: number) =>
    new InvertedResidualConfig(i, k, e, o, se, act, s, d, widthMult);
  const adjustChannels = (channels: number) => InvertedResidualConfig.adjustChannels(channels, widthMult);

  let invertedResidualSetting: InvertedResidualConfig[];
  let lastChannel: number;
  const rd = (c: number) => Math.floor(c / reduceDivider);
  if (arch === "mobilenet_v3_large") {
    invertedResidualSetting = [
      bneckConf(16, 3, 16, 16, false, "RE", 1, 1),
      bneckConf(16, 3, 64, 24, false, "RE", 2, 1), // C1
      bneckConf(24, 3, 72, 24, false, "RE", 1, 1),
      bneckConf(24, 5, 72, 40, true, "RE", 2, 1), // C2
      bneckConf(40, 5, 120, 40, true, "RE", 1, 1),
      bneckConf(40, 5, 120, 40, true, "RE", 1, 1),
      bneckConf(40, 3, 240, 80, false, "HS", 2, 1), // C3
      bneckConf(80, 3, 200, 80, false, "HS", 1, 1),
      bneckConf(80, 3, 184, 80, false, "HS", 1, 1),
      bneckConf(80, 3, 184, 80, false, "HS", 1, 1),
      bneckConf(80, 3, 480, 112, true, "HS", 1, 1),
      bneckConf(112, 3, 672, 112, true, "HS", 1, 1),
      bneckConf(112, 5, 672, rd(160), true, "HS", 2, dilation), // C4
      bneckConf(rd(160), 5, rd(960), rd(160), true, "HS", 1, dilation),
      bneckConf(rd(160), 5, rd(960), rd(160), true, "HS", 1, dilation),
    ];
    lastChannel = adjustChannels(rd(1280)); // C5
  } else if (arch === "mobilenet_v3_small") {
    invertedResidualSetting = [
      bneckConf(16, 3, 16, 16, true, "RE", 2, 1), // C1
      bneckConf(16, 3, 72, 24, false, "RE", 2, 1), // C2
      bneckConf(24, 3, 88, 24, false, "RE", 1, 1),
      bneckConf(24, 5, 96, 40, true, "HS", 2, 1), // C3
      bneckConf(40, 5, 240, 40, true, "HS", 1, 1),
      bneckConf(40, 5, 240, 40, true, "HS", 1, 1),
      bneckConf(40, 5, 120, 48, true, "HS", 1, 1),
      bneckConf(48, 5, 144, 48, true, "HS", 1, 1),
      bneckConf(48, 5, 288, rd(96), true, "HS", 2, dilation), // C4
      bneckConf(rd(96), 5, rd(576), rd(96), true, "HS", 1, dilation),
      bneckConf(rd(96), 5, rd(576), rd(96), true, "HS", 1, dilation),
    ];
    lastChannel = adjustChannels(rd(1024)); // C5
  } else {
    throw new Error(`Unsupported model type ${arch}`);
  }

  return [invertedResidualSetting, lastChannel];
}

/** torchvision's `_mobilenet_v3` for one architecture of `mobilenetV3Conf`, without weights. */
function _mobilenetV3(arch: string): MobileNetV3 {
  const [invertedResidualSetting, lastChannel] = mobilenetV3Conf(arch);
  return new MobileNetV3(invertedResidualSetting, lastChannel);
}

/** MobileNet v3 small, torchvision's `mobilenet_v3_small` (2,542,856 parameters).
 *  @input [N, 3, 224, 224] */
export const mobilenetV3Small = _mobilenetV3("mobilenet_v3_small");
