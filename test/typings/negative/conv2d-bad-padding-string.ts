// expect-error TS2322: padding "full" is not a valid Conv2d padding (a number, a pair, "same" or "valid").
import { nn } from "cnn-studio";

export const bad = nn.Conv2d(3, 6, 5, { padding: "full" });
