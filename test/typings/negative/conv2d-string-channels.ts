// expect-error TS2345: a string where nn.Conv2d takes its number of input channels.
import { nn } from "cnn-studio";

export const bad = nn.Conv2d("3", 6, 5);
