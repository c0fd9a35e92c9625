import type uPlot from "uplot";
import type { RunStore } from "./data";

/**
 * Issue 19: the curves' x axes (step, relative time, wall time), the accuracy axis fitted to the
 * data, and the epoch boundaries drawn behind the curves.
 */

export type XMode = "step" | "relative" | "wall";
export const X_MODES: readonly { value: XMode; label: string }[] = [
  { value: "step", label: "Step" },
  { value: "relative", label: "Relative time" },
  { value: "wall", label: "Wall time" },
];

export const isXMode = (v: unknown): v is XMode => v === "step" || v === "relative" || v === "wall";

/** A run's points placed on the x axis: their positions, and which of the run's points they are. */
export interface Placed {
  xs: Float64Array;
  /** The run's values at the placed points (all of them on the step axis). */
  pick(values: Float64Array): Float64Array;
}

const cache = new Map<string, Placed & { n: number }>();

/** Forgets the placed points (the runs' data was replaced). */
export function clearPlaced(): void {
  cache.clear();
}

/**
 * Where a run's step or epoch points lie on the axis. On the time axes, points without a recorded
 * time (runs written before times were kept) are left out, as are points earlier than the one
 * before them (a clock set back), so that the positions stay sorted.
 */
export function place(r: RunStore, table: "steps" | "epochs", mode: XMode): Placed {
  const cols = table === "steps" ? r.steps : r.epochs;
  const steps = cols.globalStep.values;
  if (mode === "step") return { xs: steps, pick: (v) => v };
  const times = cols.time.values;
  const key = `${r.info.id}\u0000${table}\u0000${mode}`;
  const hit = cache.get(key);
  if (hit && hit.n === times.length) return hit;
  const origin = mode === "relative" ? startTime(r) : 0;
  const keep: number[] = [];
  let last = -Infinity;
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (!Number.isFinite(t) || t < last) continue;
    keep.push(i);
    last = t;
  }
  const xs = Float64Array.from(keep, (i) => (times[i]! - origin) / 1000);
  const all = keep.length === times.length;
  const placed = { xs, n: times.length, pick: (v: Float64Array) => (all ? v : Float64Array.from(keep, (i) => v[i]!)) };
  cache.set(key, placed);
  return placed;
}

/** The run's first recorded time (of a step or an epoch), in milliseconds. */
function startTime(r: RunStore): number {
  for (const t of [r.steps.time.values, r.epochs.time.values]) for (const v of t) if (Number.isFinite(v)) return v;
  return 0;
}

/** "0:42", "12:05", "1:02:03": a duration in seconds. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const two = (n: number): string => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** A position on the x axis as the legend and the keyboard read-out say it. */
export function formatX(mode: XMode, x: number): string {
  if (mode === "step") return String(Math.round(x));
  if (mode === "relative") return formatDuration(x);
  const d = new Date(x * 1000);
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * The y range that fits the curves (not the faint raw ones) in [lo, hi]: from the 5th percentile (so
 * the first steps of a fast-rising accuracy do not squash the rest) to the largest value, padded,
 * within [0, 1]. Null when there is nothing to fit.
 */
export function fitRange(series: readonly { xs: Float64Array; values: Float64Array; raw: boolean }[], lo: number, hi: number): [number, number] | null {
  const vals: number[] = [];
  for (const s of series) {
    if (s.raw) continue;
    for (let i = 0; i < s.xs.length; i++) {
      const x = s.xs[i]!;
      const v = s.values[i]!;
      if (x >= lo && x <= hi && Number.isFinite(v)) vals.push(v);
    }
  }
  if (vals.length === 0) return null;
  vals.sort((a, b) => a - b);
  const low = vals[Math.floor(0.05 * (vals.length - 1))]!;
  const high = vals[vals.length - 1]!;
  const pad = Math.max(0.005, 0.08 * (high - low));
  return [Math.max(0, low - pad), Math.min(1, high + pad)];
}

/** CSS pixels reserved above the plotted area for the epoch labels (uPlot's top padding): no data is drawn there. */
export const EPOCH_LABEL_BAND = 18;

/**
 * A uPlot `drawClear` hook: a faint vertical line at the end of every epoch (of the first run that
 * has epochs), labelled "epoch N" in the band reserved above the plotted area (so a label never
 * covers a curve), ending at its line (or starting there when there is no room before it); a
 * label that would overlap the one before is left out. The labels drawn (and the plotted area), in
 * CSS pixels of the canvas, are in the chart's `data-epoch-labels`, for tests.
 */
export function epochBoundaries(boundaries: () => { xs: Float64Array; epochs: Float64Array }, color: string, font: string): (u: uPlot) => void {
  return (u) => {
    const { xs, epochs } = boundaries();
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const dpr = devicePixelRatio || 1;
    ctx.save();
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = dpr;
    ctx.setLineDash([2 * dpr, 3 * dpr]);
    ctx.font = font.replace(/(\d+(?:\.\d+)?)px/, (_m, px: string) => `${Number(px) * dpr}px`);
    ctx.textBaseline = "bottom";
    const labels: number[][] = [];
    const baseline = top - 3 * dpr;
    const textHeight = (EPOCH_LABEL_BAND - 4) * dpr;
    let lastRight = -Infinity;
    for (let i = 0; i < xs.length; i++) {
      const px = u.valToPos(xs[i]!, "x", true);
      if (px < left || px > left + width) continue;
      ctx.beginPath();
      ctx.moveTo(Math.round(px) + 0.5, top);
      ctx.lineTo(Math.round(px) + 0.5, top + height);
      ctx.stroke();
      const label = `epoch ${epochs[i]}`;
      const w = ctx.measureText(label).width;
      const before = px - w - 3 * dpr;
      const after = px + 3 * dpr;
      const gap = 6 * dpr;
      const x0 = before >= left && before >= lastRight + gap ? before : after + w <= left + width && after >= lastRight + gap ? after : null;
      if (x0 === null) continue;
      ctx.fillText(label, x0, baseline);
      lastRight = x0 + w;
      labels.push([x0 / dpr, (baseline - textHeight) / dpr, w / dpr, textHeight / dpr].map((v) => Math.round(v * 10) / 10));
    }
    ctx.restore();
    u.root.dataset["epochLabels"] = JSON.stringify({ plot: [left / dpr, top / dpr, width / dpr, height / dpr], labels });
  };
}
