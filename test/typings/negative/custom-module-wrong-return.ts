// expect-error TS2740: calling a custom module returns its `forward`'s type (Tensor[] here), which is not a Tensor.
import { nn, type Tensor } from "cnn-studio";

class Split extends nn.Module {
  forward(x: Tensor): Tensor[] {
    return [x, x];
  }
}

export class Net extends nn.Module {
  split = new Split();
  forward(x: Tensor): Tensor {
    const y: Tensor = this.split(x);
    return y;
  }
}
