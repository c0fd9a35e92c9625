// expect-error TS2722: with noUncheckedIndexedAccess, indexing a ModuleList built from an array (not a literal) may be undefined; use for…of or `list[i]!`.
import { nn, type Tensor } from "cnn-studio";

export class Net extends nn.Module {
  blocks: nn.ModuleList<nn.Conv2d>;
  constructor(depth: number) {
    super();
    const blocks: nn.Conv2d[] = [];
    for (let i = 0; i < depth; i++) blocks.push(nn.Conv2d(8, 8, 3, { padding: 1 }));
    this.blocks = nn.ModuleList(blocks);
  }
  forward(x: Tensor): Tensor {
    for (let i = 0; i < this.blocks.length; i++) x = this.blocks[i](x);
    return x;
  }
}
