// expect-error TS2322: a kernel size with three entries where nn.Conv2d takes a number or a [height, width] pair.
import { nn } from "cnn-studio";

export const bad = nn.Conv2d(3, 6, [3, 3, 3]);
