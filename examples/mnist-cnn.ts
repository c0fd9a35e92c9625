import { nn, type Tensor } from "cnn-studio";

/**
 * "Our CNN" from the course's MNIST chapter: two 3×3 convolutions with padding 1 (16 and 32
 * filters), each followed by ReLU and 2×2 max pooling (28 → 14 → 7), then a 1568 → 128 → 10
 * classifier. About 207,000 parameters, ~99% MNIST accuracy.
 */
export class OurCNN extends nn.Module {
  readonly conv1: nn.Conv2d;
  readonly relu1: nn.ReLU;
  readonly pool1: nn.MaxPool2d;
  readonly conv2: nn.Conv2d;
  readonly relu2: nn.ReLU;
  readonly pool2: nn.MaxPool2d;
  readonly flatten: nn.Flatten;
  readonly fc1: nn.Linear;
  readonly relu3: nn.ReLU;
  readonly fc2: nn.Linear;

  constructor(numClasses: number = 10) {
    super();
    this.conv1 = nn.Conv2d(1, 16, 3, { padding: 1 });   // 16 × 28 × 28
    this.relu1 = nn.ReLU();
    this.pool1 = nn.MaxPool2d(2);                        // 16 × 14 × 14
    this.conv2 = nn.Conv2d(16, 32, 3, { padding: 1 });  // 32 × 14 × 14
    this.relu2 = nn.ReLU();
    this.pool2 = nn.MaxPool2d(2);                        // 32 × 7 × 7
    this.flatten = nn.Flatten();                         // 1568
    this.fc1 = nn.Linear(32 * 7 * 7, 128);
    this.relu3 = nn.ReLU();
    this.fc2 = nn.Linear(128, numClasses);
  }

  forward(x: Tensor): Tensor {
    x = this.pool1(this.relu1(this.conv1(x)));
    x = this.pool2(this.relu2(this.conv2(x)));
    x = this.flatten(x);
    x = this.relu3(this.fc1(x));
    return this.fc2(x);
  }
}

/** Our MNIST CNN (206,922 parameters).
 *  @input [N, 1, 28, 28] */
export const ourCnn = new OurCNN();
