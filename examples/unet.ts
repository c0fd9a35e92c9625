import { nn, F, torch, type Tensor } from "cnn-studio";

/**
 * U-Net (Ronneberger, Fischer & Brox, 2015) as the widely used milesial/Pytorch-UNet writes it
 * (`unet_parts.py`, `unet_model.py`), with its module names: an encoder of double 3×3 convolutions
 * and max pools, a decoder of 2×2 transposed convolutions (or bilinear upsampling), skip
 * connections concatenated on the channels after `F.pad` makes the upsampled map the size of the
 * skip (the sizes differ when a side is not a multiple of 16, as with the paper's 572×572 input).
 */

/** (convolution => [BN] => ReLU) * 2 */
export class DoubleConv extends nn.Module {
  readonly double_conv: nn.Sequential;

  constructor(inChannels: number, outChannels: number, midChannels: number | null = null) {
    super();
    const mid = midChannels ?? outChannels;
    this.double_conv = nn.Sequential(
      nn.Conv2d(inChannels, mid, 3, { padding: 1, bias: false }),
      nn.BatchNorm2d(mid),
      nn.ReLU({ inplace: true }),
      nn.Conv2d(mid, outChannels, 3, { padding: 1, bias: false }),
      nn.BatchNorm2d(outChannels),
      nn.ReLU({ inplace: true }),
    );
  }

  forward(x: Tensor): Tensor {
    return this.double_conv(x);
  }
}

/** Downscaling with maxpool then double conv */
export class Down extends nn.Module {
  readonly maxpool_conv: nn.Sequential;

  constructor(inChannels: number, outChannels: number) {
    super();
    this.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), new DoubleConv(inChannels, outChannels));
  }

  forward(x: Tensor): Tensor {
    return this.maxpool_conv(x);
  }
}

/** Upscaling then double conv */
export class Up extends nn.Module {
  readonly up: nn.Module;
  readonly conv: DoubleConv;

  constructor(inChannels: number, outChannels: number, bilinear: boolean = true) {
    super();
    // if bilinear, use the normal convolutions to reduce the number of channels
    if (bilinear) {
      this.up = nn.Upsample({ scaleFactor: 2, mode: "bilinear", alignCorners: true });
      this.conv = new DoubleConv(inChannels, outChannels, Math.floor(inChannels / 2));
    } else {
      this.up = nn.ConvTranspose2d(inChannels, Math.floor(inChannels / 2), 2, { stride: 2 });
      this.conv = new DoubleConv(inChannels, outChannels);
    }
  }

  forward(x1: Tensor, x2: Tensor): Tensor {
    x1 = this.up(x1);
    // input is CHW
    const diffY = x2.size(2) - x1.size(2);
    const diffX = x2.size(3) - x1.size(3);

    x1 = F.pad(x1, [
      Math.floor(diffX / 2),
      diffX - Math.floor(diffX / 2),
      Math.floor(diffY / 2),
      diffY - Math.floor(diffY / 2),
    ]);
    const x = torch.cat([x2, x1], 1);
    return this.conv(x);
  }
}

export class OutConv extends nn.Module {
  readonly conv: nn.Conv2d;

  constructor(inChannels: number, outChannels: number) {
    super();
    this.conv = nn.Conv2d(inChannels, outChannels, 1);
  }

  forward(x: Tensor): Tensor {
    return this.conv(x);
  }
}

/** The U-Net: four Down stages, four Up stages with skip connections, a 1×1 output convolution. */
export class UNet extends nn.Module {
  readonly nChannels: number;
  readonly nClasses: number;
  readonly bilinear: boolean;
  readonly inc: DoubleConv;
  readonly down1: Down;
  readonly down2: Down;
  readonly down3: Down;
  readonly down4: Down;
  readonly up1: Up;
  readonly up2: Up;
  readonly up3: Up;
  readonly up4: Up;
  readonly outc: OutConv;

  constructor(nChannels: number, nClasses: number, bilinear: boolean = false) {
    super();
    this.nChannels = nChannels;
    this.nClasses = nClasses;
    this.bilinear = bilinear;

    this.inc = new DoubleConv(nChannels, 64);
    this.down1 = new Down(64, 128);
    this.down2 = new Down(128, 256);
    this.down3 = new Down(256, 512);
    const factor = bilinear ? 2 : 1;
    this.down4 = new Down(512, Math.floor(1024 / factor));
    this.up1 = new Up(1024, Math.floor(512 / factor), bilinear);
    this.up2 = new Up(512, Math.floor(256 / factor), bilinear);
    this.up3 = new Up(256, Math.floor(128 / factor), bilinear);
    this.up4 = new Up(128, 64, bilinear);
    this.outc = new OutConv(64, nClasses);
  }

  forward(x: Tensor): Tensor {
    const x1 = this.inc(x);
    const x2 = this.down1(x1);
    const x3 = this.down2(x2);
    const x4 = this.down3(x3);
    const x5 = this.down4(x4);
    x = this.up1(x5, x4);
    x = this.up2(x, x3);
    x = this.up3(x, x2);
    x = this.up4(x, x1);
    const logits = this.outc(x);
    return logits;
  }
}

/** U-Net for 3-channel images and 2 classes with transposed convolutions, as milesial's
 *  `train.py` builds it (`UNet(n_channels=3, n_classes=2, bilinear=False)`; 31,037,698
 *  parameters), on the paper's 572×572 input, where every skip connection needs padding.
 *  @input [N, 3, 572, 572] */
export const unet = new UNet(3, 2, false);
