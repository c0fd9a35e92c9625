// expect-error TS2345: nn.Upsample takes exactly one of `size` and `scaleFactor`, not both.
import { nn } from "cnn-studio";

export const bad = nn.Upsample({ size: 64, scaleFactor: 2 });
