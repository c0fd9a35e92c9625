import type { WindowField } from "../../src/shared/analysis";

/** Receptive-field geometry (Araujo et al., 2019): `start` is the centre of unit 0, in input pixels. */

export interface Box {
  /** Inclusive pixel bounds [top, left, bottom, right] (may lie outside the input: padding). */
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/** The input pixels a unit (y, x) of a layer with field `rf` sees. */
export function unitBox(rf: WindowField, y: number, x: number): Box {
  const cy = rf.start[0] + y * rf.jump[0];
  const cx = rf.start[1] + x * rf.jump[1];
  const hy = (rf.size[0] - 1) / 2;
  const hx = (rf.size[1] - 1) / 2;
  return { top: cy - hy, left: cx - hx, bottom: cy + hy, right: cx + hx };
}

/** The part of a box inside an H×W input, or null when none is. */
export function clip(b: Box, h: number, w: number): Box | null {
  const c = { top: Math.max(0, b.top), left: Math.max(0, b.left), bottom: Math.min(h - 1, b.bottom), right: Math.min(w - 1, b.right) };
  return c.top > c.bottom || c.left > c.right ? null : c;
}

export function area(b: Box | null): number {
  return b ? (b.bottom - b.top + 1) * (b.right - b.left + 1) : 0;
}

/**
 * The smallest box centred at (cy, cx) (growing one pixel a side) that holds `fraction` of the
 * total magnitude of `m` (H×W): the size of the effective receptive field.
 */
export function massBox(m: Float32Array, h: number, w: number, cy: number, cx: number, fraction = 0.95): { box: Box; size: [number, number] } {
  let total = 0;
  for (const v of m) total += v;
  // 2-D prefix sums for O(1) box sums
  const ps = new Float64Array((h + 1) * (w + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += m[y * w + x]!;
      ps[(y + 1) * (w + 1) + x + 1] = ps[y * (w + 1) + x + 1]! + row;
    }
  }
  const sum = (t: number, l: number, b: number, r: number): number =>
    ps[(b + 1) * (w + 1) + r + 1]! - ps[t * (w + 1) + r + 1]! - ps[(b + 1) * (w + 1) + l]! + ps[t * (w + 1) + l]!;
  const y0 = Math.round(Math.min(h - 1, Math.max(0, cy)));
  const x0 = Math.round(Math.min(w - 1, Math.max(0, cx)));
  for (let r = 0; r < Math.max(h, w); r++) {
    const t = Math.max(0, y0 - r);
    const l = Math.max(0, x0 - r);
    const b = Math.min(h - 1, y0 + r);
    const rr = Math.min(w - 1, x0 + r);
    if (total <= 0 || sum(t, l, b, rr) >= fraction * total) return { box: { top: t, left: l, bottom: b, right: rr }, size: [b - t + 1, rr - l + 1] };
  }
  return { box: { top: 0, left: 0, bottom: h - 1, right: w - 1 }, size: [h, w] };
}
