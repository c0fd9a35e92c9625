import { nn } from "cnn-studio";
import { BasicBlock, Bottleneck, ResNet, type Block } from "./resnet";

/**
 * Transfer learning: an ImageNet ResNet whose 1000-class head `fc` is replaced by a new linear
 * layer for a smaller task, exactly like `model.fc = nn.Linear(model.fc.in_features, 10)` in
 * PyTorch. The new head keeps the old one's place and name in the module tree, and the backbone
 * is unchanged, so pretrained weights load into every other layer. With `freezeBackbone` the
 * backbone's parameters are frozen first (`requires_grad_(False)`), so only the new head trains.
 */
export class ResNetTransfer extends ResNet {
  constructor(block: Block, layers: [number, number, number, number], numClasses: number, freezeBackbone = false) {
    super(block, layers);
    if (freezeBackbone) {
      this.requiresGrad_(false);
    }
    this.fc = nn.Linear(512 * block.expansion, numClasses);
  }
}

/** ResNet-18 backbone with a new 10-class head (CIFAR-10 classes, ImageNet-sized input);
 *  everything is fine-tuned.
 *  @input [N, 3, 224, 224] */
export const resnet18Cifar10 = new ResNetTransfer(BasicBlock, [2, 2, 2, 2], 10);

/** ResNet-18 as a frozen feature extractor: only the new 10-class head is trainable
 *  (5,130 of 11,181,642 parameters).
 *  @input [N, 3, 224, 224] */
export const resnet18Cifar10Frozen = new ResNetTransfer(BasicBlock, [2, 2, 2, 2], 10, true);

/** ResNet-50 backbone with a new 10-class head, fully fine-tuned.
 *  @input [N, 3, 224, 224] */
export const resnet50Cifar10 = new ResNetTransfer(Bottleneck, [3, 4, 6, 3], 10);
