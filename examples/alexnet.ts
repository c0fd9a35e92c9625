import { nn, torch, type Tensor } from "cnn-studio";

/**
 * AlexNet (Krizhevsky, Sutskever & Hinton, 2012) in torchvision's single-GPU layout
 * (64/192/384/256/256 filters, no LRN, adaptive 6×6 pooling before the classifier).
 */
export class AlexNet extends nn.Module {
  readonly features: nn.Sequential;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly classifier: nn.Sequential;

  constructor(numClasses: number = 1000, dropout: number = 0.5) {
    super();
    this.features = nn.Sequential(
      nn.Conv2d(3, 64, 11, { stride: 4, padding: 2 }),
      nn.ReLU({ inplace: true }),
      nn.MaxPool2d(3, { stride: 2 }),
      nn.Conv2d(64, 192, 5, { padding: 2 }),
      nn.ReLU({ inplace: true }),
      nn.MaxPool2d(3, { stride: 2 }),
      nn.Conv2d(192, 384, 3, { padding: 1 }),
      nn.ReLU({ inplace: true }),
      nn.Conv2d(384, 256, 3, { padding: 1 }),
      nn.ReLU({ inplace: true }),
      nn.Conv2d(256, 256, 3, { padding: 1 }),
      nn.ReLU({ inplace: true }),
      nn.MaxPool2d(3, { stride: 2 }),
    );
    this.avgpool = nn.AdaptiveAvgPool2d([6, 6]);
    this.classifier = nn.Sequential(
      nn.Dropout(dropout),
      nn.Linear(256 * 6 * 6, 4096),
      nn.ReLU({ inplace: true }),
      nn.Dropout(dropout),
      nn.Linear(4096, 4096),
      nn.ReLU({ inplace: true }),
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

/** AlexNet, torchvision layout (61,100,840 parameters).
 *  @input [N, 3, 224, 224] */
export const alexnet = new AlexNet();
