import { nn, F, torch, type Tensor } from "cnn-studio";

/**
 * One DenseNet-BC layer: BN-ReLU-1×1 conv (bottleneck to bnSize·k channels) then BN-ReLU-3×3
 * conv producing k = growthRate new feature maps. Takes the list of all previous feature maps.
 */
export class _DenseLayer extends nn.Module {
  readonly norm1: nn.BatchNorm2d;
  readonly relu1: nn.ReLU;
  readonly conv1: nn.Conv2d;
  readonly norm2: nn.BatchNorm2d;
  readonly relu2: nn.ReLU;
  readonly conv2: nn.Conv2d;
  readonly dropRate: number;

  constructor(numInputFeatures: number, growthRate: number, bnSize: number, dropRate: number) {
    super();
    this.norm1 = nn.BatchNorm2d(numInputFeatures);
    this.relu1 = nn.ReLU({ inplace: true });
    this.conv1 = nn.Conv2d(numInputFeatures, bnSize * growthRate, 1, { stride: 1, bias: false });

    this.norm2 = nn.BatchNorm2d(bnSize * growthRate);
    this.relu2 = nn.ReLU({ inplace: true });
    this.conv2 = nn.Conv2d(bnSize * growthRate, growthRate, 3, { stride: 1, padding: 1, bias: false });

    this.dropRate = dropRate;
  }

  bnFunction(inputs: Tensor[]): Tensor {
    const concatedFeatures = torch.cat(inputs, 1);
    return this.conv1(this.relu1(this.norm1(concatedFeatures)));
  }

  forward(prevFeatures: Tensor[]): Tensor {
    const bottleneckOutput = this.bnFunction(prevFeatures);
    let newFeatures = this.conv2(this.relu2(this.norm2(bottleneckOutput)));
    if (this.dropRate > 0) {
      newFeatures = F.dropout(newFeatures, this.dropRate);
    }
    return newFeatures;
  }
}

/**
 * A dense block: `numLayers` dense layers registered as `denselayer1`, `denselayer2`, …; each
 * sees the concatenation of the block input and every earlier layer's output. Like torchvision's
 * `_DenseBlock`, it is a module dictionary whose `forward` walks its layers in order.
 */
export class _DenseBlock extends nn.ModuleDict {
  constructor(numLayers: number, numInputFeatures: number, bnSize: number, growthRate: number, dropRate: number) {
    super();
    for (let i = 0; i < numLayers; i++) {
      const layer = new _DenseLayer(numInputFeatures + i * growthRate, growthRate, bnSize, dropRate);
      this.addModule(`denselayer${i + 1}`, layer);
    }
  }

  forward(initFeatures: Tensor): Tensor {
    const features: Tensor[] = [initFeatures];
    for (const layer of Object.values(this)) {
      const newFeatures: Tensor = layer(features);
      features.push(newFeatures);
    }
    return torch.cat(features, 1);
  }
}

/** Transition between dense blocks: BN-ReLU-1×1 conv (halving channels) and 2×2 average pool. */
export class _Transition extends nn.Sequential {
  constructor(numInputFeatures: number, numOutputFeatures: number) {
    super({
      norm: nn.BatchNorm2d(numInputFeatures),
      relu: nn.ReLU({ inplace: true }),
      conv: nn.Conv2d(numInputFeatures, numOutputFeatures, 1, { stride: 1, bias: false }),
      pool: nn.AvgPool2d(2, { stride: 2 }),
    });
  }
}

/**
 * DenseNet-BC (Huang et al., 2017) in torchvision's layout: everything up to the final
 * BatchNorm lives in `features` (conv0, norm0, relu0, pool0, denseblock1, transition1, …, norm5).
 */
export class DenseNet extends nn.Module {
  readonly features: nn.Sequential;
  readonly classifier: nn.Linear;

  constructor(
    growthRate: number = 32,
    blockConfig: number[] = [6, 12, 24, 16],
    numInitFeatures: number = 64,
    bnSize: number = 4,
    dropRate: number = 0,
    numClasses: number = 1000,
  ) {
    super();

    // First convolution
    this.features = nn.Sequential({
      conv0: nn.Conv2d(3, numInitFeatures, 7, { stride: 2, padding: 3, bias: false }),
      norm0: nn.BatchNorm2d(numInitFeatures),
      relu0: nn.ReLU({ inplace: true }),
      pool0: nn.MaxPool2d(3, { stride: 2, padding: 1 }),
    });

    // Each dense block, with a transition after all but the last
    let numFeatures = numInitFeatures;
    for (let i = 0; i < blockConfig.length; i++) {
      const numLayers = blockConfig[i] ?? 0;
      const block = new _DenseBlock(numLayers, numFeatures, bnSize, growthRate, dropRate);
      this.features.addModule(`denseblock${i + 1}`, block);
      numFeatures = numFeatures + numLayers * growthRate;
      if (i !== blockConfig.length - 1) {
        const trans = new _Transition(numFeatures, Math.floor(numFeatures / 2));
        this.features.addModule(`transition${i + 1}`, trans);
        numFeatures = Math.floor(numFeatures / 2);
      }
    }

    // Final batch norm
    this.features.addModule("norm5", nn.BatchNorm2d(numFeatures));

    // Linear layer
    this.classifier = nn.Linear(numFeatures, numClasses);
  }

  forward(x: Tensor): Tensor {
    const features = this.features(x);
    let out = F.relu(features, { inplace: true });
    out = F.adaptiveAvgPool2d(out, [1, 1]);
    out = torch.flatten(out, 1);
    out = this.classifier(out);
    return out;
  }
}

/** DenseNet-121 (growth rate 32, blocks 6-12-24-16), torchvision layout (7,978,856 parameters).
 *  @input [N, 3, 224, 224] */
export const densenet121 = new DenseNet(32, [6, 12, 24, 16], 64);
