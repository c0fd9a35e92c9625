import { nn, F, type Tensor } from "cnn-studio";
import { Bottleneck, ResNet } from "./resnet";

/**
 * FCN (Long, Shelhamer & Darrell, "Fully Convolutional Networks for Semantic Segmentation", 2015)
 * on a dilated ResNet-50, transcribed from torchvision's `models/segmentation/fcn.py`,
 * `segmentation/_utils.py` and `models/_utils.py` with their module names, so layer paths and
 * state_dict names are torchvision's (`backbone.layer4.0.conv2.weight`, `classifier.0.weight`,
 * `aux_classifier.4.bias`). The forward returns an object of tensors, `{ out, aux }`, as
 * torchvision's segmentation models return their `OrderedDict`.
 */

/**
 * Wraps a model's children up to the last one named in `returnLayers` (a ModuleDict) and returns
 * the outputs of the named ones under their new names.
 */
export class IntermediateLayerGetter extends nn.ModuleDict {
  readonly returnLayers: Record<string, string>;

  constructor(model: nn.Module, returnLayers: Record<string, string>) {
    const remaining: Record<string, string> = { ...returnLayers };
    const layers: Record<string, nn.Module> = {};
    for (const [name, module] of model.namedChildren()) {
      layers[name] = module;
      if (name in remaining) {
        delete remaining[name];
      }
      if (Object.keys(remaining).length === 0) {
        break;
      }
    }
    super(layers);
    this.returnLayers = returnLayers;
  }

  forward(x: Tensor): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, module] of this.items()) {
      x = module(x);
      if (name in this.returnLayers) {
        const outName = this.returnLayers[name]!;
        out[outName] = x;
      }
    }
    return out;
  }
}

/**
 * torchvision's `_SimpleSegmentationModel`: backbone features, a classifier on `out` (and an
 * auxiliary classifier on `aux`), each upsampled bilinearly to the input's size.
 */
export class SimpleSegmentationModel extends nn.Module {
  readonly backbone: IntermediateLayerGetter;
  readonly classifier: nn.Module;
  readonly aux_classifier: nn.Module | null;

  constructor(backbone: IntermediateLayerGetter, classifier: nn.Module, auxClassifier: nn.Module | null = null) {
    super();
    this.backbone = backbone;
    this.classifier = classifier;
    this.aux_classifier = auxClassifier;
  }

  forward(x: Tensor): Record<string, Tensor> {
    const inputShape = x.shape.slice(-2);
    // contract: features is a dict of tensors
    const features = this.backbone(x);

    const result: Record<string, Tensor> = {};
    x = features["out"]!;
    x = this.classifier(x);
    x = F.interpolate(x, { size: inputShape, mode: "bilinear", alignCorners: false });
    result["out"] = x;

    if (this.aux_classifier !== null) {
      x = features["aux"]!;
      x = this.aux_classifier(x);
      x = F.interpolate(x, { size: inputShape, mode: "bilinear", alignCorners: false });
      result["aux"] = x;
    }

    return result;
  }
}

/** torchvision's `FCN`: a `_SimpleSegmentationModel`. */
export class FCN extends SimpleSegmentationModel {}

/** The FCN head: 3×3 conv to a quarter of the channels, BatchNorm, ReLU, dropout, 1×1 conv. */
export class FCNHead extends nn.Sequential {
  constructor(inChannels: number, channels: number) {
    const interChannels = Math.floor(inChannels / 4);
    super(
      nn.Conv2d(inChannels, interChannels, 3, { padding: 1, bias: false }),
      nn.BatchNorm2d(interChannels),
      nn.ReLU(),
      nn.Dropout(0.1),
      nn.Conv2d(interChannels, channels, 1),
    );
  }
}

/** torchvision's `_fcn_resnet`: layer4 is `out`, layer3 `aux` when there is an auxiliary head. */
function fcnResnet(backbone: ResNet, numClasses: number, aux: boolean): FCN {
  const returnLayers: Record<string, string> = { layer4: "out" };
  if (aux) {
    returnLayers["layer3"] = "aux";
  }
  const features = new IntermediateLayerGetter(backbone, returnLayers);

  const auxClassifier = aux ? new FCNHead(1024, numClasses) : null;
  const classifier = new FCNHead(2048, numClasses);
  return new FCN(features, classifier, auxClassifier);
}

/** torchvision's `fcn_resnet50`: ResNet-50 with strides 2 of layer3 and layer4 replaced by dilation. */
export function fcnResnet50Model(numClasses: number = 21, auxLoss: boolean = false): FCN {
  const backbone = new ResNet(Bottleneck, [3, 4, 6, 3], 1000, 1, 64, [false, true, true]);
  return fcnResnet(backbone, numClasses, auxLoss);
}

/** FCN-ResNet50 with the auxiliary classifier, as torchvision builds it for its pretrained weights
 *  (`aux_loss=True`; 35,322,218 parameters, 152.72 G MACs at 520×520). Returns `{ out, aux }`.
 *  @input [N, 3, 520, 520] */
export const fcnResnet50 = fcnResnet50Model(21, true);

/** FCN-ResNet50 as `fcn_resnet50(weights=None)` builds it: no auxiliary classifier
 *  (32,957,013 parameters). Returns `{ out }`.
 *  @input [N, 3, 520, 520] */
export const fcnResnet50NoAux = fcnResnet50Model(21, false);
