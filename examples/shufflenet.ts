import { nn, torch, type Tensor } from "cnn-studio";

/**
 * ShuffleNet V2 (Ma et al., 2018), transcribed from torchvision's `shufflenetv2.py` so that module
 * paths and `state_dict` names are torchvision's.
 */

/** Interleaves the channels of `groups` groups: view, transpose, contiguous, view back. */
export function channelShuffle(x: Tensor, groups: number): Tensor {
  const [batchsize, numChannels, height, width] = x.size();
  const channelsPerGroup = Math.floor(numChannels! / groups);

  // reshape
  x = x.view(batchsize!, groups, channelsPerGroup, height!, width!);

  x = torch.transpose(x, 1, 2).contiguous();

  // flatten
  x = x.view(batchsize!, -1, height!, width!);

  return x;
}

/**
 * ShuffleNet V2 unit. Stride 1: split the channels in two, transform one half, concatenate,
 * shuffle. Stride 2 (downsampling): both branches see the whole input.
 */
export class InvertedResidual extends nn.Module {
  readonly stride: number;
  readonly branch1: nn.Sequential;
  readonly branch2: nn.Sequential;

  constructor(inp: number, oup: number, stride: number) {
    super();

    if (!(1 <= stride && stride <= 3)) {
      throw new Error("illegal stride value");
    }
    this.stride = stride;

    const branchFeatures = Math.floor(oup / 2);
    if (this.stride === 1 && inp !== branchFeatures * 2) {
      throw new Error(
        `Invalid combination of stride ${stride}, inp ${inp} and oup ${oup} values. If stride == 1 then inp should be equal to oup // 2 << 1.`,
      );
    }

    if (this.stride > 1) {
      this.branch1 = nn.Sequential(
        InvertedResidual.depthwiseConv(inp, inp, 3, this.stride, 1),
        nn.BatchNorm2d(inp),
        nn.Conv2d(inp, branchFeatures, 1, { stride: 1, padding: 0, bias: false }),
        nn.BatchNorm2d(branchFeatures),
        nn.ReLU({ inplace: true }),
      );
    } else {
      this.branch1 = nn.Sequential();
    }

    this.branch2 = nn.Sequential(
      nn.Conv2d(this.stride > 1 ? inp : branchFeatures, branchFeatures, 1, { stride: 1, padding: 0, bias: false }),
      nn.BatchNorm2d(branchFeatures),
      nn.ReLU({ inplace: true }),
      InvertedResidual.depthwiseConv(branchFeatures, branchFeatures, 3, this.stride, 1),
      nn.BatchNorm2d(branchFeatures),
      nn.Conv2d(branchFeatures, branchFeatures, 1, { stride: 1, padding: 0, bias: false }),
      nn.BatchNorm2d(branchFeatures),
      nn.ReLU({ inplace: true }),
    );
  }

  static depthwiseConv(i: number, o: number, kernelSize: number, stride = 1, padding = 0, bias = false): nn.Conv2d {
    return nn.Conv2d(i, o, kernelSize, { stride, padding, bias, groups: i });
  }

  forward(x: Tensor): Tensor {
    let out: Tensor;
    if (this.stride === 1) {
      const [x1, x2] = x.chunk(2, 1);
      out = torch.cat([x1!, this.branch2(x2!)], 1);
    } else {
      out = torch.cat([this.branch1(x), this.branch2(x)], 1);
    }

    out = channelShuffle(out, 2);

    return out;
  }
}

/** ShuffleNet V2: 3×3 stem, max pool, three stages of units, 1×1 conv, global mean, linear. */
export class ShuffleNetV2 extends nn.Module {
  private readonly _stageOutChannels: number[];

  readonly conv1: nn.Sequential;
  readonly maxpool: nn.MaxPool2d;
  // Static annotations (the stages are registered under computed names below)
  declare readonly stage2: nn.Sequential;
  declare readonly stage3: nn.Sequential;
  declare readonly stage4: nn.Sequential;
  readonly conv5: nn.Sequential;
  readonly fc: nn.Linear;

  constructor(
    stagesRepeats: number[],
    stagesOutChannels: number[],
    numClasses: number = 1000,
    invertedResidual: typeof InvertedResidual = InvertedResidual,
  ) {
    super();

    if (stagesRepeats.length !== 3) {
      throw new Error("expected stages_repeats as list of 3 positive ints");
    }
    if (stagesOutChannels.length !== 5) {
      throw new Error("expected stages_out_channels as list of 5 positive ints");
    }
    this._stageOutChannels = stagesOutChannels;

    let inputChannels = 3;
    let outputChannels = this._stageOutChannels[0]!;
    this.conv1 = nn.Sequential(
      nn.Conv2d(inputChannels, outputChannels, 3, { stride: 2, padding: 1, bias: false }),
      nn.BatchNorm2d(outputChannels),
      nn.ReLU({ inplace: true }),
    );
    inputChannels = outputChannels;

    this.maxpool = nn.MaxPool2d(3, { stride: 2, padding: 1 });

    const stageNames = [2, 3, 4].map((i) => `stage${i}`);
    for (let s = 0; s < stageNames.length; s++) {
      const repeats = stagesRepeats[s]!;
      outputChannels = this._stageOutChannels[s + 1]!;
      const seq: nn.Module[] = [new invertedResidual(inputChannels, outputChannels, 2)];
      for (let i = 0; i < repeats - 1; i++) {
        seq.push(new invertedResidual(outputChannels, outputChannels, 1));
      }
      this.addModule(stageNames[s]!, nn.Sequential(...seq));
      inputChannels = outputChannels;
    }

    outputChannels = this._stageOutChannels[this._stageOutChannels.length - 1]!;
    this.conv5 = nn.Sequential(
      nn.Conv2d(inputChannels, outputChannels, 1, { stride: 1, padding: 0, bias: false }),
      nn.BatchNorm2d(outputChannels),
      nn.ReLU({ inplace: true }),
    );

    this.fc = nn.Linear(outputChannels, numClasses);
  }

  private _forwardImpl(x: Tensor): Tensor {
    x = this.conv1(x);
    x = this.maxpool(x);
    x = this.stage2(x);
    x = this.stage3(x);
    x = this.stage4(x);
    x = this.conv5(x);
    x = x.mean([2, 3]); // globalpool
    x = this.fc(x);
    return x;
  }

  forward(x: Tensor): Tensor {
    return this._forwardImpl(x);
  }
}

/** ShuffleNet V2 1.0×, torchvision's `shufflenet_v2_x1_0` (2,278,604 parameters).
 *  @input [N, 3, 224, 224] */
export const shufflenetV2X1_0 = new ShuffleNetV2([4, 8, 4], [24, 116, 232, 464, 1024]);
