/**
 * Sliding-window output length, PyTorch's rule: floor((L + 2p − d·(k − 1) − 1) / s + 1), or ceil
 * with ceilMode. One rule for the analyzer's shapes and the trainer's windows (a leaf module).
 */
export function windowOutput(len: number, k: number, s: number, p: number, d: number, ceilMode = false): number {
  const span = len + 2 * p - d * (k - 1) - 1;
  if (!ceilMode) return Math.floor(span / s) + 1;
  let out = Math.ceil(span / s) + 1;
  // PyTorch: the last window must start inside the input or the left padding.
  if ((out - 1) * s >= len + p) out -= 1;
  return out;
}
