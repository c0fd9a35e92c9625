import { nn, torch, ops, type Tensor } from "cnn-studio";

/**
 * Vision Transformer (Dosovitskiy et al., "An Image is Worth 16x16 Words", 2021), transcribed
 * from torchvision's `models/vision_transformer.py` with its module names, so layer paths and
 * state_dict names are torchvision's (`encoder.layers.encoder_layer_0.self_attention.in_proj_weight`,
 * `class_token`, `encoder.pos_embedding`, ...).
 */

/** A norm-layer factory taking the feature count, like torchvision's `norm_layer`. */
export type NormLayer = (numFeatures: number) => nn.Module;

const layerNormEps6: NormLayer = (dim: number) => nn.LayerNorm(dim, { eps: 1e-6 });

/**
 * Transformer MLP block: Linear, GELU, Dropout, Linear, Dropout (children `0` … `4`). torchvision
 * writes it as a subclass of `torchvision.ops.MLP`; here it is the `ops.MLP` it builds.
 */
export function MLPBlock(inDim: number, mlpDim: number, dropout: number): ops.MLP {
  return ops.MLP(inDim, [mlpDim, inDim], { activationLayer: nn.GELU, inplace: null, dropout });
}

/** Transformer encoder block: pre-norm self-attention and MLP, each with a residual connection. */
export class EncoderBlock extends nn.Module {
  readonly numHeads: number;
  readonly ln_1: nn.Module;
  readonly self_attention: nn.MultiheadAttention;
  readonly dropout: nn.Dropout;
  readonly ln_2: nn.Module;
  readonly mlp: ops.MLP;

  constructor(
    numHeads: number,
    hiddenDim: number,
    mlpDim: number,
    dropout: number,
    attentionDropout: number,
    normLayer: NormLayer = layerNormEps6,
  ) {
    super();
    this.numHeads = numHeads;
    // Attention block
    this.ln_1 = normLayer(hiddenDim);
    this.self_attention = nn.MultiheadAttention(hiddenDim, numHeads, { dropout: attentionDropout, batchFirst: true });
    this.dropout = nn.Dropout(dropout);
    // MLP block
    this.ln_2 = normLayer(hiddenDim);
    this.mlp = MLPBlock(hiddenDim, mlpDim, dropout);
  }

  forward(input: Tensor): Tensor {
    let x = this.ln_1(input);
    const [attended] = this.self_attention(x, x, x, { needWeights: false });
    x = this.dropout(attended);
    x = x.add(input);

    let y = this.ln_2(x);
    y = this.mlp(y);
    return x.add(y);
  }
}

/** Transformer encoder: learned position embedding, dropout, the encoder blocks, a final norm. */
export class Encoder extends nn.Module {
  readonly pos_embedding: Tensor;
  readonly dropout: nn.Dropout;
  readonly layers: nn.Sequential;
  readonly ln: nn.Module;

  constructor(
    seqLength: number,
    numLayers: number,
    numHeads: number,
    hiddenDim: number,
    mlpDim: number,
    dropout: number,
    attentionDropout: number,
    normLayer: NormLayer = layerNormEps6,
  ) {
    super();
    // Note that batch_size is on the first dim because
    // we have batch_first=True in nn.MultiAttention() by default
    this.pos_embedding = nn.Parameter(torch.empty(1, seqLength, hiddenDim).normal_(0, 0.02)); // from BERT
    this.dropout = nn.Dropout(dropout);
    const layers: Record<string, nn.Module> = {};
    for (let i = 0; i < numLayers; i++) {
      layers[`encoder_layer_${i}`] = new EncoderBlock(numHeads, hiddenDim, mlpDim, dropout, attentionDropout, normLayer);
    }
    this.layers = nn.Sequential(layers);
    this.ln = normLayer(hiddenDim);
  }

  forward(input: Tensor): Tensor {
    input = input.add(this.pos_embedding);
    return this.ln(this.layers(this.dropout(input)));
  }
}

/**
 * Vision Transformer in torchvision's layout: a patch-size-strided convolution (`conv_proj`)
 * makes the patch tokens, a learned class token is prepended, the encoder runs, and the class
 * token's output goes through the head.
 */
export class VisionTransformer extends nn.Module {
  readonly imageSize: number;
  readonly patchSize: number;
  readonly hiddenDim: number;
  readonly mlpDim: number;
  readonly seqLength: number;
  readonly conv_proj: nn.Conv2d;
  readonly class_token: Tensor;
  readonly encoder: Encoder;
  readonly heads: nn.Sequential;

  constructor(
    imageSize: number,
    patchSize: number,
    numLayers: number,
    numHeads: number,
    hiddenDim: number,
    mlpDim: number,
    dropout: number = 0.0,
    attentionDropout: number = 0.0,
    numClasses: number = 1000,
    representationSize: number | null = null,
    normLayer: NormLayer = layerNormEps6,
  ) {
    super();
    if (imageSize % patchSize !== 0) {
      throw new Error("Input shape indivisible by patch size!");
    }
    this.imageSize = imageSize;
    this.patchSize = patchSize;
    this.hiddenDim = hiddenDim;
    this.mlpDim = mlpDim;

    this.conv_proj = nn.Conv2d(3, hiddenDim, patchSize, { stride: patchSize });

    let seqLength = Math.pow(Math.floor(imageSize / patchSize), 2);

    // Add a class token
    this.class_token = nn.Parameter(torch.zeros(1, 1, hiddenDim));
    seqLength += 1;

    this.encoder = new Encoder(seqLength, numLayers, numHeads, hiddenDim, mlpDim, dropout, attentionDropout, normLayer);
    this.seqLength = seqLength;

    if (representationSize === null) {
      this.heads = nn.Sequential({ head: nn.Linear(hiddenDim, numClasses) });
    } else {
      this.heads = nn.Sequential({
        pre_logits: nn.Linear(hiddenDim, representationSize),
        act: nn.Tanh(),
        head: nn.Linear(representationSize, numClasses),
      });
    }

    const fanIn = 3 * patchSize * patchSize;
    nn.init.truncNormal_(this.conv_proj.weight, { std: Math.sqrt(1 / fanIn) });
    nn.init.zeros_(this.conv_proj.bias!);
  }

  private _processInput(x: Tensor): Tensor {
    const n = x.size(0);
    const h = x.size(2);
    const w = x.size(3);
    const p = this.patchSize;
    const nH = Math.floor(h / p);
    const nW = Math.floor(w / p);

    // (n, c, h, w) -> (n, hidden_dim, n_h, n_w)
    x = this.conv_proj(x);
    // (n, hidden_dim, n_h, n_w) -> (n, hidden_dim, (n_h * n_w))
    x = x.reshape(n, this.hiddenDim, nH * nW);

    // (n, hidden_dim, (n_h * n_w)) -> (n, (n_h * n_w), hidden_dim)
    // The self attention layer expects inputs in the format (N, S, E)
    // where S is the source sequence length, N is the batch size, E is the
    // embedding dimension
    x = x.permute(0, 2, 1);
    return x;
  }

  forward(x: Tensor): Tensor {
    // Reshape and permute the input tensor
    x = this._processInput(x);
    const n = x.size(0);

    // Expand the class token to the full batch
    const batchClassToken = this.class_token.expand(n, -1, -1);
    x = torch.cat([batchClassToken, x], 1);

    x = this.encoder(x);

    // Classifier "token" as used by standard language architectures
    x = x.select(1, 0);

    x = this.heads(x);
    return x;
  }
}

/** ViT-B/16, torchvision's `vit_b_16` (86,567,656 parameters; 17.56 G MACs counting the
 *  attention products Q·Kᵀ and A·V, 16.85 G without them).
 *  @input [N, 3, 224, 224] */
export const vitB16 = new VisionTransformer(224, 16, 12, 12, 768, 3072);
