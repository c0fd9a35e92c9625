// expect-error TS2561: an unknown option name "strides" instead of "stride" — TypeScript suggests "stride" in nn.Conv2d's options object.
import { nn } from "cnn-studio";

export const bad = nn.Conv2d(3, 6, 5, { strides: 2 });
