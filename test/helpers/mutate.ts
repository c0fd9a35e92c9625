/**
 * Seeded pseudo-random mutations of source text, for the robustness tests: `mutate(text, seed)`
 * always yields the same mutant for the same text and seed.
 */

/** mulberry32: a small, fast, deterministic PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Stray tokens to insert. Endless loops (`while (true) `) are left out on purpose: each one costs
 * the whole evaluation budget (up to seconds), and test/fixtures/diagnostics covers them.
 */
const TOKENS = [
  ")",
  "(",
  "{",
  "}",
  "]",
  "[",
  ",",
  ";",
  "nn.",
  "(x",
  "-1",
  '"',
  "'",
  "`",
  "this.",
  "x.",
  ".",
  "=",
  "=>",
  "new ",
  "return ",
  "...",
  "?",
  ":",
  "/*",
  "*/",
  "//",
  "\n",
  "nn.Conv2d(",
  "torch.cat([",
  "0",
  "1e309",
  "NaN",
  "undefined",
  "null",
  "@input [N, 3, 8, 8]",
  "export const z = ",
];

/** Applies 1 to 3 random edits; returns the mutant and a description of each edit. */
export function mutate(text: string, seed: number): { text: string; steps: string[] } {
  const rand = mulberry32(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const steps: string[] = [];
  let t = text;
  const edits = 1 + (rand() < 0.3 ? 1 : 0) + (rand() < 0.1 ? 1 : 0);
  for (let k = 0; k < edits; k++) {
    const op = int(7);
    const at = int(t.length + 1);
    switch (op) {
      case 0: {
        const len = 1 + int(40);
        steps.push(`delete ${JSON.stringify(t.slice(at, at + len))} at ${at}`);
        t = t.slice(0, at) + t.slice(at + len);
        break;
      }
      case 1: {
        const span = t.slice(at, at + 1 + int(80));
        const to = int(t.length + 1);
        steps.push(`duplicate ${JSON.stringify(span)} from ${at} to ${to}`);
        t = t.slice(0, to) + span + t.slice(to);
        break;
      }
      case 2:
      case 3: {
        const token = pick(TOKENS);
        steps.push(`insert ${JSON.stringify(token)} at ${at}`);
        t = t.slice(0, at) + token + t.slice(at);
        break;
      }
      case 4: {
        steps.push(`truncate at ${at}`);
        t = t.slice(0, at);
        break;
      }
      case 5: {
        const lines = t.split("\n");
        const i = int(lines.length);
        const j = int(lines.length);
        steps.push(`swap lines ${i + 1} and ${j + 1}`);
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        t = lines.join("\n");
        break;
      }
      case 6: {
        const numbers = [...t.matchAll(/\b\d+(?:\.\d+)?\b/g)];
        if (numbers.length === 0) break;
        const m = pick(numbers);
        const by = pick(["0", "0", "-1", "999999999", "1e12", "2147483648", "0.5"]);
        steps.push(`replace number ${m[0]} at ${m.index} by ${by}`);
        t = t.slice(0, m.index) + by + t.slice(m.index! + m[0].length);
        break;
      }
    }
  }
  return { text: t, steps };
}
