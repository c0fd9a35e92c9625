// expect-error TS2365: arithmetic operators do not apply to tensors; write x.add(y) or torch.add(x, y).
import { nn, type Tensor } from "cnn-studio";

export class Net extends nn.Module {
  conv = nn.Conv2d(3, 3, 3, { padding: 1 });
  forward(x: Tensor): Tensor {
    return this.conv(x) + x;
  }
}
