import { nn, F, torch, ops, type Tensor } from "cnn-studio";

/**
 * Swin Transformer (Liu et al., "Hierarchical Vision Transformer using Shifted Windows", 2021),
 * transcribed from torchvision's `models/swin_transformer.py` with its module names, so layer
 * paths and state_dict names are torchvision's (`features.1.0.attn.qkv.weight`,
 * `features.1.0.attn.relative_position_bias_table`, ...). As in torchvision, the window attention
 * calls `F.linear` on the weights of its `qkv` and `proj` Linear children, so those two are never
 * called as modules and do not appear among the layers (their MACs count in the total).
 */

/** A norm-layer factory taking the feature count, like torchvision's `norm_layer`. */
export type NormLayer = (numFeatures: number) => nn.Module;

/**
 * Pads H and W to even sizes and concatenates the four interleaved 2×2 sub-grids on the channels:
 * [..., H, W, C] → [..., H/2, W/2, 4C]. torchvision writes the sub-grids as strided slices
 * (`x[..., 0::2, 0::2, :]`); here each is a view with the 2×2 grid as its own axes and a select.
 */
function patchMergingPad(x: Tensor): Tensor {
  const n = x.size(0);
  const H = x.size(-3);
  const W = x.size(-2);
  const C = x.size(-1);
  x = F.pad(x, [0, 0, 0, W % 2, 0, H % 2]);
  const grid = x.view(n, (H + (H % 2)) / 2, 2, (W + (W % 2)) / 2, 2, C);
  const x0 = grid.select(2, 0).select(3, 0); // ... H/2 W/2 C
  const x1 = grid.select(2, 1).select(3, 0); // ... H/2 W/2 C
  const x2 = grid.select(2, 0).select(3, 1); // ... H/2 W/2 C
  const x3 = grid.select(2, 1).select(3, 1); // ... H/2 W/2 C
  return torch.cat([x0, x1, x2, x3], -1); // ... H/2 W/2 4*C
}

function getRelativePositionBias(
  relativePositionBiasTable: Tensor,
  relativePositionIndex: Tensor,
  windowSize: number[],
): Tensor {
  const N = (windowSize[0] ?? 0) * (windowSize[1] ?? 0);
  let relativePositionBias = relativePositionBiasTable.indexSelect(0, relativePositionIndex);
  relativePositionBias = relativePositionBias.view(N, N, -1);
  relativePositionBias = relativePositionBias.permute(2, 0, 1).contiguous().unsqueeze(0);
  return relativePositionBias;
}

/** Patch merging: 2×2 neighbourhoods concatenated (4C), LayerNorm, Linear down to 2C. */
export class PatchMerging extends nn.Module {
  readonly dim: number;
  readonly reduction: nn.Linear;
  readonly norm: nn.Module;

  constructor(dim: number, normLayer: NormLayer = (d: number) => nn.LayerNorm(d)) {
    super();
    this.dim = dim;
    this.reduction = nn.Linear(4 * dim, 2 * dim, { bias: false });
    this.norm = normLayer(4 * dim);
  }

  forward(x: Tensor): Tensor {
    x = patchMergingPad(x);
    x = this.norm(x);
    x = this.reduction(x); // ... H/2 W/2 2*C
    return x;
  }
}

/** `[start, length]` of the Python slice `start:end` (negative from the end, `null` = to the end). */
function sliceRange(size: number, start: number, end: number | null): [number, number] {
  const from = start < 0 ? size + start : start;
  const to = end === null ? size : end < 0 ? size + end : end;
  return [from, to - from];
}

/** The mask that keeps shifted windows from attending across the image's wrap-around. */
function shiftedWindowMask(
  x: Tensor,
  padH: number,
  padW: number,
  windowSize: [number, number],
  shiftSize: [number, number],
  numWindows: number,
): Tensor {
  let attnMask = x.newZeros([padH, padW]);
  const hSlices: [number, number | null][] = [
    [0, -windowSize[0]],
    [-windowSize[0], -shiftSize[0]],
    [-shiftSize[0], null],
  ];
  const wSlices: [number, number | null][] = [
    [0, -windowSize[1]],
    [-windowSize[1], -shiftSize[1]],
    [-shiftSize[1], null],
  ];
  let count = 0;
  for (const h of hSlices) {
    for (const w of wSlices) {
      const [h0, hLength] = sliceRange(padH, h[0], h[1]);
      const [w0, wLength] = sliceRange(padW, w[0], w[1]);
      attnMask.narrow(0, h0, hLength).narrow(1, w0, wLength).fill_(count);
      count += 1;
    }
  }
  attnMask = attnMask.view(padH / windowSize[0], windowSize[0], padW / windowSize[1], windowSize[1]);
  attnMask = attnMask.permute(0, 2, 1, 3).reshape(numWindows, windowSize[0] * windowSize[1]);
  attnMask = attnMask.unsqueeze(1).sub(attnMask.unsqueeze(2));
  attnMask = attnMask.maskedFill(attnMask.ne(0), -100.0).maskedFill(attnMask.eq(0), 0.0);
  return attnMask;
}

/**
 * Window based multi-head self attention (W-MSA) with relative position bias, shifted or not:
 * torchvision's `shifted_window_attention` for an input [N, H, W, C].
 */
export function shiftedWindowAttention(
  input: Tensor,
  qkvWeight: Tensor,
  projWeight: Tensor,
  relativePositionBias: Tensor,
  windowSize: [number, number],
  numHeads: number,
  shiftSize: [number, number],
  attentionDropout: number = 0.0,
  dropout: number = 0.0,
  qkvBias: Tensor | null = null,
  projBias: Tensor | null = null,
): Tensor {
  const B = input.size(0);
  const H = input.size(1);
  const W = input.size(2);
  const C = input.size(3);
  // pad feature maps to multiples of window size
  const padR = (windowSize[1] - (W % windowSize[1])) % windowSize[1];
  const padB = (windowSize[0] - (H % windowSize[0])) % windowSize[0];
  let x = F.pad(input, [0, 0, 0, padR, 0, padB]);
  const padH = x.size(1);
  const padW = x.size(2);

  const shift: [number, number] = [shiftSize[0], shiftSize[1]];
  // If window size is larger than feature size, there is no need to shift window
  if (windowSize[0] >= padH) {
    shift[0] = 0;
  }
  if (windowSize[1] >= padW) {
    shift[1] = 0;
  }

  // cyclic shift
  if (shift[0] + shift[1] > 0) {
    x = torch.roll(x, [-shift[0], -shift[1]], [1, 2]);
  }

  // partition windows
  const numWindows = (padH / windowSize[0]) * (padW / windowSize[1]);
  x = x.view(B, padH / windowSize[0], windowSize[0], padW / windowSize[1], windowSize[1], C);
  x = x.permute(0, 1, 3, 2, 4, 5).reshape(B * numWindows, windowSize[0] * windowSize[1], C); // B*nW, Ws*Ws, C

  // multi-head attention
  let qkv = F.linear(x, qkvWeight, qkvBias);
  qkv = qkv.reshape(x.size(0), x.size(1), 3, numHeads, C / numHeads).permute(2, 0, 3, 1, 4);
  let q = qkv.select(0, 0);
  const k = qkv.select(0, 1);
  const v = qkv.select(0, 2);
  q = q.mul(Math.pow(Math.floor(C / numHeads), -0.5));
  let attn = q.matmul(k.transpose(-2, -1));
  // add relative position bias
  attn = attn.add(relativePositionBias);

  if (shift[0] + shift[1] > 0) {
    // generate attention mask
    const attnMask = shiftedWindowMask(x, padH, padW, windowSize, shift, numWindows);
    attn = attn.view(x.size(0) / numWindows, numWindows, numHeads, x.size(1), x.size(1));
    attn = attn.add(attnMask.unsqueeze(1).unsqueeze(0));
    attn = attn.view(-1, numHeads, x.size(1), x.size(1));
  }

  attn = F.softmax(attn, -1);
  attn = F.dropout(attn, attentionDropout);

  x = attn.matmul(v).transpose(1, 2).reshape(x.size(0), x.size(1), C);
  x = F.linear(x, projWeight, projBias);
  x = F.dropout(x, dropout);

  // reverse windows
  x = x.view(B, padH / windowSize[0], padW / windowSize[1], windowSize[0], windowSize[1], C);
  x = x.permute(0, 1, 3, 2, 4, 5).reshape(B, padH, padW, C);

  // reverse cyclic shift
  if (shift[0] + shift[1] > 0) {
    x = torch.roll(x, [shift[0], shift[1]], [1, 2]);
  }

  // unpad features
  x = x.narrow(1, 0, H).narrow(2, 0, W).contiguous();
  return x;
}

/** torchvision's `ShiftedWindowAttention`: qkv and proj Linear layers, relative position bias. */
export class ShiftedWindowAttention extends nn.Module {
  readonly windowSize: [number, number];
  readonly shiftSize: [number, number];
  readonly numHeads: number;
  readonly attentionDropout: number;
  readonly dropout: number;
  readonly qkv: nn.Linear;
  readonly proj: nn.Linear;
  readonly relative_position_bias_table: Tensor;
  declare readonly relative_position_index: Tensor;

  constructor(
    dim: number,
    windowSize: [number, number],
    shiftSize: [number, number],
    numHeads: number,
    qkvBias: boolean = true,
    projBias: boolean = true,
    attentionDropout: number = 0.0,
    dropout: number = 0.0,
  ) {
    super();
    this.windowSize = windowSize;
    this.shiftSize = shiftSize;
    this.numHeads = numHeads;
    this.attentionDropout = attentionDropout;
    this.dropout = dropout;

    this.qkv = nn.Linear(dim, dim * 3, { bias: qkvBias });
    this.proj = nn.Linear(dim, dim, { bias: projBias });

    // define a parameter table of relative position bias
    this.relative_position_bias_table = nn.Parameter(
      torch.zeros((2 * windowSize[0] - 1) * (2 * windowSize[1] - 1), numHeads),
    ); // 2*Wh-1 * 2*Ww-1, nH
    nn.init.truncNormal_(this.relative_position_bias_table, { std: 0.02 });
    this.defineRelativePositionIndex();
  }

  /** Pair-wise relative position index for each token inside the window. */
  private defineRelativePositionIndex(): void {
    const coordsH = torch.arange(this.windowSize[0]);
    const coordsW = torch.arange(this.windowSize[1]);
    const coords = torch.stack(torch.meshgrid([coordsH, coordsW], { indexing: "ij" })); // 2, Wh, Ww
    const coordsFlatten = torch.flatten(coords, 1); // 2, Wh*Ww
    let relativeCoords = coordsFlatten.unsqueeze(2).sub(coordsFlatten.unsqueeze(1)); // 2, Wh*Ww, Wh*Ww
    relativeCoords = relativeCoords.permute(1, 2, 0).contiguous(); // Wh*Ww, Wh*Ww, 2
    relativeCoords.select(2, 0).add_(this.windowSize[0] - 1); // shift to start from 0
    relativeCoords.select(2, 1).add_(this.windowSize[1] - 1);
    relativeCoords.select(2, 0).mul_(2 * this.windowSize[1] - 1);
    const relativePositionIndex = relativeCoords.sum(-1).flatten(); // Wh*Ww*Wh*Ww
    this.registerBuffer("relative_position_index", relativePositionIndex);
  }

  getRelativePositionBias(): Tensor {
    return getRelativePositionBias(this.relative_position_bias_table, this.relative_position_index, this.windowSize);
  }

  forward(x: Tensor): Tensor {
    const relativePositionBias = this.getRelativePositionBias();
    return shiftedWindowAttention(
      x,
      this.qkv.weight,
      this.proj.weight,
      relativePositionBias,
      this.windowSize,
      this.numHeads,
      this.shiftSize,
      this.attentionDropout,
      this.dropout,
      this.qkv.bias,
      this.proj.bias,
    );
  }
}

/** Swin Transformer block: (shifted) window attention and MLP, pre-norm, stochastic depth. */
export class SwinTransformerBlock extends nn.Module {
  readonly norm1: nn.Module;
  readonly attn: ShiftedWindowAttention;
  readonly stochastic_depth: nn.Module;
  readonly norm2: nn.Module;
  readonly mlp: nn.Sequential;

  constructor(
    dim: number,
    numHeads: number,
    windowSize: [number, number],
    shiftSize: [number, number],
    mlpRatio: number = 4.0,
    dropout: number = 0.0,
    attentionDropout: number = 0.0,
    stochasticDepthProb: number = 0.0,
    normLayer: NormLayer = (d: number) => nn.LayerNorm(d),
  ) {
    super();
    this.norm1 = normLayer(dim);
    this.attn = new ShiftedWindowAttention(dim, windowSize, shiftSize, numHeads, true, true, attentionDropout, dropout);
    this.stochastic_depth = ops.StochasticDepth(stochasticDepthProb, "row");
    this.norm2 = normLayer(dim);
    this.mlp = ops.MLP(dim, [Math.trunc(dim * mlpRatio), dim], { activationLayer: nn.GELU, inplace: null, dropout });
  }

  forward(x: Tensor): Tensor {
    x = x.add(this.stochastic_depth(this.attn(this.norm1(x))));
    x = x.add(this.stochastic_depth(this.mlp(this.norm2(x))));
    return x;
  }
}

/**
 * Swin Transformer in torchvision's layout: a patch embedding (4×4 stride-4 conv, permute to
 * NHWC, LayerNorm), four stages of Swin blocks with patch merging between them, then LayerNorm,
 * permute back to NCHW, global average pooling and the head.
 */
export class SwinTransformer extends nn.Module {
  readonly numClasses: number;
  readonly features: nn.Sequential;
  readonly norm: nn.Module;
  readonly permute: nn.Module;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly flatten: nn.Flatten;
  readonly head: nn.Linear;

  constructor(
    patchSize: [number, number],
    embedDim: number,
    depths: number[],
    numHeads: number[],
    windowSize: [number, number],
    mlpRatio: number = 4.0,
    dropout: number = 0.0,
    attentionDropout: number = 0.0,
    stochasticDepthProb: number = 0.1,
    numClasses: number = 1000,
    normLayer: NormLayer | null = null,
  ) {
    super();
    this.numClasses = numClasses;
    const norm: NormLayer = normLayer ?? ((d: number) => nn.LayerNorm(d, { eps: 1e-5 }));

    const layers: nn.Module[] = [];
    // split image into non-overlapping patches
    layers.push(
      nn.Sequential(
        nn.Conv2d(3, embedDim, patchSize, { stride: patchSize }),
        ops.Permute([0, 2, 3, 1]),
        norm(embedDim),
      ),
    );

    const totalStageBlocks = depths.reduce((sum, d) => sum + d, 0);
    let stageBlockId = 0;
    // build SwinTransformer blocks
    for (let iStage = 0; iStage < depths.length; iStage++) {
      const stage: nn.Module[] = [];
      const dim = embedDim * Math.pow(2, iStage);
      for (let iLayer = 0; iLayer < (depths[iStage] ?? 0); iLayer++) {
        // adjust stochastic depth probability based on the depth of the stage block
        const sdProb = (stochasticDepthProb * stageBlockId) / (totalStageBlocks - 1);
        const shiftSize: [number, number] =
          iLayer % 2 === 0 ? [0, 0] : [Math.floor(windowSize[0] / 2), Math.floor(windowSize[1] / 2)];
        stage.push(
          new SwinTransformerBlock(
            dim,
            numHeads[iStage] ?? 1,
            windowSize,
            shiftSize,
            mlpRatio,
            dropout,
            attentionDropout,
            sdProb,
            norm,
          ),
        );
        stageBlockId += 1;
      }
      layers.push(nn.Sequential(...stage));
      // add patch merging layer
      if (iStage < depths.length - 1) {
        layers.push(new PatchMerging(dim, norm));
      }
    }
    this.features = nn.Sequential(...layers);

    const numFeatures = embedDim * Math.pow(2, depths.length - 1);
    this.norm = norm(numFeatures);
    this.permute = ops.Permute([0, 3, 1, 2]);
    this.avgpool = nn.AdaptiveAvgPool2d(1);
    this.flatten = nn.Flatten(1);
    this.head = nn.Linear(numFeatures, numClasses);
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = this.norm(x);
    x = this.permute(x);
    x = this.avgpool(x);
    x = this.flatten(x);
    x = this.head(x);
    return x;
  }
}

/** Swin-T, torchvision's `swin_t` (stochastic depth 0.2; 28,288,354 parameters, 4.49 G MACs
 *  counting the window attention's F.linear calls and its Q·Kᵀ and A·V products).
 *  @input [N, 3, 224, 224] */
export const swinT = new SwinTransformer([4, 4], 96, [2, 2, 6, 2], [3, 6, 12, 24], [7, 7], 4.0, 0.0, 0.0, 0.2);
