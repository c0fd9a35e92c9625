import { isWholeInput, type Dim, type ReceptiveField } from "./analysis";
import { countDigits, countFixed, type Count } from "./count";

/** Number and shape formatting shared by the CLI table, hovers, code lenses and panels. */

/** Every digit, exact also above 2^53. */
export function formatCount(n: Count): string {
  return countDigits(n);
}

/** 416520 → "416.5K", 1814073344 → "1.81G", 11513626624 → "11.51G". */
export function formatMetric(n: Count): string {
  // A string count exceeds 2^53, so it is in the teras, with one decimal.
  if (typeof n === "string") return `${countFixed(n, 12, 1)}T`;
  const units: [number, string][] = [
    [1e12, "T"],
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "K"],
  ];
  for (const [v, u] of units) {
    if (Math.abs(n) >= v) {
      const x = n / v;
      return `${x >= 100 ? x.toFixed(1) : x.toFixed(2)}${u}`;
    }
  }
  return String(n);
}

/** Bytes as MB with two decimals, like torchinfo. */
export function formatMB(bytes: Count): string {
  return typeof bytes === "string" ? countFixed(bytes, 6, 2) : (bytes / 1e6).toFixed(2);
}

export function formatBytes(bytes: Count): string {
  if (typeof bytes === "string") return `${countFixed(bytes, 9, 2)} GB`;
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(2)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} KB`;
  return `${bytes} B`;
}

export function formatShapeText(shape: readonly Dim[]): string {
  return `[${shape.join(", ")}]`;
}

/** "11×11 (jump 4)" — the size and effective stride of a receptive field; "whole input" after attention. */
export function formatField(rf: ReceptiveField): string {
  if (isWholeInput(rf)) return WHOLE_INPUT_TEXT;
  const pair = (p: [number, number]): string => (p[0] === p[1] ? `${round(p[0])}` : `${round(p[0])}×${round(p[1])}`);
  return `${pair(rf.size)}${rf.size[0] === rf.size[1] ? `×${round(rf.size[1])}` : ""} (jump ${pair(rf.jump)})`;
}

/** How a field that covers the whole input reads everywhere (CLI, hovers, panels). */
export const WHOLE_INPUT_TEXT = "whole input";

/** "11×11/4" — the compact form of the CLI table. */
export function formatFieldShort(rf: ReceptiveField): string {
  return isWholeInput(rf) ? WHOLE_INPUT_TEXT : `${rf.size[0]}×${rf.size[1]}/${rf.jump[0]}`;
}

function round(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2).replace(/\.?0+$/, "");
}
