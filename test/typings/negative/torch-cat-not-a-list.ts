// expect-error TS2345: torch.cat takes an array of tensors, not a single tensor.
import { nn, torch, type Tensor } from "cnn-studio";

export class Net extends nn.Module {
  forward(x: Tensor): Tensor {
    return torch.cat(x, 1);
  }
}
