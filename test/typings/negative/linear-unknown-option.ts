// expect-error TS2353: an option nn.Linear does not have ("dropout") in its options object.
import { nn } from "cnn-studio";

export const bad = nn.Linear(16, 4, { dropout: 0.5 });
