import { nn, type Tensor } from "cnn-studio";
import { fcnResnet50Model } from "./segmentation";
import { DoubleConv, Down, OutConv, Up } from "./unet";

/**
 * Segmentation models small enough to train on the generated `shapes-seg` sample (4 classes:
 * background, disc, square, triangle) on a CPU in a minute:
 *
 *   cnn-studio train examples/segmentation-shapes.ts --model unetShapes --dataset shapes-seg --epochs 3
 *
 * `unetShapes` is examples/unet.ts's U-Net with two stages of 8 and 16 channels instead of four of
 * 64 to 1024; `fcnResnet50Shapes` is torchvision's FCN-ResNet50 (with its auxiliary head) for 4
 * classes at 32×32, for the PyTorch engine (`--backend torch`).
 */

/** A two-stage U-Net: DoubleConv, two Down, two Up with skip connections, a 1×1 output convolution. */
export class SmallUNet extends nn.Module {
  readonly inc: DoubleConv;
  readonly down1: Down;
  readonly down2: Down;
  readonly up1: Up;
  readonly up2: Up;
  readonly outc: OutConv;

  constructor(nChannels: number, nClasses: number, width: number = 8) {
    super();
    this.inc = new DoubleConv(nChannels, width);
    this.down1 = new Down(width, 2 * width);
    this.down2 = new Down(2 * width, 4 * width);
    this.up1 = new Up(4 * width, 2 * width, false);
    this.up2 = new Up(2 * width, width, false);
    this.outc = new OutConv(width, nClasses);
  }

  forward(x: Tensor): Tensor {
    const x1 = this.inc(x);
    const x2 = this.down1(x1);
    const x3 = this.down2(x2);
    x = this.up1(x3, x2);
    x = this.up2(x, x1);
    return this.outc(x);
  }
}

/** The small U-Net for RGB images and the 4 classes of shapes-seg.
 *  @input [N, 3, 32, 32] */
export const unetShapes = new SmallUNet(3, 4);

/** FCN-ResNet50 with its auxiliary head (`{ out, aux }`) for the 4 classes of shapes-seg, at 32×32.
 *  @input [N, 3, 32, 32] */
export const fcnResnet50Shapes = fcnResnet50Model(4, true);
