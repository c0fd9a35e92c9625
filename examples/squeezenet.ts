import { nn, torch, type Tensor } from "cnn-studio";

/**
 * SqueezeNet Fire module: a 1×1 "squeeze" convolution feeding parallel 1×1 and 3×3 "expand"
 * convolutions whose outputs are concatenated.
 */
export class Fire extends nn.Module {
  readonly inplanes: number;
  readonly squeeze: nn.Conv2d;
  readonly squeeze_activation: nn.ReLU;
  readonly expand1x1: nn.Conv2d;
  readonly expand1x1_activation: nn.ReLU;
  readonly expand3x3: nn.Conv2d;
  readonly expand3x3_activation: nn.ReLU;

  constructor(inplanes: number, squeezePlanes: number, expand1x1Planes: number, expand3x3Planes: number) {
    super();
    this.inplanes = inplanes;
    this.squeeze = nn.Conv2d(inplanes, squeezePlanes, 1);
    this.squeeze_activation = nn.ReLU({ inplace: true });
    this.expand1x1 = nn.Conv2d(squeezePlanes, expand1x1Planes, 1);
    this.expand1x1_activation = nn.ReLU({ inplace: true });
    this.expand3x3 = nn.Conv2d(squeezePlanes, expand3x3Planes, 3, { padding: 1 });
    this.expand3x3_activation = nn.ReLU({ inplace: true });
  }

  forward(x: Tensor): Tensor {
    x = this.squeeze_activation(this.squeeze(x));
    return torch.cat(
      [this.expand1x1_activation(this.expand1x1(x)), this.expand3x3_activation(this.expand3x3(x))],
      1,
    );
  }
}

/**
 * SqueezeNet (Iandola et al., 2016) in torchvision's layout: AlexNet-level accuracy with 50×
 * fewer parameters; the classifier is a 1×1 convolution followed by global average pooling.
 */
export class SqueezeNet extends nn.Module {
  readonly numClasses: number;
  readonly features: nn.Sequential;
  readonly classifier: nn.Sequential;

  constructor(version: "1_0" | "1_1" = "1_0", numClasses: number = 1000, dropout: number = 0.5) {
    super();
    this.numClasses = numClasses;
    if (version === "1_0") {
      this.features = nn.Sequential(
        nn.Conv2d(3, 96, 7, { stride: 2 }),
        nn.ReLU({ inplace: true }),
        nn.MaxPool2d(3, { stride: 2, ceilMode: true }),
        new Fire(96, 16, 64, 64),
        new Fire(128, 16, 64, 64),
        new Fire(128, 32, 128, 128),
        nn.MaxPool2d(3, { stride: 2, ceilMode: true }),
        new Fire(256, 32, 128, 128),
        new Fire(256, 48, 192, 192),
        new Fire(384, 48, 192, 192),
        new Fire(384, 64, 256, 256),
        nn.MaxPool2d(3, { stride: 2, ceilMode: true }),
        new Fire(512, 64, 256, 256),
      );
    } else if (version === "1_1") {
      this.features = nn.Sequential(
        nn.Conv2d(3, 64, 3, { stride: 2 }),
        nn.ReLU({ inplace: true }),
        nn.MaxPool2d(3, { stride: 2, ceilMode: true }),
        new Fire(64, 16, 64, 64),
        new Fire(128, 16, 64, 64),
        nn.MaxPool2d(3, { stride: 2, ceilMode: true }),
        new Fire(128, 32, 128, 128),
        new Fire(256, 32, 128, 128),
        nn.MaxPool2d(3, { stride: 2, ceilMode: true }),
        new Fire(256, 48, 192, 192),
        new Fire(384, 48, 192, 192),
        new Fire(384, 64, 256, 256),
        new Fire(512, 64, 256, 256),
      );
    } else {
      throw new Error(`Unsupported SqueezeNet version ${version}: 1_0 or 1_1 expected`);
    }

    // Final convolution is initialized differently from the rest
    const finalConv = nn.Conv2d(512, this.numClasses, 1);
    this.classifier = nn.Sequential(
      nn.Dropout(dropout),
      finalConv,
      nn.ReLU({ inplace: true }),
      nn.AdaptiveAvgPool2d([1, 1]),
    );
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = this.classifier(x);
    return torch.flatten(x, 1);
  }
}

/** SqueezeNet 1.0, torchvision layout (1,248,424 parameters).
 *  @input [N, 3, 224, 224] */
export const squeezenet1_0 = new SqueezeNet("1_0");
