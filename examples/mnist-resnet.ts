import { nn, torch, type Tensor } from "cnn-studio";

/**
 * Residual block for the MNIST ResNet, laid out like torchvision's BasicBlock: two 3×3
 * convolutions with BatchNorm, and a 1×1 convolution + BatchNorm on the shortcut when the
 * stride or the channel count changes. output = ReLU(F(x) + shortcut(x)).
 */
export class ResidualBlock extends nn.Module {
  readonly conv1: nn.Conv2d;
  readonly bn1: nn.BatchNorm2d;
  readonly relu: nn.ReLU;
  readonly conv2: nn.Conv2d;
  readonly bn2: nn.BatchNorm2d;
  readonly downsample: nn.Sequential | null;

  constructor(inChannels: number, outChannels: number, stride: number = 1) {
    super();
    this.conv1 = nn.Conv2d(inChannels, outChannels, 3, { stride, padding: 1, bias: false });
    this.bn1 = nn.BatchNorm2d(outChannels);
    this.relu = nn.ReLU({ inplace: true });
    this.conv2 = nn.Conv2d(outChannels, outChannels, 3, { padding: 1, bias: false });
    this.bn2 = nn.BatchNorm2d(outChannels);
    this.downsample = null;
    if (stride !== 1 || inChannels !== outChannels) {
      this.downsample = nn.Sequential(
        nn.Conv2d(inChannels, outChannels, 1, { stride, bias: false }),
        nn.BatchNorm2d(outChannels),
      );
    }
  }

  forward(x: Tensor): Tensor {
    let identity = x;
    let out = this.relu(this.bn1(this.conv1(x)));
    out = this.bn2(this.conv2(out));
    if (this.downsample !== null) {
      identity = this.downsample(x);
    }
    out = torch.add(out, identity);
    return this.relu(out);
  }
}

/**
 * A small residual network for MNIST: a 3×3 stem (16 channels), three residual blocks
 * (16 → 16, 16 → 32 with stride 2 and a projection shortcut, 32 → 32), global average pooling
 * and a linear classifier. Seven main-path convolutions (1 + 3×2).
 */
export class MnistResNet extends nn.Module {
  readonly conv1: nn.Conv2d;
  readonly bn1: nn.BatchNorm2d;
  readonly relu: nn.ReLU;
  readonly block1: ResidualBlock;
  readonly block2: ResidualBlock;
  readonly block3: ResidualBlock;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly fc: nn.Linear;

  constructor(numClasses: number = 10) {
    super();
    this.conv1 = nn.Conv2d(1, 16, 3, { padding: 1, bias: false }); // 16 × 28 × 28
    this.bn1 = nn.BatchNorm2d(16);
    this.relu = nn.ReLU({ inplace: true });
    this.block1 = new ResidualBlock(16, 16);     // 16 × 28 × 28
    this.block2 = new ResidualBlock(16, 32, 2);  // 32 × 14 × 14
    this.block3 = new ResidualBlock(32, 32);     // 32 × 14 × 14
    this.avgpool = nn.AdaptiveAvgPool2d(1);
    this.fc = nn.Linear(32, numClasses);
  }

  forward(x: Tensor): Tensor {
    x = this.relu(this.bn1(this.conv1(x)));
    x = this.block1(x);
    x = this.block2(x);
    x = this.block3(x);
    x = this.avgpool(x);
    x = torch.flatten(x, 1);
    return this.fc(x);
  }
}

/** Residual network for MNIST (38,266 parameters).
 *  @input [N, 1, 28, 28] */
export const mnistResNet = new MnistResNet();
