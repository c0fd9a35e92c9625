import { nn, F, torch, ops, type Tensor } from "cnn-studio";

/**
 * ConvNeXt (Liu et al., "A ConvNet for the 2020s", 2022), transcribed from torchvision's
 * `models/convnext.py` with its module names, so layer paths and state_dict names are
 * torchvision's (`features.1.0.block.0.weight`, `features.1.0.layer_scale`, ...).
 */

/** A norm-layer factory taking the channel count, like torchvision's `norm_layer`. */
export type NormLayer = (numFeatures: number) => nn.Module;

/** LayerNorm over the channels of an NCHW tensor: permute to NHWC, normalise, permute back. */
export class LayerNorm2d extends nn.LayerNorm {
  forward(x: Tensor): Tensor {
    x = x.permute(0, 2, 3, 1);
    x = F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
    x = x.permute(0, 3, 1, 2);
    return x;
  }
}

/**
 * The ConvNeXt block: 7×7 depthwise conv, LayerNorm over channels (channels last), an inverted
 * bottleneck of two Linear layers with GELU, a learned per-channel layer scale, stochastic depth
 * and the residual connection.
 */
export class CNBlock extends nn.Module {
  readonly block: nn.Sequential;
  readonly layer_scale: Tensor;
  readonly stochastic_depth: nn.Module;

  constructor(dim: number, layerScale: number, stochasticDepthProb: number, normLayer: NormLayer | null = null) {
    super();
    const norm: NormLayer = normLayer ?? ((d: number) => nn.LayerNorm(d, { eps: 1e-6 }));
    this.block = nn.Sequential(
      nn.Conv2d(dim, dim, 7, { padding: 3, groups: dim, bias: true }),
      ops.Permute([0, 2, 3, 1]),
      norm(dim),
      nn.Linear(dim, 4 * dim, { bias: true }),
      nn.GELU(),
      nn.Linear(4 * dim, dim, { bias: true }),
      ops.Permute([0, 3, 1, 2]),
    );
    this.layer_scale = nn.Parameter(torch.ones(dim, 1, 1).mul(layerScale));
    this.stochastic_depth = ops.StochasticDepth(stochasticDepthProb, "row");
  }

  forward(input: Tensor): Tensor {
    let result = this.layer_scale.mul(this.block(input));
    result = this.stochastic_depth(result);
    result = result.add(input);
    return result;
  }
}

/** One stage of Section 3 of the ConvNeXt paper: its width, the next stage's width, its depth. */
export interface CNBlockConfig {
  inputChannels: number;
  outChannels: number | null;
  numLayers: number;
}

export function cnBlockConfig(inputChannels: number, outChannels: number | null, numLayers: number): CNBlockConfig {
  return { inputChannels, outChannels, numLayers };
}

/**
 * ConvNeXt in torchvision's layout: a 4×4 stride-4 stem (conv + LayerNorm2d), stages of CNBlocks
 * separated by downsampling (LayerNorm2d + 2×2 stride-2 conv), global average pooling and a
 * LayerNorm2d + Flatten + Linear classifier.
 */
export class ConvNeXt extends nn.Module {
  readonly features: nn.Sequential;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly classifier: nn.Sequential;

  constructor(
    blockSetting: CNBlockConfig[],
    stochasticDepthProb: number = 0.0,
    layerScale: number = 1e-6,
    numClasses: number = 1000,
    normLayer: NormLayer | null = null,
  ) {
    super();
    const first = blockSetting[0];
    const lastblock = blockSetting[blockSetting.length - 1];
    if (first === undefined || lastblock === undefined) {
      throw new Error("The block_setting should not be empty");
    }
    const norm: NormLayer = normLayer ?? ((d: number) => new LayerNorm2d(d, { eps: 1e-6 }));

    const layers: nn.Module[] = [];

    // Stem
    const firstconvOutputChannels = first.inputChannels;
    layers.push(
      ops.Conv2dNormActivation(3, firstconvOutputChannels, {
        kernelSize: 4,
        stride: 4,
        padding: 0,
        normLayer: norm,
        activationLayer: null,
        bias: true,
      }),
    );

    const totalStageBlocks = blockSetting.reduce((sum, cnf) => sum + cnf.numLayers, 0);
    let stageBlockId = 0;
    for (const cnf of blockSetting) {
      // Bottlenecks
      const stage: nn.Module[] = [];
      for (let i = 0; i < cnf.numLayers; i++) {
        // adjust stochastic depth probability based on the depth of the stage block
        const sdProb = (stochasticDepthProb * stageBlockId) / (totalStageBlocks - 1.0);
        stage.push(new CNBlock(cnf.inputChannels, layerScale, sdProb));
        stageBlockId++;
      }
      layers.push(nn.Sequential(...stage));
      if (cnf.outChannels !== null) {
        // Downsampling
        layers.push(
          nn.Sequential(norm(cnf.inputChannels), nn.Conv2d(cnf.inputChannels, cnf.outChannels, 2, { stride: 2 })),
        );
      }
    }

    this.features = nn.Sequential(...layers);
    this.avgpool = nn.AdaptiveAvgPool2d(1);

    const lastconvOutputChannels = lastblock.outChannels ?? lastblock.inputChannels;
    this.classifier = nn.Sequential(
      norm(lastconvOutputChannels),
      nn.Flatten(1),
      nn.Linear(lastconvOutputChannels, numClasses),
    );
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = this.avgpool(x);
    x = this.classifier(x);
    return x;
  }
}

/** ConvNeXt-Tiny, torchvision's `convnext_tiny` (stochastic depth 0.1; 28,589,128 parameters,
 *  4.46 G MACs).
 *  @input [N, 3, 224, 224] */
export const convnextTiny = new ConvNeXt(
  [cnBlockConfig(96, 192, 3), cnBlockConfig(192, 384, 3), cnBlockConfig(384, 768, 9), cnBlockConfig(768, null, 3)],
  0.1,
);
