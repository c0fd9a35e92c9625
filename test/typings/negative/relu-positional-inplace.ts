// expect-error TS2559: `inplace` goes in the options object (`nn.ReLU({ inplace: true })`), not positionally as in PyTorch's `nn.ReLU(True)`.
import { nn } from "cnn-studio";

export const bad = nn.ReLU(true);
