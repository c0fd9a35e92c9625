import { nn, torch, type Tensor } from "cnn-studio";

/** A VGG configuration: output channels of each 3×3 convolution, "M" for a 2×2 max pool. */
type VggCfg = (number | "M")[];

/**
 * VGG (Simonyan & Zisserman, 2014) in torchvision's layout: a convolutional `features` stack,
 * adaptive 7×7 average pooling and a three-layer classifier with dropout.
 */
export class VGG extends nn.Module {
  readonly features: nn.Module;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly classifier: nn.Sequential;

  constructor(features: nn.Module, numClasses: number = 1000, dropout: number = 0.5) {
    super();
    this.features = features;
    this.avgpool = nn.AdaptiveAvgPool2d([7, 7]);
    this.classifier = nn.Sequential(
      nn.Linear(512 * 7 * 7, 4096),
      nn.ReLU({ inplace: true }),
      nn.Dropout(dropout),
      nn.Linear(4096, 4096),
      nn.ReLU({ inplace: true }),
      nn.Dropout(dropout),
      nn.Linear(4096, numClasses),
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

/** Builds the `features` stack from a configuration (torchvision's `make_layers`). */
export function makeLayers(cfg: VggCfg, batchNorm: boolean = false): nn.Sequential {
  const layers: nn.Module[] = [];
  let inChannels = 3;
  for (const v of cfg) {
    if (v === "M") {
      layers.push(nn.MaxPool2d(2, { stride: 2 }));
    } else {
      const conv2d = nn.Conv2d(inChannels, v, 3, { padding: 1 });
      if (batchNorm) {
        layers.push(conv2d, nn.BatchNorm2d(v), nn.ReLU({ inplace: true }));
      } else {
        layers.push(conv2d, nn.ReLU({ inplace: true }));
      }
      inChannels = v;
    }
  }
  return nn.Sequential(...layers);
}

/** Configurations A (VGG-11), B (VGG-13), D (VGG-16) and E (VGG-19) of the paper. */
const cfgs: { A: VggCfg; B: VggCfg; D: VggCfg; E: VggCfg } = {
  A: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  B: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  D: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
  E: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
};

/** VGG-11 (configuration A).
 *  @input [N, 3, 224, 224] */
export const vgg11 = new VGG(makeLayers(cfgs.A, false));

/** VGG-11 with batch normalisation.
 *  @input [N, 3, 224, 224] */
export const vgg11Bn = new VGG(makeLayers(cfgs.A, true));

/** VGG-16 (configuration D, 138,357,544 parameters).
 *  @input [N, 3, 224, 224] */
export const vgg16 = new VGG(makeLayers(cfgs.D, false));

/** VGG-16 with batch normalisation.
 *  @input [N, 3, 224, 224] */
export const vgg16Bn = new VGG(makeLayers(cfgs.D, true));

/** VGG-19 (configuration E).
 *  @input [N, 3, 224, 224] */
export const vgg19 = new VGG(makeLayers(cfgs.E, false));

/** VGG-19 with batch normalisation.
 *  @input [N, 3, 224, 224] */
export const vgg19Bn = new VGG(makeLayers(cfgs.E, true));
