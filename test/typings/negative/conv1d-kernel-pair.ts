// expect-error TS2345: Conv1d's kernel is one length, not a pair.
import { nn } from "cnn-studio";

export const bad = nn.Conv1d(3, 6, [3, 3]);
