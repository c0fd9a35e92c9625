/**
 * Colour maps as 256-entry lookup tables of packed RGBA (little-endian, ready for a Uint32Array view
 * of ImageData). Viridis and magma are perceptually uniform (polynomial fits by Matt Zucker to the
 * matplotlib tables); cool-warm is Moreland's diverging map (for signed values: kernels, gradients).
 */

export type ColormapName = "viridis" | "magma" | "grey" | "coolwarm";
export const COLORMAPS: readonly ColormapName[] = ["viridis", "magma", "grey", "coolwarm"];

type Poly = [number, number, number][];

const VIRIDIS: Poly = [
  [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
  [0.1050930431085774, 1.404613529898575, 1.384590162594685],
  [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
  [-4.634230498983486, -5.799100973351585, -19.33244095627987],
  [6.228269936347081, 14.17993336680509, 56.69055260068105],
  [4.776384997670288, -13.74514537774601, -65.35303263337234],
  [-5.435455855934631, 4.645852612178535, 26.3124352495832],
];

const MAGMA: Poly = [
  [-0.002136485053939582, -0.000749655052795221, -0.005386127855323933],
  [0.2516605407371642, 0.6775232436837668, 2.494026599312351],
  [8.353717279216625, -3.577719514958484, 0.3144679030132573],
  [-27.66873308576866, 14.26473078096533, -13.64921318813922],
  [52.17613981234068, -27.94360607168351, 12.94416944238394],
  [-50.76852536473588, 29.04658282127291, 4.23415299384598],
  [18.65570506591883, -11.48977351997711, -5.601961508734096],
];

const COOLWARM: [number, number, number, number][] = [
  [0, 59, 76, 192],
  [0.125, 98, 130, 234],
  [0.25, 141, 176, 254],
  [0.375, 184, 208, 249],
  [0.5, 221, 221, 221],
  [0.625, 245, 196, 173],
  [0.75, 244, 154, 123],
  [0.875, 222, 96, 77],
  [1, 180, 4, 38],
];

const clamp255 = (x: number): number => Math.max(0, Math.min(255, Math.round(x)));

function poly(p: Poly, t: number): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    let v = 0;
    for (let k = p.length - 1; k >= 0; k--) v = v * t + p[k]![c]!;
    out[c] = clamp255(v * 255);
  }
  return out;
}

function piecewise(stops: [number, number, number, number][], t: number): [number, number, number] {
  for (let i = 1; i < stops.length; i++) {
    const b = stops[i]!;
    if (t <= b[0]) {
      const a = stops[i - 1]!;
      const u = (t - a[0]) / (b[0] - a[0]);
      return [clamp255(a[1] + u * (b[1] - a[1])), clamp255(a[2] + u * (b[2] - a[2])), clamp255(a[3] + u * (b[3] - a[3]))];
    }
  }
  const last = stops[stops.length - 1]!;
  return [last[1], last[2], last[3]];
}

/** The colour at t ∈ [0, 1] as [r, g, b] bytes. */
export function colorAt(name: ColormapName, t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t));
  switch (name) {
    case "viridis":
      return poly(VIRIDIS, x);
    case "magma":
      return poly(MAGMA, x);
    case "grey": {
      const g = clamp255(x * 255);
      return [g, g, g];
    }
    case "coolwarm":
      return piecewise(COOLWARM, x);
  }
}

const cache = new Map<ColormapName, Uint32Array>();

/** 256 packed RGBA colours (opaque), plus index 256: the colour for NaN. */
export function lut(name: ColormapName): Uint32Array {
  let l = cache.get(name);
  if (!l) {
    l = new Uint32Array(257);
    for (let i = 0; i < 256; i++) {
      const [r, g, b] = colorAt(name, i / 255);
      l[i] = (255 << 24) | (b << 16) | (g << 8) | r;
    }
    l[256] = (255 << 24) | (128 << 16) | (0 << 8) | 255; // NaN: magenta
    cache.set(name, l);
  }
  return l;
}

export function cssColor(name: ColormapName, t: number): string {
  const [r, g, b] = colorAt(name, t);
  return `rgb(${r}, ${g}, ${b})`;
}
