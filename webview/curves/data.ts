import { EPOCH_KEYS, STEP_KEYS, type EpochColumns, type RunData, type RunInfo, type StepColumns } from "../../src/shared/webview/curves";

/** The curves panel's data: per run, growable columns; aligned arrays for uPlot; smoothing; CSV. */

export class Growable {
  private buf: Float64Array;
  length = 0;
  constructor(capacity = 1024) {
    this.buf = new Float64Array(capacity);
  }
  push(values: Float64Array): void {
    if (this.length + values.length > this.buf.length) {
      const next = new Float64Array(Math.max(this.buf.length * 2, this.length + values.length));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    this.buf.set(values, this.length);
    this.length += values.length;
  }
  get values(): Float64Array {
    return this.buf.subarray(0, this.length);
  }
  clear(): void {
    this.length = 0;
  }
}

type Cols<K extends string> = Record<K, Growable>;

export class RunStore {
  readonly steps: Cols<keyof StepColumns>;
  readonly epochs: Cols<keyof EpochColumns>;
  constructor(public info: RunInfo) {
    this.steps = Object.fromEntries(STEP_KEYS.map((k) => [k, new Growable()])) as Cols<keyof StepColumns>;
    this.epochs = Object.fromEntries(EPOCH_KEYS.map((k) => [k, new Growable(64)])) as Cols<keyof EpochColumns>;
  }
  static from(d: RunData): RunStore {
    const r = new RunStore(d.info);
    r.append(d.steps, d.epochs);
    return r;
  }
  append(steps: StepColumns, epochs: EpochColumns): void {
    // Drop steps at or before the last one (a resumed run repeats none, but be safe).
    const last = this.steps.globalStep.length ? this.steps.globalStep.values[this.steps.globalStep.length - 1]! : -Infinity;
    let from = 0;
    while (from < steps.globalStep.length && steps.globalStep[from]! <= last) from++;
    for (const k of STEP_KEYS) this.steps[k].push(from ? steps[k].subarray(from) : steps[k]);
    const lastEpoch = this.epochs.epoch.length ? this.epochs.epoch.values[this.epochs.epoch.length - 1]! : -Infinity;
    let e = 0;
    while (e < epochs.epoch.length && epochs.epoch[e]! <= lastEpoch) e++;
    for (const k of EPOCH_KEYS) this.epochs[k].push(e ? epochs[k].subarray(e) : epochs[k]);
  }
  get points(): number {
    return this.steps.globalStep.length;
  }
}

/** Sorted union of sorted arrays (duplicates removed). */
export function unionSorted(arrays: readonly Float64Array[]): Float64Array {
  let acc: Float64Array = new Float64Array(0);
  for (const a of arrays) {
    if (a.length === 0) continue;
    if (acc.length === 0) {
      acc = dedupe(a);
      continue;
    }
    const out = new Float64Array(acc.length + a.length);
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < acc.length || j < a.length) {
      const x = j >= a.length || (i < acc.length && acc[i]! <= a[j]!) ? acc[i++]! : a[j++]!;
      if (n === 0 || out[n - 1] !== x) out[n++] = x;
    }
    acc = out.subarray(0, n);
  }
  return acc;
}

function dedupe(a: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (n === 0 || out[n - 1] !== a[i]) out[n++] = a[i]!;
  return out.subarray(0, n);
}

/**
 * `values` at `xs` placed on the axis `x` (both sorted): null where the series has no point,
 * and for values that are not finite (or not positive on a log scale).
 */
export function align(x: Float64Array, xs: Float64Array, values: Float64Array, positiveOnly = false): (number | null)[] {
  const out: (number | null)[] = new Array(x.length).fill(null);
  let j = 0;
  for (let i = 0; i < xs.length; i++) {
    const at = xs[i]!;
    while (j < x.length && x[j]! < at) j++;
    if (j >= x.length) break;
    if (x[j] === at) {
      const v = values[i]!;
      out[j] = Number.isFinite(v) && (!positiveOnly || v > 0) ? v : null;
    }
  }
  return out;
}

/** TensorBoard's smoothing: a debiased exponential moving average (weight 0 = none). */
export function smooth(values: Float64Array, weight: number): Float64Array {
  if (weight <= 0) return values;
  return new Smoother(weight).extend(values);
}

/**
 * The smoothing of a growing series, extended incrementally (only new points are computed as a
 * live run appends).
 */
export class Smoother {
  private out = new Growable();
  private last = 0;
  private decay = 1;
  constructor(readonly weight: number) {}
  /** The smoothed values of `values` (which must extend the values given before). */
  extend(values: Float64Array): Float64Array {
    const w = this.weight;
    const from = this.out.length;
    if (values.length > from) {
      const add = new Float64Array(values.length - from);
      for (let i = from; i < values.length; i++) {
        const v = values[i]!;
        if (v !== v || v === Infinity || v === -Infinity) {
          add[i - from] = v;
          continue;
        }
        this.last = this.last * w + (1 - w) * v;
        this.decay *= w;
        add[i - from] = this.last / (1 - this.decay);
      }
      this.out.push(add);
    }
    return this.out.values;
  }
}

/** First index with xs[i] >= v (xs sorted). */
export function lowerBound(xs: Float64Array, v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The value at the point nearest to x (null when the series has none). */
export function valueNear(xs: Float64Array, ys: Float64Array, x: number): { x: number; y: number } | null {
  if (xs.length === 0) return null;
  const i = lowerBound(xs, x);
  const j = i >= xs.length ? xs.length - 1 : i > 0 && x - xs[i - 1]! < xs[i]! - x ? i - 1 : i;
  return { x: xs[j]!, y: ys[j]! };
}

/**
 * A series reduced to what `buckets` pixel columns over [lo, hi] can show: per column its minimum
 * and maximum in the order they occur (so spikes survive), on a shared grid of two positions per
 * column (`bucketGrid`). Columns without points are null. Cost: one pass over the points in range.
 */
export function bucketize(xs: Float64Array, ys: Float64Array, lo: number, hi: number, buckets: number, positiveOnly = false): (number | null)[] {
  const out: (number | null)[] = new Array(2 * buckets).fill(null);
  const w = (hi - lo) / buckets;
  if (!(w > 0)) return out;
  const end = lowerBound(xs, hi + 1e-9 * Math.abs(hi) + 1e-12);
  let cur = -1;
  let min = 0;
  let max = 0;
  let minI = 0;
  let maxI = 0;
  let count = 0;
  const flush = (): void => {
    if (cur < 0 || count === 0) return;
    if (count === 1) out[2 * cur] = min;
    else if (minI <= maxI) {
      out[2 * cur] = min;
      out[2 * cur + 1] = max;
    } else {
      out[2 * cur] = max;
      out[2 * cur + 1] = min;
    }
  };
  for (let i = lowerBound(xs, lo); i < end; i++) {
    const y = ys[i]!;
    if (y !== y || y === Infinity || y === -Infinity || (positiveOnly && y <= 0)) continue;
    let b = ((xs[i]! - lo) / w) | 0;
    if (b >= buckets) b = buckets - 1;
    if (b !== cur) {
      flush();
      cur = b;
      min = max = y;
      minI = maxI = i;
      count = 1;
    } else {
      if (y < min) {
        min = y;
        minI = i;
      }
      if (y > max) {
        max = y;
        maxI = i;
      }
      count++;
    }
  }
  flush();
  return out;
}

/** The x positions of `bucketize`'s output: a quarter and three quarters into each column. */
export function bucketGrid(lo: number, hi: number, buckets: number): Float64Array {
  const x = new Float64Array(2 * buckets);
  const w = (hi - lo) / buckets;
  for (let b = 0; b < buckets; b++) {
    x[2 * b] = lo + (b + 0.25) * w;
    x[2 * b + 1] = lo + (b + 0.75) * w;
  }
  return x;
}

const csvField = (v: string | number): string =>
  typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;

/** Every run's metrics in long form: one row per step and one per epoch. */
export function toCsv(runs: readonly RunStore[]): string {
  const rows: string[] = ["run,kind,epoch,global_step,loss,accuracy,lr,images_per_second,val_loss,val_accuracy"];
  for (const r of runs) {
    const s = r.steps;
    const n = s.globalStep.length;
    const [gs, ep, loss, acc, lr, ips] = [s.globalStep.values, s.epoch.values, s.loss.values, s.accuracy.values, s.lr.values, s.imagesPerSecond.values];
    for (let i = 0; i < n; i++) rows.push([r.info.name, "step", ep[i]!, gs[i]!, loss[i]!, acc[i]!, lr[i]!, ips[i]!, NaN, NaN].map(csvField).join(","));
    const e = r.epochs;
    for (let i = 0; i < e.epoch.length; i++) {
      rows.push(
        [
          r.info.name,
          "epoch",
          e.epoch.values[i]!,
          e.globalStep.values[i]!,
          e.trainLoss.values[i]!,
          e.trainAccuracy.values[i]!,
          e.lr.values[i]!,
          NaN,
          e.valLoss.values[i]!,
          e.valAccuracy.values[i]!,
        ]
          .map(csvField)
          .join(","),
      );
    }
  }
  return rows.join("\n") + "\n";
}
