// expect-error TS2345: ZeroPad2d takes one amount or four (left, right, top, bottom), not three.
import { nn } from "cnn-studio";

export const bad = nn.ZeroPad2d([1, 2, 3]);
