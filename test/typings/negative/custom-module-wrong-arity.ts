// expect-error TS2554: calling a custom module checks the arguments against its `forward` (two tensors expected, one given).
import { nn, type Tensor } from "cnn-studio";

class Fuse extends nn.Module {
  forward(a: Tensor, b: Tensor): Tensor {
    return a.add(b);
  }
}

export class Net extends nn.Module {
  fuse = new Fuse();
  forward(x: Tensor): Tensor {
    return this.fuse(x);
  }
}
