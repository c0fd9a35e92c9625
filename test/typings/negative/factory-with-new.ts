// expect-error TS7009: factories are called without `new` (`new nn.Conv2d(...)` has no construct signature).
import { nn } from "cnn-studio";

export const bad = new nn.Conv2d(3, 6, 5);
