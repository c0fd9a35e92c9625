/**
 * "Did you mean …?": the candidate within edit distance 2 of `name` (case-insensitive), or one that
 * starts with it (`padd` → `padding`), if any.
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const dist = (a: string, b: string): number => {
    const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length]![b.length]!;
  };
  const prefix = name.length >= 3 ? candidates.filter((c) => c.toLowerCase().startsWith(name.toLowerCase())) : [];
  if (prefix.length) return prefix.reduce((a, b) => (b.length < a.length ? b : a));
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const dd = dist(name.toLowerCase(), c.toLowerCase());
    if (dd < bestD) {
      best = c;
      bestD = dd;
    }
  }
  return best;
}
