// expect-error TS2554: nn.Softmax requires its `dim` argument.
import { nn } from "cnn-studio";

export const bad = nn.Softmax();
