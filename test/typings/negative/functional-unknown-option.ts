// expect-error TS2561: an unknown option name ("strid") in F.maxPool2d's options object.
import { nn, F, type Tensor } from "cnn-studio";

export class Net extends nn.Module {
  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, 2, { strid: 2 });
  }
}
