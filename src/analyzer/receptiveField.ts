import { isWholeInput, type ReceptiveField, type WholeInputField, type WindowField } from "../shared/analysis";

/**
 * Receptive-field arithmetic after Araujo, Norris & Sim, "Computing Receptive Fields of
 * Convolutional Neural Networks" (Distill, 2019). Per axis: size r, jump j (effective stride) and
 * start (centre of the first output unit, in input pixels).
 */

/** A sliding window over the two spatial axes, [height, width] each. */
export interface Window {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
}

export const INPUT_FIELD: WindowField = { size: [1, 1], jump: [1, 1], start: [0, 0] };

function axis(rf: WindowField, w: Window, i: 0 | 1): [number, number, number] {
  const k = w.dilation[i] * (w.kernel[i] - 1) + 1;
  const j = rf.jump[i];
  return [rf.size[i] + (k - 1) * j, j * w.stride[i], rf.start[i] + ((k - 1) / 2 - w.padding[i]) * j];
}

export function applyWindow(rf: WindowField, w: Window): WindowField {
  const [r0, j0, s0] = axis(rf, w, 0);
  const [r1, j1, s1] = axis(rf, w, 1);
  return { size: [r0, r1], jump: [j0, j1], start: [s0, s1] };
}

/** Upsampling by `scale` per axis: each output unit sees what its source unit sees; units get closer. */
export function applyUpsample(rf: WindowField, scale: [number, number]): WindowField {
  const f = (i: 0 | 1): [number, number, number] => {
    const j = rf.jump[i] / scale[i];
    return [rf.size[i], j, rf.start[i] + (j - rf.jump[i]) / 2];
  };
  const [r0, j0, s0] = f(0);
  const [r1, j1, s1] = f(1);
  return { size: [r0, r1], jump: [j0, j1], start: [s0, s1] };
}

/**
 * Where paths merge (`add`, `mul`, `cat`), the size is the largest over the paths (per axis). The
 * grid (jump, start) is the one of the inputs that already have the output's spatial size: a
 * broadcast 1×1 input (squeeze-excitation's scale) widens the field but does not move the grid.
 */
export function mergeFields(inputs: readonly { field: ReceptiveField | null; onGrid: boolean }[]): ReceptiveField | null {
  if (inputs.some((i) => i.field && isWholeInput(i.field))) return WHOLE_INPUT;
  const windows = inputs.map((i) => ({ field: i.field as WindowField | null, onGrid: i.onGrid }));
  const grid = windows.filter((i) => i.field && i.onGrid);
  const base = (grid.length ? grid : windows).map((i) => i.field).filter((f): f is WindowField => f !== null);
  if (base.length === 0) return null;
  let best = base[0]!;
  for (const f of base) {
    const pick = (i: 0 | 1): WindowField => (f.size[i] > best.size[i] ? f : best);
    const h = pick(0);
    const w = pick(1);
    best = { size: [h.size[0], w.size[1]], jump: [h.jump[0], w.jump[1]], start: [h.start[0], w.start[1]] };
  }
  const size: [number, number] = [best.size[0], best.size[1]];
  for (const i of windows) {
    if (!i.field) continue;
    size[0] = Math.max(size[0], i.field.size[0]);
    size[1] = Math.max(size[1], i.field.size[1]);
  }
  return { size, jump: best.jump, start: best.start };
}

/** The field after an operation that mixes all positions (attention, a matmul over the token axis). */
export const WHOLE_INPUT: WholeInputField = Object.freeze({ wholeInput: true as const });

/**
 * Whether a reshape or flatten folds the positions of a spatial map (more than one) into features:
 * a Linear layer on the result mixes all positions, so its field is the whole input.
 */
export function foldsPositions(input: readonly (number | string)[], output: readonly (number | string)[], field: ReceptiveField | null): boolean {
  if (!field || input.length !== 4 || output.length >= 4) return false;
  const [h, w] = [input[2], input[3]];
  return !(h === 1 && w === 1);
}
