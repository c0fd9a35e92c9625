import { mix32, mulberry32 } from "../rng";

/**
 * PyTorch's default initialisation, seeded. Each tensor draws from its own generator derived from
 * (seed, state_dict name), so a parameter's initial value does not depend on the order in which
 * the model is compiled, and adding a layer does not change the others.
 */

/** A 32-bit seed from a number and a name. */
export function seedFor(seed: number, name: string): number {
  let h = mix32(0x9e3779b9 ^ (seed >>> 0));
  h = mix32(h ^ Math.floor(seed / 2 ** 32));
  for (let i = 0; i < name.length; i++) h = mix32(h ^ name.charCodeAt(i));
  return h;
}

/** `size` values from U(−bound, bound). */
export function uniform(seed: number, name: string, size: number, bound: number): Float32Array {
  const { next } = mulberry32(seedFor(seed, name));
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (2 * next() - 1) * bound;
  return out;
}

/**
 * The bound of `kaiming_uniform_(w, a=√5)` (Conv2d, ConvTranspose2d and Linear weights): gain
 * √(2 / (1 + a²)) = √(1/3), bound = gain·√(3 / fan_in) = 1/√fan_in; the bias uses the same bound.
 * `fan_in` is `weight.size(1)` times the kernel area, as in PyTorch (for ConvTranspose2d that is
 * outChannels / groups).
 */
export function defaultBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}
