import { nn, torch, type Tensor } from "cnn-studio";

/**
 * The course's SimpleCNN for 32×32 colour images (CIFAR-10): three 3×3 convolutions
 * (32, 64, 128 filters) with ReLU, max pooling after the first two, global average pooling
 * instead of a large fully connected head, and one linear classifier.
 */
export default class SimpleCNN extends nn.Module {
  readonly features: nn.Sequential;
  readonly classifier: nn.Linear;

  constructor(numClasses: number = 10) {
    super();
    this.features = nn.Sequential(
      nn.Conv2d(3, 32, 3, { padding: 1 }), nn.ReLU(),
      nn.MaxPool2d(2),
      nn.Conv2d(32, 64, 3, { padding: 1 }), nn.ReLU(),
      nn.MaxPool2d(2),
      nn.Conv2d(64, 128, 3, { padding: 1 }), nn.ReLU(),
      nn.AdaptiveAvgPool2d(1), // global average pooling
    );
    this.classifier = nn.Linear(128, numClasses);
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = torch.flatten(x, 1);
    return this.classifier(x);
  }
}

/** SimpleCNN on CIFAR-10 (94,538 parameters).
 *  @input [N, 3, 32, 32] */
export const simpleCnn = new SimpleCNN(10);
