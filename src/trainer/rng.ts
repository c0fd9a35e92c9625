/**
 * Seeded, counter-based random numbers. Every random decision of a run is drawn from a generator
 * derived from (seed, purpose, epoch or step), so the "RNG state" of a run at a step boundary is
 * just (seed, epoch, step): a resumed run draws exactly what an uninterrupted run would have drawn.
 */

/** A 32-bit mix (the murmur3 finaliser). */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of a list of non-negative integers and strings. */
export function hashKey(parts: readonly (number | string)[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    if (typeof p === "number") {
      h = mix32(h ^ (p >>> 0));
      h = mix32(h ^ Math.floor(p / 2 ** 32));
    } else {
      for (let i = 0; i < p.length; i++) h = mix32(h ^ p.charCodeAt(i));
      h = mix32(h ^ 0xff);
    }
  }
  return h;
}

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
}

/** mulberry32: small, fast, good enough for shuffling and augmentation. */
export function mulberry32(seed: number): Rng {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n) };
}

/** The generator for one purpose of a run, e.g. `rngFor(seed, "shuffle", epoch)`. */
export function rngFor(seed: number, ...key: (number | string)[]): Rng {
  return mulberry32(hashKey([seed, ...key]));
}

/** A Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
