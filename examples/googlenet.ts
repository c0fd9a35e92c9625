import { nn, F, torch, type Tensor } from "cnn-studio";

/** Options of a BasicConv2d convolution (torchvision passes them as keyword arguments). */
interface ConvOptions {
  stride?: number;
  padding?: number;
}

/** Convolution without bias, BatchNorm (eps 0.001) and ReLU: GoogLeNet's basic unit. */
export class BasicConv2d extends nn.Module {
  readonly conv: nn.Conv2d;
  readonly bn: nn.BatchNorm2d;

  constructor(inChannels: number, outChannels: number, kernelSize: number, opts: ConvOptions = {}) {
    super();
    this.conv = nn.Conv2d(inChannels, outChannels, kernelSize, { ...opts, bias: false });
    this.bn = nn.BatchNorm2d(outChannels, { eps: 0.001 });
  }

  forward(x: Tensor): Tensor {
    x = this.conv(x);
    x = this.bn(x);
    return F.relu(x, { inplace: true });
  }
}

/**
 * Inception module: four parallel branches (1×1; 1×1 → 3×3; 1×1 → "5×5"; 3×3 max pool → 1×1)
 * concatenated along channels. As in torchvision, branch 3 uses a 3×3 kernel, not the paper's
 * 5×5 (pytorch/vision#906).
 */
export class Inception extends nn.Module {
  readonly branch1: BasicConv2d;
  readonly branch2: nn.Sequential;
  readonly branch3: nn.Sequential;
  readonly branch4: nn.Sequential;

  constructor(
    inChannels: number,
    ch1x1: number,
    ch3x3red: number,
    ch3x3: number,
    ch5x5red: number,
    ch5x5: number,
    poolProj: number,
  ) {
    super();
    this.branch1 = new BasicConv2d(inChannels, ch1x1, 1);
    this.branch2 = nn.Sequential(
      new BasicConv2d(inChannels, ch3x3red, 1),
      new BasicConv2d(ch3x3red, ch3x3, 3, { padding: 1 }),
    );
    this.branch3 = nn.Sequential(
      new BasicConv2d(inChannels, ch5x5red, 1),
      new BasicConv2d(ch5x5red, ch5x5, 3, { padding: 1 }),
    );
    this.branch4 = nn.Sequential(
      nn.MaxPool2d(3, { stride: 1, padding: 1, ceilMode: true }),
      new BasicConv2d(inChannels, poolProj, 1),
    );
  }

  forward(x: Tensor): Tensor {
    const branch1 = this.branch1(x);
    const branch2 = this.branch2(x);
    const branch3 = this.branch3(x);
    const branch4 = this.branch4(x);
    return torch.cat([branch1, branch2, branch3, branch4], 1);
  }
}

/**
 * GoogLeNet / Inception v1 (Szegedy et al., 2014) in torchvision's layout, with BatchNorm and
 * without the auxiliary classifiers (`aux_logits=False`, `transform_input=False`).
 */
export class GoogLeNet extends nn.Module {
  readonly conv1: BasicConv2d;
  readonly maxpool1: nn.MaxPool2d;
  readonly conv2: BasicConv2d;
  readonly conv3: BasicConv2d;
  readonly maxpool2: nn.MaxPool2d;
  readonly inception3a: Inception;
  readonly inception3b: Inception;
  readonly maxpool3: nn.MaxPool2d;
  readonly inception4a: Inception;
  readonly inception4b: Inception;
  readonly inception4c: Inception;
  readonly inception4d: Inception;
  readonly inception4e: Inception;
  readonly maxpool4: nn.MaxPool2d;
  readonly inception5a: Inception;
  readonly inception5b: Inception;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly dropout: nn.Dropout;
  readonly fc: nn.Linear;

  constructor(numClasses: number = 1000, dropout: number = 0.2) {
    super();
    this.conv1 = new BasicConv2d(3, 64, 7, { stride: 2, padding: 3 });
    this.maxpool1 = nn.MaxPool2d(3, { stride: 2, ceilMode: true });
    this.conv2 = new BasicConv2d(64, 64, 1);
    this.conv3 = new BasicConv2d(64, 192, 3, { padding: 1 });
    this.maxpool2 = nn.MaxPool2d(3, { stride: 2, ceilMode: true });

    this.inception3a = new Inception(192, 64, 96, 128, 16, 32, 32);
    this.inception3b = new Inception(256, 128, 128, 192, 32, 96, 64);
    this.maxpool3 = nn.MaxPool2d(3, { stride: 2, ceilMode: true });

    this.inception4a = new Inception(480, 192, 96, 208, 16, 48, 64);
    this.inception4b = new Inception(512, 160, 112, 224, 24, 64, 64);
    this.inception4c = new Inception(512, 128, 128, 256, 24, 64, 64);
    this.inception4d = new Inception(512, 112, 144, 288, 32, 64, 64);
    this.inception4e = new Inception(528, 256, 160, 320, 32, 128, 128);
    this.maxpool4 = nn.MaxPool2d(2, { stride: 2, ceilMode: true });

    this.inception5a = new Inception(832, 256, 160, 320, 32, 128, 128);
    this.inception5b = new Inception(832, 384, 192, 384, 48, 128, 128);

    this.avgpool = nn.AdaptiveAvgPool2d([1, 1]);
    this.dropout = nn.Dropout(dropout);
    this.fc = nn.Linear(1024, numClasses);
  }

  forward(x: Tensor): Tensor {
    x = this.conv1(x);        // N × 64 × 112 × 112
    x = this.maxpool1(x);     // N × 64 × 56 × 56
    x = this.conv2(x);        // N × 64 × 56 × 56
    x = this.conv3(x);        // N × 192 × 56 × 56
    x = this.maxpool2(x);     // N × 192 × 28 × 28

    x = this.inception3a(x);  // N × 256 × 28 × 28
    x = this.inception3b(x);  // N × 480 × 28 × 28
    x = this.maxpool3(x);     // N × 480 × 14 × 14
    x = this.inception4a(x);  // N × 512 × 14 × 14
    x = this.inception4b(x);  // N × 512 × 14 × 14
    x = this.inception4c(x);  // N × 512 × 14 × 14
    x = this.inception4d(x);  // N × 528 × 14 × 14
    x = this.inception4e(x);  // N × 832 × 14 × 14
    x = this.maxpool4(x);     // N × 832 × 7 × 7
    x = this.inception5a(x);  // N × 832 × 7 × 7
    x = this.inception5b(x);  // N × 1024 × 7 × 7

    x = this.avgpool(x);      // N × 1024 × 1 × 1
    x = torch.flatten(x, 1);  // N × 1024
    x = this.dropout(x);
    x = this.fc(x);           // N × 1000
    return x;
  }
}

/** GoogLeNet, torchvision layout without auxiliary heads (6,624,904 parameters).
 *  @input [N, 3, 224, 224] */
export const googlenet = new GoogLeNet();
