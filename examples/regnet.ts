import { nn, ops, type Tensor } from "cnn-studio";
import { makeDivisible } from "./mobilenet-v2";

/**
 * RegNet (Radosavovic et al., 2020, "Designing Network Design Spaces"), transcribed from
 * torchvision's `regnet.py` so that module paths and `state_dict` names are torchvision's,
 * including the stage widths and depths that `BlockParams.fromInitParams` computes from the
 * quantised linear width rule.
 */

/** A normalisation layer factory, like torchvision's `norm_layer`. */
export type NormLayer = (numFeatures: number) => nn.Module;
/** An activation factory, like torchvision's `activation_layer`. */
export type ActivationLayer = (opts?: { inplace?: boolean }) => nn.Module;

/** Python's `round` and `torch.round`: a half goes to the even neighbour. */
function roundHalfToEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Simple stem for ImageNet: 3x3, BN, ReLU. */
export class SimpleStemIN extends ops.Conv2dNormActivation {
  constructor(widthIn: number, widthOut: number, normLayer: NormLayer, activationLayer: ActivationLayer) {
    super(widthIn, widthOut, { kernelSize: 3, stride: 2, normLayer, activationLayer });
  }
}

/** Bottleneck transformation: 1x1, 3x3 [+SE], 1x1. */
export class BottleneckTransform extends nn.Sequential {
  constructor(
    widthIn: number,
    widthOut: number,
    stride: number,
    normLayer: NormLayer,
    activationLayer: ActivationLayer,
    groupWidth: number,
    bottleneckMultiplier: number,
    seRatio: number | null,
  ) {
    const layers: Record<string, nn.Module> = {};
    const wB = Math.trunc(roundHalfToEven(widthOut * bottleneckMultiplier));
    const g = Math.floor(wB / groupWidth);

    layers["a"] = ops.Conv2dNormActivation(widthIn, wB, { kernelSize: 1, stride: 1, normLayer, activationLayer });
    layers["b"] = ops.Conv2dNormActivation(wB, wB, { kernelSize: 3, stride, groups: g, normLayer, activationLayer });

    if (seRatio) {
      // The SE reduction ratio is defined with respect to the
      // beginning of the block
      const widthSeOut = Math.trunc(roundHalfToEven(seRatio * widthIn));
      layers["se"] = ops.SqueezeExcitation(wB, widthSeOut, { activation: activationLayer });
    }

    layers["c"] = ops.Conv2dNormActivation(wB, widthOut, { kernelSize: 1, stride: 1, normLayer, activationLayer: null });
    super(layers);
  }
}

/** Residual bottleneck block: x + F(x), F = bottleneck transform. */
export class ResBottleneckBlock extends nn.Module {
  readonly proj: nn.Sequential | null;
  readonly f: BottleneckTransform;
  readonly activation: nn.Module;

  constructor(
    widthIn: number,
    widthOut: number,
    stride: number,
    normLayer: NormLayer,
    activationLayer: ActivationLayer,
    groupWidth: number = 1,
    bottleneckMultiplier: number = 1.0,
    seRatio: number | null = null,
  ) {
    super();

    // Use skip connection with projection if shape changes
    this.proj = null;
    const shouldProj = widthIn !== widthOut || stride !== 1;
    if (shouldProj) {
      this.proj = ops.Conv2dNormActivation(widthIn, widthOut, {
        kernelSize: 1,
        stride,
        normLayer,
        activationLayer: null,
      });
    }
    this.f = new BottleneckTransform(
      widthIn,
      widthOut,
      stride,
      normLayer,
      activationLayer,
      groupWidth,
      bottleneckMultiplier,
      seRatio,
    );
    this.activation = activationLayer({ inplace: true });
  }

  forward(x: Tensor): Tensor {
    if (this.proj !== null) {
      x = this.proj(x).add(this.f(x));
    } else {
      x = x.add(this.f(x));
    }
    return this.activation(x);
  }
}

/** AnyNet stage (sequence of blocks w/ the same output shape). */
export class AnyStage extends nn.Sequential {
  constructor(
    widthIn: number,
    widthOut: number,
    stride: number,
    depth: number,
    blockConstructor: typeof ResBottleneckBlock,
    normLayer: NormLayer,
    activationLayer: ActivationLayer,
    groupWidth: number,
    bottleneckMultiplier: number,
    seRatio: number | null = null,
    stageIndex: number = 0,
  ) {
    super();

    for (let i = 0; i < depth; i++) {
      const block = new blockConstructor(
        i === 0 ? widthIn : widthOut,
        widthOut,
        i === 0 ? stride : 1,
        normLayer,
        activationLayer,
        groupWidth,
        bottleneckMultiplier,
        seRatio,
      );

      this.addModule(`block${stageIndex}-${i}`, block);
    }
  }
}

/** Per-stage settings of a RegNet: depths, widths, group widths, bottleneck ratios, strides. */
export class BlockParams {
  constructor(
    readonly depths: number[],
    readonly widths: number[],
    readonly groupWidths: number[],
    readonly bottleneckMultipliers: number[],
    readonly strides: number[],
    readonly seRatio: number | null = null,
  ) {}

  /**
   * Programatically compute all the per-block settings, given the RegNet parameters.
   *
   * The first step is to compute the quantized linear block parameters, in log space. Key
   * parameters are:
   * - `wA` is the width progression slope
   * - `w0` is the initial width
   * - `wM` is the width stepping in the log space
   *
   * In other terms `log(block_width) = log(w0) + wM * block_capacity`, with `block_capacity`
   * ramping up following the w0 and wA params. This block width is finally quantized to
   * multiples of 8.
   *
   * The second step is to compute the parameters per stage, taking into account the skip
   * connection and the final 1x1 convolutions. We use the fact that the output width is constant
   * within a stage.
   */
  static fromInitParams(
    depth: number,
    w0: number,
    wA: number,
    wM: number,
    groupWidth: number,
    bottleneckMultiplier: number = 1.0,
    seRatio: number | null = null,
  ): BlockParams {
    const QUANT = 8;
    const STRIDE = 2;

    if (wA < 0 || w0 <= 0 || wM <= 1 || w0 % 8 !== 0) {
      throw new Error("Invalid RegNet settings");
    }
    // Compute the block widths. Each stage has one unique block width
    const widthsCont = Array.from({ length: depth }, (_, i) => i * wA + w0);
    const blockCapacity = widthsCont.map((w) => roundHalfToEven(Math.log(w / w0) / Math.log(wM)));
    const blockWidths = blockCapacity.map((c) => roundHalfToEven((w0 * Math.pow(wM, c)) / QUANT) * QUANT);
    const numStages = new Set(blockWidths).size;

    // Convert to per stage parameters
    const splitHelper = [[...blockWidths, 0], [0, ...blockWidths], [...blockWidths, 0], [0, ...blockWidths]];
    const [ws, wps, rs, rps] = splitHelper as [number[], number[], number[], number[]];
    const splits = ws.map((w, i) => w !== wps[i] || rs[i] !== rps[i]);

    const stageWidths = blockWidths.filter((_, i) => splits[i]);
    const splitIndices = splits.map((t, d) => (t ? d : -1)).filter((d) => d >= 0);
    const stageDepths = splitIndices.slice(1).map((d, i) => d - splitIndices[i]!);

    const strides: number[] = Array(numStages).fill(STRIDE);
    const bottleneckMultipliers: number[] = Array(numStages).fill(bottleneckMultiplier);
    const groupWidths: number[] = Array(numStages).fill(groupWidth);

    // Adjust the compatibility of stage widths and group widths
    const [adjustedWidths, adjustedGroupWidths] = BlockParams._adjustWidthsGroupsCompatibilty(
      stageWidths,
      bottleneckMultipliers,
      groupWidths,
    );

    return new BlockParams(stageDepths, adjustedWidths, adjustedGroupWidths, bottleneckMultipliers, strides, seRatio);
  }

  /** Adjusts the compatibility of widths and groups, depending on the bottleneck ratio. */
  static _adjustWidthsGroupsCompatibilty(
    stageWidths: number[],
    bottleneckRatios: number[],
    groupWidths: number[],
  ): [number[], number[]] {
    // Compute all widths for the current settings
    const widths = stageWidths.map((w, i) => Math.trunc(w * bottleneckRatios[i]!));
    const groupWidthsMin = groupWidths.map((g, i) => Math.min(g, widths[i]!));

    // Compute the adjusted widths so that stage and group widths fit
    const wsBot = widths.map((wBot, i) => makeDivisible(wBot, groupWidthsMin[i]!));
    const adjusted = wsBot.map((wBot, i) => Math.trunc(wBot / bottleneckRatios[i]!));
    return [adjusted, groupWidthsMin];
  }
}

/** RegNet: stem, four AnyStages in `trunk_output`, global average pooling, linear. */
export class RegNet extends nn.Module {
  readonly stem: nn.Module;
  readonly trunk_output: nn.Sequential;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly fc: nn.Linear;

  constructor(
    blockParams: BlockParams,
    numClasses: number = 1000,
    stemWidth: number = 32,
    stemType: typeof SimpleStemIN | null = null,
    blockType: typeof ResBottleneckBlock | null = null,
    normLayer: NormLayer | null = null,
    activation: ActivationLayer | null = null,
  ) {
    super();

    const stem = stemType ?? SimpleStemIN;
    const norm: NormLayer = normLayer ?? nn.BatchNorm2d;
    const block = blockType ?? ResBottleneckBlock;
    const act: ActivationLayer = activation ?? nn.ReLU;

    // Ad hoc stem
    this.stem = new stem(
      3, // width_in
      stemWidth,
      norm,
      act,
    );

    let currentWidth = stemWidth;

    const blocks: [string, nn.Module][] = [];
    for (let i = 0; i < blockParams.widths.length; i++) {
      const widthOut = blockParams.widths[i]!;
      blocks.push([
        `block${i + 1}`,
        new AnyStage(
          currentWidth,
          widthOut,
          blockParams.strides[i]!,
          blockParams.depths[i]!,
          block,
          norm,
          act,
          blockParams.groupWidths[i]!,
          blockParams.bottleneckMultipliers[i]!,
          blockParams.seRatio,
          i + 1,
        ),
      ]);

      currentWidth = widthOut;
    }

    this.trunk_output = nn.Sequential(Object.fromEntries(blocks));

    this.avgpool = nn.AdaptiveAvgPool2d([1, 1]);
    this.fc = nn.Linear(currentWidth, numClasses);
  }

  forward(x: Tensor): Tensor {
    x = this.stem(x);
    x = this.trunk_output(x);

    x = this.avgpool(x);
    x = x.flatten(1);
    x = this.fc(x);

    return x;
  }
}

/** torchvision's `_regnet` without weights: BatchNorm with eps 1e-5 and momentum 0.1. */
function _regnet(blockParams: BlockParams): RegNet {
  const normLayer: NormLayer = (numFeatures) => nn.BatchNorm2d(numFeatures, { eps: 1e-5, momentum: 0.1 });
  return new RegNet(blockParams, 1000, 32, null, null, normLayer);
}

/** RegNetY-400MF, torchvision's `regnet_y_400mf` (4,344,144 parameters).
 *  @input [N, 3, 224, 224] */
export const regnetY400mf = _regnet(BlockParams.fromInitParams(16, 48, 27.89, 2.09, 8, 1.0, 0.25));
