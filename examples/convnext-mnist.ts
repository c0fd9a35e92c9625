import { nn, ops, type Tensor } from "cnn-studio";
import { CNBlock, LayerNorm2d, type NormLayer } from "./convnext";

/**
 * A small ConvNeXt for 28×28 MNIST digits, small enough to train on the bundled sample in minutes
 * on a CPU: torchvision's 4×4 stride-4 "patchify" stem to 32 channels (7×7), two ConvNeXt blocks, a
 * downsampling to 64 channels (3×3), two more blocks, then torchvision's head. It is torchvision's `ConvNeXt` (see
 * ./convnext.ts) with a one-channel stem, with torchvision's module names (`features.1.0.block.0`,
 * `features.1.0.layer_scale`, `classifier.2`).
 */
export class MnistConvNeXt extends nn.Module {
  readonly features: nn.Sequential;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly classifier: nn.Sequential;

  constructor(widths: number[] = [32, 64], depths: number[] = [2, 2], numClasses: number = 10, layerScale: number = 1e-6) {
    super();
    const norm: NormLayer = (d: number) => new LayerNorm2d(d, { eps: 1e-6 });
    const first = widths[0] ?? 32;
    const layers: nn.Module[] = [
      // Stem
      ops.Conv2dNormActivation(1, first, { kernelSize: 4, stride: 4, padding: 0, normLayer: norm, activationLayer: null, bias: true }),
    ];
    for (let i = 0; i < widths.length; i++) {
      const width = widths[i] ?? first;
      const stage: nn.Module[] = [];
      for (let j = 0; j < (depths[i] ?? 1); j++) {
        stage.push(new CNBlock(width, layerScale, 0.0));
      }
      layers.push(nn.Sequential(...stage));
      if (i + 1 < widths.length) {
        // Downsampling
        layers.push(nn.Sequential(norm(width), nn.Conv2d(width, widths[i + 1]!, 2, { stride: 2 })));
      }
    }
    this.features = nn.Sequential(...layers);
    this.avgpool = nn.AdaptiveAvgPool2d(1);
    const last = widths[widths.length - 1] ?? first;
    this.classifier = nn.Sequential(norm(last), nn.Flatten(1), nn.Linear(last, numClasses));
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = this.avgpool(x);
    return this.classifier(x);
  }
}

/** ConvNeXt for MNIST (102,762 parameters).
 *  @input [N, 1, 28, 28] */
export const convnextMnist = new MnistConvNeXt();
