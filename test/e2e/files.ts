/** The seeded files of the end-to-end test's workspace (beside the examples). */

export const BROKEN = `import { nn } from "cnn-studio";

/** Seeded error: LeNet-5 for 28×28 digits whose first linear layer is sized for 32×32 inputs.
 *  @input [N, 1, 28, 28] */
export const brokenLenet = nn.Sequential(
  nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
  nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
  nn.Flatten(),
  nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
  nn.Linear(120, 10),
);
`;

/** Issue 19.7: a valid model beside a broken one in the same file (the broken one's input has 3 channels). */
export const TWO_MODELS = `import { nn } from "cnn-studio";

/** @input [N, 1, 28, 28] */
export const myNet = nn.Sequential(nn.Conv2d(1, 4, 3, { padding: 1 }), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 28 * 28, 10));

/** @input [N, 3, 28, 28] */
export const myMnist = nn.Sequential(nn.Conv2d(1, 4, 3, { padding: 1 }), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 28 * 28, 10));
`;

/** Issue 19.6: a declaration file that imports "cnn-studio" (as the extension's own typings do) is no model file. */
export const DECLARATIONS = `import type { nn } from "cnn-studio";
export declare namespace extra {
  const layer: nn.Conv2d;
}
`;
