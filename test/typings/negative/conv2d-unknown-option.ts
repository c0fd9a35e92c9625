// expect-error TS2561: an unknown option name ("strides") in nn.Conv2d's options object; TypeScript suggests "stride".
import { nn } from "cnn-studio";

export const bad = nn.Conv2d(3, 6, 5, { strides: 2 });
