import { nn, torch, type Tensor } from "cnn-studio";

/** LeNet-5 as published in 1998.
 *  @input [N, 1, 32, 32] */
export const lenet5 = nn.Sequential(
  nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
  nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
  nn.Flatten(),
  nn.Linear(16 * 5 * 5, 120), nn.Tanh(),
  nn.Linear(120, 84), nn.Tanh(),
  nn.Linear(84, 10),
);

/**
 * LeNet-5 (LeCun et al., 1998) for square single-channel inputs: two 5×5 convolutions without
 * padding, tanh and 2×2 average pooling, then three fully connected layers. The width of the
 * first linear layer follows from the input size (32 → 16·5·5, 28 → 16·4·4).
 */
export class LeNet5 extends nn.Module {
  readonly features: nn.Sequential;
  readonly classifier: nn.Sequential;

  constructor(inputSize: number = 28, numClasses: number = 10) {
    super();
    this.features = nn.Sequential(
      nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
      nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
    );
    // conv 5×5 (no padding) then pool 2, twice
    const spatial = Math.floor((Math.floor((inputSize - 4) / 2) - 4) / 2);
    this.classifier = nn.Sequential(
      nn.Linear(16 * spatial * spatial, 120), nn.Tanh(),
      nn.Linear(120, 84), nn.Tanh(),
      nn.Linear(84, numClasses),
    );
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = torch.flatten(x, 1);
    return this.classifier(x);
  }
}

/** LeNet-5 on 28×28 MNIST digits, as the course trains it: 6×24×24 → 6×12×12 → 16×8×8 →
 *  16×4×4 → 256 → 120 → 84 → 10 (44,426 parameters).
 *  @input [N, 1, 28, 28] */
export const lenet5Mnist = new LeNet5(28, 10);
