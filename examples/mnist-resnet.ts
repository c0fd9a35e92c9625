import { nn, torch, type Tensor } from "cnn-studio";

/**
 * The course's SimpleResNet for MNIST: a 3×3 stem (32 channels, BatchNorm), three residual
 * blocks that keep 32 channels at 28×28 (so the skip path needs no projection), global average
 * pooling and a linear classifier. 7 convolutions (1 + 3×2), 56,170 parameters, as in the course's
 * comparison table.
 */

/** conv → BatchNorm → ReLU → conv, added to the input, then ReLU: output = ReLU(F(x) + x). */
export class ResidualBlock extends nn.Module {
  readonly conv1: nn.Conv2d;
  readonly bn1: nn.BatchNorm2d;
  readonly relu: nn.ReLU;
  readonly conv2: nn.Conv2d;

  constructor(channels: number) {
    super();
    this.conv1 = nn.Conv2d(channels, channels, 3, { padding: 1, bias: false });
    this.bn1 = nn.BatchNorm2d(channels);
    this.relu = nn.ReLU({ inplace: true });
    this.conv2 = nn.Conv2d(channels, channels, 3, { padding: 1, bias: false });
  }

  forward(x: Tensor): Tensor {
    const out = this.conv2(this.relu(this.bn1(this.conv1(x))));
    return this.relu(torch.add(out, x));
  }
}

export class SimpleResNet extends nn.Module {
  readonly conv1: nn.Conv2d;
  readonly bn1: nn.BatchNorm2d;
  readonly relu: nn.ReLU;
  readonly blocks: nn.Sequential;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly fc: nn.Linear;

  constructor(channels: number = 32, numBlocks: number = 3, numClasses: number = 10) {
    super();
    this.conv1 = nn.Conv2d(1, channels, 3, { padding: 1, bias: false }); // 32 × 28 × 28
    this.bn1 = nn.BatchNorm2d(channels);
    this.relu = nn.ReLU({ inplace: true });
    const blocks: ResidualBlock[] = [];
    for (let i = 0; i < numBlocks; i++) blocks.push(new ResidualBlock(channels));
    this.blocks = nn.Sequential(...blocks);
    this.avgpool = nn.AdaptiveAvgPool2d(1); // global average pooling: 32 × 1 × 1
    this.fc = nn.Linear(channels, numClasses);
  }

  forward(x: Tensor): Tensor {
    x = this.relu(this.bn1(this.conv1(x)));
    x = this.blocks(x);
    x = torch.flatten(this.avgpool(x), 1);
    return this.fc(x);
  }
}

/** SimpleResNet for MNIST (56,170 parameters).
 *  @input [N, 1, 28, 28] */
export const mnistResNet = new SimpleResNet();
