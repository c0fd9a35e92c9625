import { nn, F, torch, type Size2d, type Tensor } from "cnn-studio";

/**
 * Inception v3 (Szegedy et al., "Rethinking the Inception Architecture for Computer Vision", 2016),
 * transcribed from torchvision's `models/inception.py` with its module names (`Conv2d_1a_3x3`,
 * `Mixed_5b.branch5x5_1`, ...), so layer paths and state_dict names are torchvision's.
 * Input 299×299. In evaluation the auxiliary classifier never runs, so it is left out
 * (`aux_logits=False`) and the forward returns the logits.
 */

/** Options of a BasicConv2d convolution (torchvision passes them as keyword arguments). */
interface ConvOptions {
  stride?: Size2d;
  padding?: Size2d;
}

/** Convolution without bias, BatchNorm (eps 0.001) and ReLU. */
export class BasicConv2d extends nn.Module {
  readonly conv: nn.Conv2d;
  readonly bn: nn.BatchNorm2d;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2d, opts: ConvOptions = {}) {
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

/** 35×35 module: 1×1, 1×1 → 5×5, 1×1 → 3×3 → 3×3 and avg pool → 1×1 branches. */
export class InceptionA extends nn.Module {
  readonly branch1x1: BasicConv2d;
  readonly branch5x5_1: BasicConv2d;
  readonly branch5x5_2: BasicConv2d;
  readonly branch3x3dbl_1: BasicConv2d;
  readonly branch3x3dbl_2: BasicConv2d;
  readonly branch3x3dbl_3: BasicConv2d;
  readonly branch_pool: BasicConv2d;

  constructor(inChannels: number, poolFeatures: number) {
    super();
    this.branch1x1 = new BasicConv2d(inChannels, 64, 1);

    this.branch5x5_1 = new BasicConv2d(inChannels, 48, 1);
    this.branch5x5_2 = new BasicConv2d(48, 64, 5, { padding: 2 });

    this.branch3x3dbl_1 = new BasicConv2d(inChannels, 64, 1);
    this.branch3x3dbl_2 = new BasicConv2d(64, 96, 3, { padding: 1 });
    this.branch3x3dbl_3 = new BasicConv2d(96, 96, 3, { padding: 1 });

    this.branch_pool = new BasicConv2d(inChannels, poolFeatures, 1);
  }

  private _forward(x: Tensor): Tensor[] {
    const branch1x1 = this.branch1x1(x);

    let branch5x5 = this.branch5x5_1(x);
    branch5x5 = this.branch5x5_2(branch5x5);

    let branch3x3dbl = this.branch3x3dbl_1(x);
    branch3x3dbl = this.branch3x3dbl_2(branch3x3dbl);
    branch3x3dbl = this.branch3x3dbl_3(branch3x3dbl);

    let branchPool = F.avgPool2d(x, 3, { stride: 1, padding: 1 });
    branchPool = this.branch_pool(branchPool);

    return [branch1x1, branch5x5, branch3x3dbl, branchPool];
  }

  forward(x: Tensor): Tensor {
    const outputs = this._forward(x);
    return torch.cat(outputs, 1);
  }
}

/** Grid reduction 35×35 → 17×17: stride-2 3×3, 1×1 → 3×3 → stride-2 3×3, and max pool. */
export class InceptionB extends nn.Module {
  readonly branch3x3: BasicConv2d;
  readonly branch3x3dbl_1: BasicConv2d;
  readonly branch3x3dbl_2: BasicConv2d;
  readonly branch3x3dbl_3: BasicConv2d;

  constructor(inChannels: number) {
    super();
    this.branch3x3 = new BasicConv2d(inChannels, 384, 3, { stride: 2 });

    this.branch3x3dbl_1 = new BasicConv2d(inChannels, 64, 1);
    this.branch3x3dbl_2 = new BasicConv2d(64, 96, 3, { padding: 1 });
    this.branch3x3dbl_3 = new BasicConv2d(96, 96, 3, { stride: 2 });
  }

  private _forward(x: Tensor): Tensor[] {
    const branch3x3 = this.branch3x3(x);

    let branch3x3dbl = this.branch3x3dbl_1(x);
    branch3x3dbl = this.branch3x3dbl_2(branch3x3dbl);
    branch3x3dbl = this.branch3x3dbl_3(branch3x3dbl);

    const branchPool = F.maxPool2d(x, 3, { stride: 2 });

    return [branch3x3, branch3x3dbl, branchPool];
  }

  forward(x: Tensor): Tensor {
    const outputs = this._forward(x);
    return torch.cat(outputs, 1);
  }
}

/** 17×17 module with factorised 7×7 convolutions (1×7 and 7×1). */
export class InceptionC extends nn.Module {
  readonly branch1x1: BasicConv2d;
  readonly branch7x7_1: BasicConv2d;
  readonly branch7x7_2: BasicConv2d;
  readonly branch7x7_3: BasicConv2d;
  readonly branch7x7dbl_1: BasicConv2d;
  readonly branch7x7dbl_2: BasicConv2d;
  readonly branch7x7dbl_3: BasicConv2d;
  readonly branch7x7dbl_4: BasicConv2d;
  readonly branch7x7dbl_5: BasicConv2d;
  readonly branch_pool: BasicConv2d;

  constructor(inChannels: number, channels7x7: number) {
    super();
    this.branch1x1 = new BasicConv2d(inChannels, 192, 1);

    const c7 = channels7x7;
    this.branch7x7_1 = new BasicConv2d(inChannels, c7, 1);
    this.branch7x7_2 = new BasicConv2d(c7, c7, [1, 7], { padding: [0, 3] });
    this.branch7x7_3 = new BasicConv2d(c7, 192, [7, 1], { padding: [3, 0] });

    this.branch7x7dbl_1 = new BasicConv2d(inChannels, c7, 1);
    this.branch7x7dbl_2 = new BasicConv2d(c7, c7, [7, 1], { padding: [3, 0] });
    this.branch7x7dbl_3 = new BasicConv2d(c7, c7, [1, 7], { padding: [0, 3] });
    this.branch7x7dbl_4 = new BasicConv2d(c7, c7, [7, 1], { padding: [3, 0] });
    this.branch7x7dbl_5 = new BasicConv2d(c7, 192, [1, 7], { padding: [0, 3] });

    this.branch_pool = new BasicConv2d(inChannels, 192, 1);
  }

  private _forward(x: Tensor): Tensor[] {
    const branch1x1 = this.branch1x1(x);

    let branch7x7 = this.branch7x7_1(x);
    branch7x7 = this.branch7x7_2(branch7x7);
    branch7x7 = this.branch7x7_3(branch7x7);

    let branch7x7dbl = this.branch7x7dbl_1(x);
    branch7x7dbl = this.branch7x7dbl_2(branch7x7dbl);
    branch7x7dbl = this.branch7x7dbl_3(branch7x7dbl);
    branch7x7dbl = this.branch7x7dbl_4(branch7x7dbl);
    branch7x7dbl = this.branch7x7dbl_5(branch7x7dbl);

    let branchPool = F.avgPool2d(x, 3, { stride: 1, padding: 1 });
    branchPool = this.branch_pool(branchPool);

    return [branch1x1, branch7x7, branch7x7dbl, branchPool];
  }

  forward(x: Tensor): Tensor {
    const outputs = this._forward(x);
    return torch.cat(outputs, 1);
  }
}

/** Grid reduction 17×17 → 8×8: 1×1 → stride-2 3×3, 1×1 → 1×7 → 7×1 → stride-2 3×3, max pool. */
export class InceptionD extends nn.Module {
  readonly branch3x3_1: BasicConv2d;
  readonly branch3x3_2: BasicConv2d;
  readonly branch7x7x3_1: BasicConv2d;
  readonly branch7x7x3_2: BasicConv2d;
  readonly branch7x7x3_3: BasicConv2d;
  readonly branch7x7x3_4: BasicConv2d;

  constructor(inChannels: number) {
    super();
    this.branch3x3_1 = new BasicConv2d(inChannels, 192, 1);
    this.branch3x3_2 = new BasicConv2d(192, 320, 3, { stride: 2 });

    this.branch7x7x3_1 = new BasicConv2d(inChannels, 192, 1);
    this.branch7x7x3_2 = new BasicConv2d(192, 192, [1, 7], { padding: [0, 3] });
    this.branch7x7x3_3 = new BasicConv2d(192, 192, [7, 1], { padding: [3, 0] });
    this.branch7x7x3_4 = new BasicConv2d(192, 192, 3, { stride: 2 });
  }

  private _forward(x: Tensor): Tensor[] {
    let branch3x3 = this.branch3x3_1(x);
    branch3x3 = this.branch3x3_2(branch3x3);

    let branch7x7x3 = this.branch7x7x3_1(x);
    branch7x7x3 = this.branch7x7x3_2(branch7x7x3);
    branch7x7x3 = this.branch7x7x3_3(branch7x7x3);
    branch7x7x3 = this.branch7x7x3_4(branch7x7x3);

    const branchPool = F.maxPool2d(x, 3, { stride: 2 });
    return [branch3x3, branch7x7x3, branchPool];
  }

  forward(x: Tensor): Tensor {
    const outputs = this._forward(x);
    return torch.cat(outputs, 1);
  }
}

/** 8×8 module with expanded filter banks (1×3 and 3×1 side by side). */
export class InceptionE extends nn.Module {
  readonly branch1x1: BasicConv2d;
  readonly branch3x3_1: BasicConv2d;
  readonly branch3x3_2a: BasicConv2d;
  readonly branch3x3_2b: BasicConv2d;
  readonly branch3x3dbl_1: BasicConv2d;
  readonly branch3x3dbl_2: BasicConv2d;
  readonly branch3x3dbl_3a: BasicConv2d;
  readonly branch3x3dbl_3b: BasicConv2d;
  readonly branch_pool: BasicConv2d;

  constructor(inChannels: number) {
    super();
    this.branch1x1 = new BasicConv2d(inChannels, 320, 1);

    this.branch3x3_1 = new BasicConv2d(inChannels, 384, 1);
    this.branch3x3_2a = new BasicConv2d(384, 384, [1, 3], { padding: [0, 1] });
    this.branch3x3_2b = new BasicConv2d(384, 384, [3, 1], { padding: [1, 0] });

    this.branch3x3dbl_1 = new BasicConv2d(inChannels, 448, 1);
    this.branch3x3dbl_2 = new BasicConv2d(448, 384, 3, { padding: 1 });
    this.branch3x3dbl_3a = new BasicConv2d(384, 384, [1, 3], { padding: [0, 1] });
    this.branch3x3dbl_3b = new BasicConv2d(384, 384, [3, 1], { padding: [1, 0] });

    this.branch_pool = new BasicConv2d(inChannels, 192, 1);
  }

  private _forward(x: Tensor): Tensor[] {
    const branch1x1 = this.branch1x1(x);

    let branch3x3 = this.branch3x3_1(x);
    branch3x3 = torch.cat([this.branch3x3_2a(branch3x3), this.branch3x3_2b(branch3x3)], 1);

    let branch3x3dbl = this.branch3x3dbl_1(x);
    branch3x3dbl = this.branch3x3dbl_2(branch3x3dbl);
    branch3x3dbl = torch.cat([this.branch3x3dbl_3a(branch3x3dbl), this.branch3x3dbl_3b(branch3x3dbl)], 1);

    let branchPool = F.avgPool2d(x, 3, { stride: 1, padding: 1 });
    branchPool = this.branch_pool(branchPool);

    return [branch1x1, branch3x3, branch3x3dbl, branchPool];
  }

  forward(x: Tensor): Tensor {
    const outputs = this._forward(x);
    return torch.cat(outputs, 1);
  }
}

/** Inception v3 in torchvision's layout (`Inception3`), without the auxiliary classifier. */
export class Inception3 extends nn.Module {
  readonly transformInput: boolean;
  readonly Conv2d_1a_3x3: BasicConv2d;
  readonly Conv2d_2a_3x3: BasicConv2d;
  readonly Conv2d_2b_3x3: BasicConv2d;
  readonly maxpool1: nn.MaxPool2d;
  readonly Conv2d_3b_1x1: BasicConv2d;
  readonly Conv2d_4a_3x3: BasicConv2d;
  readonly maxpool2: nn.MaxPool2d;
  readonly Mixed_5b: InceptionA;
  readonly Mixed_5c: InceptionA;
  readonly Mixed_5d: InceptionA;
  readonly Mixed_6a: InceptionB;
  readonly Mixed_6b: InceptionC;
  readonly Mixed_6c: InceptionC;
  readonly Mixed_6d: InceptionC;
  readonly Mixed_6e: InceptionC;
  readonly Mixed_7a: InceptionD;
  readonly Mixed_7b: InceptionE;
  readonly Mixed_7c: InceptionE;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly dropout: nn.Dropout;
  readonly fc: nn.Linear;

  constructor(numClasses: number = 1000, transformInput: boolean = false, dropout: number = 0.5) {
    super();
    this.transformInput = transformInput;
    this.Conv2d_1a_3x3 = new BasicConv2d(3, 32, 3, { stride: 2 });
    this.Conv2d_2a_3x3 = new BasicConv2d(32, 32, 3);
    this.Conv2d_2b_3x3 = new BasicConv2d(32, 64, 3, { padding: 1 });
    this.maxpool1 = nn.MaxPool2d(3, { stride: 2 });
    this.Conv2d_3b_1x1 = new BasicConv2d(64, 80, 1);
    this.Conv2d_4a_3x3 = new BasicConv2d(80, 192, 3);
    this.maxpool2 = nn.MaxPool2d(3, { stride: 2 });
    this.Mixed_5b = new InceptionA(192, 32);
    this.Mixed_5c = new InceptionA(256, 64);
    this.Mixed_5d = new InceptionA(288, 64);
    this.Mixed_6a = new InceptionB(288);
    this.Mixed_6b = new InceptionC(768, 128);
    this.Mixed_6c = new InceptionC(768, 160);
    this.Mixed_6d = new InceptionC(768, 160);
    this.Mixed_6e = new InceptionC(768, 192);
    this.Mixed_7a = new InceptionD(768);
    this.Mixed_7b = new InceptionE(1280);
    this.Mixed_7c = new InceptionE(2048);
    this.avgpool = nn.AdaptiveAvgPool2d([1, 1]);
    this.dropout = nn.Dropout(dropout);
    this.fc = nn.Linear(2048, numClasses);
  }

  /** Maps ImageNet-normalised input to the [-1, 1] scaling of the original Google weights. */
  private _transformInput(x: Tensor): Tensor {
    if (this.transformInput) {
      const xCh0 = torch.unsqueeze(x.select(1, 0), 1).mul(0.229 / 0.5).add((0.485 - 0.5) / 0.5);
      const xCh1 = torch.unsqueeze(x.select(1, 1), 1).mul(0.224 / 0.5).add((0.456 - 0.5) / 0.5);
      const xCh2 = torch.unsqueeze(x.select(1, 2), 1).mul(0.225 / 0.5).add((0.406 - 0.5) / 0.5);
      x = torch.cat([xCh0, xCh1, xCh2], 1);
    }
    return x;
  }

  private _forward(x: Tensor): Tensor {
    // N x 3 x 299 x 299
    x = this.Conv2d_1a_3x3(x);
    // N x 32 x 149 x 149
    x = this.Conv2d_2a_3x3(x);
    // N x 32 x 147 x 147
    x = this.Conv2d_2b_3x3(x);
    // N x 64 x 147 x 147
    x = this.maxpool1(x);
    // N x 64 x 73 x 73
    x = this.Conv2d_3b_1x1(x);
    // N x 80 x 73 x 73
    x = this.Conv2d_4a_3x3(x);
    // N x 192 x 71 x 71
    x = this.maxpool2(x);
    // N x 192 x 35 x 35
    x = this.Mixed_5b(x);
    // N x 256 x 35 x 35
    x = this.Mixed_5c(x);
    // N x 288 x 35 x 35
    x = this.Mixed_5d(x);
    // N x 288 x 35 x 35
    x = this.Mixed_6a(x);
    // N x 768 x 17 x 17
    x = this.Mixed_6b(x);
    x = this.Mixed_6c(x);
    x = this.Mixed_6d(x);
    x = this.Mixed_6e(x);
    // N x 768 x 17 x 17
    x = this.Mixed_7a(x);
    // N x 1280 x 8 x 8
    x = this.Mixed_7b(x);
    // N x 2048 x 8 x 8
    x = this.Mixed_7c(x);
    // N x 2048 x 8 x 8
    // Adaptive average pooling
    x = this.avgpool(x);
    // N x 2048 x 1 x 1
    x = this.dropout(x);
    // N x 2048 x 1 x 1
    x = torch.flatten(x, 1);
    // N x 2048
    x = this.fc(x);
    // N x 1000 (num_classes)
    return x;
  }

  forward(x: Tensor): Tensor {
    x = this._transformInput(x);
    return this._forward(x);
  }
}

/** Inception v3, torchvision's `inception_v3(aux_logits=False)` (23,834,568 parameters;
 *  5.71 G MACs at 299×299).
 *  @input [N, 3, 299, 299] */
export const inceptionV3 = new Inception3();
