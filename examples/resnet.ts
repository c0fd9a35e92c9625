import { nn, torch, type Tensor } from "cnn-studio";

/** A normalisation layer factory, like torchvision's `norm_layer` (default `nn.BatchNorm2d`). */
export type NormLayer = (numFeatures: number) => nn.Module;

/** 3×3 convolution with padding, no bias. */
export function conv3x3(inPlanes: number, outPlanes: number, stride = 1, groups = 1, dilation = 1): nn.Conv2d {
  return nn.Conv2d(inPlanes, outPlanes, 3, { stride, padding: dilation, groups, bias: false, dilation });
}

/** 1×1 convolution, no bias. */
export function conv1x1(inPlanes: number, outPlanes: number, stride = 1): nn.Conv2d {
  return nn.Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });
}

/** Residual block of ResNet-18/34: two 3×3 convolutions with a shortcut (He et al., 2015). */
export class BasicBlock extends nn.Module {
  static expansion = 1;

  readonly conv1: nn.Conv2d;
  readonly bn1: nn.Module;
  readonly relu: nn.ReLU;
  readonly conv2: nn.Conv2d;
  readonly bn2: nn.Module;
  readonly downsample: nn.Module | null;
  readonly stride: number;

  constructor(
    inplanes: number,
    planes: number,
    stride: number = 1,
    downsample: nn.Module | null = null,
    groups: number = 1,
    baseWidth: number = 64,
    dilation: number = 1,
    normLayer: NormLayer = nn.BatchNorm2d,
  ) {
    super();
    if (groups !== 1 || baseWidth !== 64) {
      throw new Error("BasicBlock only supports groups=1 and base_width=64");
    }
    if (dilation > 1) {
      throw new Error("Dilation > 1 not supported in BasicBlock");
    }
    // Both this.conv1 and this.downsample downsample the input when stride != 1
    this.conv1 = conv3x3(inplanes, planes, stride);
    this.bn1 = normLayer(planes);
    this.relu = nn.ReLU({ inplace: true });
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = normLayer(planes);
    this.downsample = downsample;
    this.stride = stride;
  }

  forward(x: Tensor): Tensor {
    let identity = x;

    let out = this.conv1(x);
    out = this.bn1(out);
    out = this.relu(out);

    out = this.conv2(out);
    out = this.bn2(out);

    if (this.downsample !== null) {
      identity = this.downsample(x);
    }

    out = out.add(identity);
    out = this.relu(out);
    return out;
  }
}

/**
 * Bottleneck block of ResNet-50/101/152: 1×1 reduce, 3×3, 1×1 expand (×4), with a shortcut.
 * As in torchvision (ResNet v1.5) the stride sits on the 3×3 convolution.
 */
export class Bottleneck extends nn.Module {
  static expansion = 4;

  readonly conv1: nn.Conv2d;
  readonly bn1: nn.Module;
  readonly conv2: nn.Conv2d;
  readonly bn2: nn.Module;
  readonly conv3: nn.Conv2d;
  readonly bn3: nn.Module;
  readonly relu: nn.ReLU;
  readonly downsample: nn.Module | null;
  readonly stride: number;

  constructor(
    inplanes: number,
    planes: number,
    stride: number = 1,
    downsample: nn.Module | null = null,
    groups: number = 1,
    baseWidth: number = 64,
    dilation: number = 1,
    normLayer: NormLayer = nn.BatchNorm2d,
  ) {
    super();
    const width = Math.floor(planes * (baseWidth / 64)) * groups;
    // Both this.conv2 and this.downsample downsample the input when stride != 1
    this.conv1 = conv1x1(inplanes, width);
    this.bn1 = normLayer(width);
    this.conv2 = conv3x3(width, width, stride, groups, dilation);
    this.bn2 = normLayer(width);
    this.conv3 = conv1x1(width, planes * Bottleneck.expansion);
    this.bn3 = normLayer(planes * Bottleneck.expansion);
    this.relu = nn.ReLU({ inplace: true });
    this.downsample = downsample;
    this.stride = stride;
  }

  forward(x: Tensor): Tensor {
    let identity = x;

    let out = this.conv1(x);
    out = this.bn1(out);
    out = this.relu(out);

    out = this.conv2(out);
    out = this.bn2(out);
    out = this.relu(out);

    out = this.conv3(out);
    out = this.bn3(out);

    if (this.downsample !== null) {
      identity = this.downsample(x);
    }

    out = out.add(identity);
    out = this.relu(out);
    return out;
  }
}

/** Either residual block class; both take the same constructor arguments. */
export type Block = typeof BasicBlock | typeof Bottleneck;

/** ResNet (He et al., 2015) in torchvision's layout: 7×7 stem, four stages, GAP, linear. */
export class ResNet extends nn.Module {
  private inplanes = 64;
  private dilation = 1;
  private readonly groups: number;
  private readonly baseWidth: number;
  private readonly normLayer: NormLayer;

  readonly conv1: nn.Conv2d;
  readonly bn1: nn.Module;
  readonly relu: nn.ReLU;
  readonly maxpool: nn.MaxPool2d;
  readonly layer1: nn.Sequential;
  readonly layer2: nn.Sequential;
  readonly layer3: nn.Sequential;
  readonly layer4: nn.Sequential;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  fc: nn.Linear;

  constructor(
    block: Block,
    layers: [number, number, number, number],
    numClasses: number = 1000,
    groups: number = 1,
    widthPerGroup: number = 64,
    replaceStrideWithDilation: [boolean, boolean, boolean] = [false, false, false],
    normLayer: NormLayer = nn.BatchNorm2d,
  ) {
    super();
    this.normLayer = normLayer;
    this.groups = groups;
    this.baseWidth = widthPerGroup;
    this.conv1 = nn.Conv2d(3, this.inplanes, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = normLayer(this.inplanes);
    this.relu = nn.ReLU({ inplace: true });
    this.maxpool = nn.MaxPool2d(3, { stride: 2, padding: 1 });
    this.layer1 = this._makeLayer(block, 64, layers[0]);
    this.layer2 = this._makeLayer(block, 128, layers[1], 2, replaceStrideWithDilation[0]);
    this.layer3 = this._makeLayer(block, 256, layers[2], 2, replaceStrideWithDilation[1]);
    this.layer4 = this._makeLayer(block, 512, layers[3], 2, replaceStrideWithDilation[2]);
    this.avgpool = nn.AdaptiveAvgPool2d([1, 1]);
    this.fc = nn.Linear(512 * block.expansion, numClasses);
  }

  private _makeLayer(block: Block, planes: number, blocks: number, stride = 1, dilate = false): nn.Sequential {
    const normLayer = this.normLayer;
    let downsample: nn.Module | null = null;
    const previousDilation = this.dilation;
    if (dilate) {
      this.dilation *= stride;
      stride = 1;
    }
    if (stride !== 1 || this.inplanes !== planes * block.expansion) {
      downsample = nn.Sequential(
        conv1x1(this.inplanes, planes * block.expansion, stride),
        normLayer(planes * block.expansion),
      );
    }

    const layers: nn.Module[] = [];
    layers.push(
      new block(this.inplanes, planes, stride, downsample, this.groups, this.baseWidth, previousDilation, normLayer),
    );
    this.inplanes = planes * block.expansion;
    for (let i = 1; i < blocks; i++) {
      layers.push(new block(this.inplanes, planes, 1, null, this.groups, this.baseWidth, this.dilation, normLayer));
    }
    return nn.Sequential(...layers);
  }

  private _forwardImpl(x: Tensor): Tensor {
    x = this.conv1(x);
    x = this.bn1(x);
    x = this.relu(x);
    x = this.maxpool(x);

    x = this.layer1(x);
    x = this.layer2(x);
    x = this.layer3(x);
    x = this.layer4(x);

    x = this.avgpool(x);
    x = torch.flatten(x, 1);
    x = this.fc(x);
    return x;
  }

  forward(x: Tensor): Tensor {
    return this._forwardImpl(x);
  }
}

/** ResNet-18 (He et al., 2015), torchvision layout.
 *  @input [N, 3, 224, 224] */
export const resnet18 = new ResNet(BasicBlock, [2, 2, 2, 2]);

/** ResNet-34, torchvision layout.
 *  @input [N, 3, 224, 224] */
export const resnet34 = new ResNet(BasicBlock, [3, 4, 6, 3]);

/** ResNet-50 (bottleneck blocks, v1.5), torchvision layout.
 *  @input [N, 3, 224, 224] */
export const resnet50 = new ResNet(Bottleneck, [3, 4, 6, 3]);

/** ResNet-101, torchvision layout.
 *  @input [N, 3, 224, 224] */
export const resnet101 = new ResNet(Bottleneck, [3, 4, 23, 3]);

/** ResNet-152, torchvision layout.
 *  @input [N, 3, 224, 224] */
export const resnet152 = new ResNet(Bottleneck, [3, 8, 36, 3]);

/** ResNeXt-50 32×4d (Xie et al., 2017): ResNet-50 with 32 groups of width 4 in every 3×3
 *  convolution, torchvision's `resnext50_32x4d` (25,028,904 parameters).
 *  @input [N, 3, 224, 224] */
export const resnext50_32x4d = new ResNet(Bottleneck, [3, 4, 6, 3], 1000, 32, 4);

/** Wide ResNet-50-2 (Zagoruyko & Komodakis, 2016): ResNet-50 with bottlenecks twice as wide
 *  (the outer 1×1 convolutions keep their channels), torchvision's `wide_resnet50_2`
 *  (68,883,240 parameters).
 *  @input [N, 3, 224, 224] */
export const wideResnet50_2 = new ResNet(Bottleneck, [3, 4, 6, 3], 1000, 1, 64 * 2);
