import { nn, torch, type Tensor } from "cnn-studio";
import { Encoder } from "./vit";

/**
 * A small Vision Transformer for 28×28 MNIST digits, small enough to train on the bundled sample
 * in minutes on a CPU: 7×7 patches (16 tokens and a class token), width 64, 4 encoder layers of 4
 * heads, MLP width 128. It is torchvision's `VisionTransformer` (see ./vit.ts) with a one-channel
 * patch embedding, with torchvision's module names (`conv_proj`, `class_token`,
 * `encoder.layers.encoder_layer_0.self_attention`, `heads.head`).
 */
export class MnistViT extends nn.Module {
  readonly patchSize: number;
  readonly hiddenDim: number;
  readonly conv_proj: nn.Conv2d;
  readonly class_token: Tensor;
  readonly encoder: Encoder;
  readonly heads: nn.Sequential;

  constructor(
    imageSize: number = 28,
    patchSize: number = 7,
    numLayers: number = 4,
    numHeads: number = 4,
    hiddenDim: number = 64,
    mlpDim: number = 128,
    numClasses: number = 10,
  ) {
    super();
    this.patchSize = patchSize;
    this.hiddenDim = hiddenDim;
    this.conv_proj = nn.Conv2d(1, hiddenDim, patchSize, { stride: patchSize });
    const seqLength = Math.pow(Math.floor(imageSize / patchSize), 2) + 1;
    this.class_token = nn.Parameter(torch.zeros(1, 1, hiddenDim));
    this.encoder = new Encoder(seqLength, numLayers, numHeads, hiddenDim, mlpDim, 0.0, 0.0);
    this.heads = nn.Sequential({ head: nn.Linear(hiddenDim, numClasses) });

    const fanIn = patchSize * patchSize;
    nn.init.truncNormal_(this.conv_proj.weight, { std: Math.sqrt(1 / fanIn) });
    nn.init.zeros_(this.conv_proj.bias!);
  }

  forward(x: Tensor): Tensor {
    const n = x.size(0);
    const nH = Math.floor(x.size(2) / this.patchSize);
    const nW = Math.floor(x.size(3) / this.patchSize);
    // (n, 1, 28, 28) -> (n, hidden_dim, 4, 4) -> (n, 16, hidden_dim)
    x = this.conv_proj(x);
    x = x.reshape(n, this.hiddenDim, nH * nW);
    x = x.permute(0, 2, 1);

    const batchClassToken = this.class_token.expand(n, -1, -1);
    x = torch.cat([batchClassToken, x], 1);
    x = this.encoder(x);
    x = x.select(1, 0);
    return this.heads(x);
  }
}

/** ViT for MNIST (139,018 parameters).
 *  @input [N, 1, 28, 28] */
export const vitMnist = new MnistViT();
