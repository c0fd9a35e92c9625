// expect-error TS2339: a ModuleDict created from an object literal only has the children it was given.
import { nn, type Tensor } from "cnn-studio";

export class Net extends nn.Module {
  heads = nn.ModuleDict({ cls: nn.Linear(8, 10) });
  forward(x: Tensor): Tensor {
    return this.heads.box(x);
  }
}
