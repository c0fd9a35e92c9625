// expect-error TS2345: nn.Sequential takes modules; a number is not a module.
import { nn } from "cnn-studio";

export const bad = nn.Sequential(nn.ReLU(), 3);
