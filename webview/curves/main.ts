import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "../common/base.css";
import "./style.css";
import { validateCurvesToHost, validateCurvesToWebview, type CurvesToHost, type CurvesToWebview } from "../../src/shared/webview/curves";
import { appRoot, clear, fileSafe, h, liveRegion, notice } from "../common/dom";
import { button, checkbox, field, select } from "../common/elements";
import { fmt } from "../common/tensorPaint";
import { onThemeChange, theme, withAlpha, type Theme } from "../common/theme";
import { connect, sendReady } from "../common/vscode";
import { clearPlaced, EPOCH_LABEL_BAND, epochBoundaries, fitRange, formatDuration, formatX, isXMode, place, X_MODES, type XMode } from "./axes";
import { align, bucketGrid, bucketize, lowerBound, RunStore, Smoother, toCsv, unionSorted, valueNear } from "./data";

/**
 * Training curves: loss, accuracy, learning rate and throughput of one or more runs, overlaid,
 * updated live. uPlot draws on canvas (100,000 points per series redraw within a frame); data
 * changes are coalesced to one redraw per animation frame.
 */

interface State {
  hidden: string[];
  smoothing: number;
  log: boolean;
  zoom: [number, number] | null;
  /** Issue 19: the x axis, and whether the accuracy axis fits the data (else 0–100%). */
  xAxis: XMode;
  fitAccuracy: boolean;
}

type ChartId = "loss" | "accuracy" | "lr" | "speed";

interface SeriesDef {
  label: string;
  xs: Float64Array;
  values: Float64Array;
  color: string;
  width: number;
  dash?: number[];
  points?: boolean;
  spanGaps?: boolean;
  /** The faint unsmoothed curve under a smoothed one (left out when fitting the axis). */
  raw?: boolean;
}

interface ChartDef {
  id: ChartId;
  title: string;
  describe: string;
  logScale: (s: State) => boolean;
  percent?: boolean;
  series(run: RunStore, color: string, s: State): SeriesDef[];
}

const CHARTS: ChartDef[] = [
  {
    id: "loss",
    title: "Loss",
    describe: "training loss per step and validation loss per epoch",
    logScale: (s) => s.log,
    series: (r, c, s) => trainAndValidation(r, c, s, "loss", "valLoss"),
  },
  {
    id: "accuracy",
    title: "Accuracy",
    describe: "training accuracy per step and validation accuracy per epoch",
    logScale: () => false,
    percent: true,
    series: (r, c, s) => trainAndValidation(r, c, s, "accuracy", "valAccuracy"),
  },
  {
    id: "lr",
    title: "Learning rate",
    describe: "learning rate per step",
    logScale: (s) => s.log,
    series: (r, c, s) => {
      const p = place(r, "steps", s.xAxis);
      return [{ label: tag(r), xs: p.xs, values: p.pick(r.steps.lr.values), color: c, width: 1.5 }];
    },
  },
  {
    id: "speed",
    title: "Images / s",
    describe: "training throughput per step",
    logScale: () => false,
    series: (r, c, s) => {
      const p = place(r, "steps", s.xAxis);
      return [
        ...(s.smoothing > 0
          ? [{ label: `${tag(r)} (raw)`, xs: p.xs, values: p.pick(r.steps.imagesPerSecond.values), color: withAlpha(c, 0.28), width: 1, raw: true }]
          : []),
        { label: tag(r), xs: p.xs, values: p.pick(smoothed(r, "imagesPerSecond", s.smoothing)), color: c, width: 1.5 },
      ];
    },
  },
];

const runs = new Map<string, RunStore>();
const order: string[] = [];
const smoothers = new Map<string, Smoother>();

/** A metric's training curve per step (smoothed, over the raw one drawn faint) and its validation points per epoch. */
function trainAndValidation(r: RunStore, c: string, s: State, train: "loss" | "accuracy", validation: "valLoss" | "valAccuracy"): SeriesDef[] {
  const p = place(r, "steps", s.xAxis);
  const e = place(r, "epochs", s.xAxis);
  return [
    ...(s.smoothing > 0
      ? [{ label: `${tag(r)} train (raw)`, xs: p.xs, values: p.pick(r.steps[train].values), color: withAlpha(c, 0.28), width: 1, raw: true }]
      : []),
    { label: `${tag(r)} train`, xs: p.xs, values: p.pick(smoothed(r, train, s.smoothing)), color: c, width: 1.5 },
    // issue 19: drawn last (over the train curves), dashed, with ringed markers at the epochs' ends
    {
      label: `${tag(r)} validation`,
      xs: e.xs,
      values: e.pick(r.epochs[validation].values),
      color: c,
      width: 2,
      dash: [6, 4],
      points: true,
      spanGaps: true,
    },
  ];
}

/** A run's metric smoothed with `weight`, extended incrementally as points arrive. */
function smoothed(r: RunStore, metric: "loss" | "accuracy" | "imagesPerSecond", weight: number): Float64Array {
  const values = r.steps[metric].values;
  if (weight <= 0) return values;
  const key = `${r.info.id}\u0000${metric}`;
  let sm = smoothers.get(key);
  if (!sm || sm.weight !== weight) {
    sm = new Smoother(weight);
    smoothers.set(key, sm);
  }
  return sm.extend(values);
}

/** A run's short tag in legends ("#1"); the run list shows tag and name. */
function tag(r: RunStore): string {
  return `#${order.indexOf(r.info.id) + 1}`;
}

const channel = connect<CurvesToWebview, CurvesToHost, State>({
  validateIn: validateCurvesToWebview,
  validateOut: validateCurvesToHost,
  onMessage,
  restoreState: (saved) => {
    const s = (saved ?? {}) as Partial<State>;
    return {
      hidden: Array.isArray(s.hidden) ? s.hidden.filter((x): x is string => typeof x === "string") : [],
      smoothing: typeof s.smoothing === "number" && s.smoothing >= 0 && s.smoothing < 1 ? s.smoothing : 0.6,
      log: s.log === true,
      zoom: Array.isArray(s.zoom) && s.zoom.length === 2 ? [Number(s.zoom[0]), Number(s.zoom[1])] : null,
      xAxis: isXMode(s.xAxis) ? s.xAxis : "step",
      fitAccuracy: s.fitAccuracy !== false,
    };
  },
});
const state = channel.state;

// ---- layout ------------------------------------------------------------------------------------

const root = appRoot();
const live = liveRegion();
const runList = h("ul", { class: "cs-runs", attrs: { "aria-label": "Runs" } });
const smoothingValue = h("span", { class: "cs-mono", text: state.smoothing.toFixed(2) });
const smoothingInput = h("input", {
  class: "cs-range",
  attrs: {
    type: "range",
    min: 0,
    max: 0.99,
    step: 0.01,
    value: String(state.smoothing),
    "aria-label": "Smoothing",
    "aria-valuetext": state.smoothing.toFixed(2),
  },
});
smoothingInput.addEventListener("input", () => {
  state.smoothing = Number(smoothingInput.value);
  smoothingValue.textContent = state.smoothing.toFixed(2);
  smoothingInput.setAttribute("aria-valuetext", state.smoothing.toFixed(2));
  channel.save({ smoothing: state.smoothing });
  schedule(true);
});
const logBox = checkbox("Log scale (loss, learning rate)", state.log, (v) => {
  channel.save({ log: v });
  schedule(true);
});
const xAxisSelect = select(
  "X axis",
  X_MODES.map((m) => ({ value: m.value, label: m.label })),
  state.xAxis,
  (v) => {
    if (!isXMode(v) || v === state.xAxis) return;
    state.xAxis = v;
    state.zoom = null;
    channel.save({ xAxis: v, zoom: null });
    schedule(true);
  },
);
const fitBox = checkbox("Fit accuracy axis to the data", state.fitAccuracy, (v) => {
  state.fitAccuracy = v;
  channel.save({ fitAccuracy: v });
  schedule(true);
});
const exportStatus = h("span", { class: "cs-muted", attrs: { role: "status" } });
const toolbar = h(
  "div",
  { class: "cs-toolbar", attrs: { role: "toolbar", "aria-label": "Curve options" } },
  field("Smoothing", h("div", { class: "cs-row" }, smoothingInput, smoothingValue)),
  logBox,
  field("X axis", xAxisSelect),
  fitBox,
  button("Reset zoom", () => resetZoom(), { secondary: true, label: "Reset zoom (key 0 on a chart)" }),
  h("span", { class: "cs-grow" }),
  button("Add runs…", () => channel.post({ type: "addRuns" }), { secondary: true, label: "Add runs to compare" }),
  button("Export PNG", () => void exportPng(), { secondary: true, label: "Export the charts as a PNG image" }),
  button("Export CSV", () => exportCsv(), { secondary: true, label: "Export the metrics as CSV" }),
  exportStatus,
);
const summary = h("span", { class: "cs-muted" });
const empty = h("div");
const grid = h("div", { class: "cs-charts" });
root.append(
  h("div", { class: "cs-header" }, h("h1", { text: "Training curves" }), summary),
  toolbar,
  h("section", { attrs: { "aria-label": "Runs" } }, runList),
  empty,
  grid,
  h("p", {
    class: "cs-kbd-hint",
    text: "Drag on a chart to zoom, double-click to reset. With a chart focused: ← → move the read-out (Shift: faster), + − zoom, 0 resets.",
  }),
  live,
);

interface Chart {
  def: ChartDef;
  box: HTMLElement;
  target: HTMLElement;
  plot: uPlot | null;
  key: string;
  /** The plotted x positions (steps, or column positions when decimated). */
  x: Float64Array;
  idx: number;
  defs: SeriesDef[];
}

const charts: Chart[] = CHARTS.map((def) => {
  const target = h("div", { class: "cs-plot" });
  const box = h(
    "section",
    {
      class: "cs-chart",
      attrs: { tabindex: 0, role: "group", "aria-label": `${def.title} chart: ${def.describe}. Use the arrow keys to read values.`, "data-chart": def.id },
    },
    h("h2", { text: def.title }),
    target,
  );
  grid.append(box);
  const chart: Chart = { def, box, target, plot: null, key: "", x: new Float64Array(0), idx: -1, defs: [] };
  box.addEventListener("keydown", (e) => onChartKey(chart, e));
  return chart;
});

// ---- messages ----------------------------------------------------------------------------------

function onMessage(m: CurvesToWebview): void {
  switch (m.type) {
    case "snapshot":
      runs.clear();
      order.length = 0;
      smoothers.clear();
      clearPlaced();
      for (const d of m.runs) {
        runs.set(d.info.id, RunStore.from(d));
        order.push(d.info.id);
      }
      schedule(true);
      break;
    case "append": {
      const r = runs.get(m.run);
      if (!r) return;
      r.append(m.steps, m.epochs);
      schedule(false);
      break;
    }
    case "runInfo": {
      const r = runs.get(m.info.id);
      if (r) r.info = m.info;
      else {
        runs.set(m.info.id, new RunStore(m.info));
        order.push(m.info.id);
      }
      schedule(!r);
      renderRuns();
      break;
    }
    case "removeRun":
      runs.delete(m.run);
      if (order.includes(m.run)) order.splice(order.indexOf(m.run), 1);
      schedule(true);
      break;
    case "exported":
      exportStatus.textContent = m.error ? `Export failed: ${m.error}` : m.path ? `Saved ${m.path}` : "";
      break;
  }
  channel.save({ restore: { model: null, runs: [...order] } });
}

// ---- drawing -----------------------------------------------------------------------------------

let pending = false;
let structural = false;

/** Redraws at the next animation frame (once, however many changes arrive before it). */
function schedule(rebuild: boolean): void {
  structural ||= rebuild;
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    const t0 = performance.now();
    draw(structural);
    structural = false;
    performance.measure("cnnStudio:curves:draw", { start: t0, end: performance.now() });
  });
}

function colorOf(id: string, t: Theme): string {
  return t.palette[order.indexOf(id) % t.palette.length]!;
}

let th = theme();

function visibleRuns(): RunStore[] {
  return order
    .filter((id) => !state.hidden.includes(id))
    .map((id) => runs.get(id)!)
    .filter(Boolean);
}

/** The steps all visible runs span. */
function fullRange(vis: RunStore[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of vis) {
    for (const xs of [place(r, "steps", state.xAxis).xs, place(r, "epochs", state.xAxis).xs]) {
      if (xs.length === 0) continue;
      if (xs[0]! < lo) lo = xs[0]!;
      if (xs[xs.length - 1]! > hi) hi = xs[xs.length - 1]!;
    }
  }
  if (!(hi >= lo)) return null;
  return hi > lo ? [lo, hi] : [lo - 1, hi + 1];
}

/** Plot width in CSS pixels (the canvas area without the y axis). */
function plotWidth(c: Chart): number {
  if (c.plot) return Math.max(50, c.plot.bbox.width / (devicePixelRatio || 1));
  return Math.max(50, (c.target.clientWidth || 480) - 70);
}

/**
 * The chart's data for [lo, hi]: every point when there are at most two per pixel column,
 * otherwise each series reduced to its minimum and maximum per column (`bucketize`), so a redraw
 * costs one pass over the points in range, not a path through all of them.
 */
function chartData(c: Chart, defs: SeriesDef[], lo: number, hi: number, log: boolean): { x: Float64Array; data: uPlot.AlignedData } {
  const buckets = Math.max(16, Math.round(plotWidth(c)));
  const dense = defs.reduce((m, d) => Math.max(m, lowerBound(d.xs, hi + 0.5) - lowerBound(d.xs, lo - 0.5)), 0);
  if (dense <= 2 * buckets) {
    const part = (xs: Float64Array) => xs.subarray(lowerBound(xs, lo - 0.5), lowerBound(xs, hi + 0.5));
    const x = unionSorted(defs.map((d) => part(d.xs)));
    const ys = defs.map((d) => {
      const a = lowerBound(d.xs, lo - 0.5);
      const b = lowerBound(d.xs, hi + 0.5);
      return align(x, d.xs.subarray(a, b), d.values.subarray(a, b), log);
    });
    return { x, data: [x, ...ys] as unknown as uPlot.AlignedData };
  }
  const x = bucketGrid(lo, hi, buckets);
  return { x, data: [x, ...defs.map((d) => bucketize(d.xs, d.values, lo, hi, buckets, log))] as unknown as uPlot.AlignedData };
}

function draw(rebuild: boolean): void {
  if (rebuild) renderRuns();
  const vis = visibleRuns();
  const total = [...runs.values()].reduce((s, r) => s + r.points, 0);
  summary.textContent =
    runs.size === 0
      ? ""
      : `${runs.size} run${runs.size === 1 ? "" : "s"} · ${total.toLocaleString("en-US")} steps${[...runs.values()].some((r) => r.info.status === "running") ? " · live" : ""}`;
  clear(empty);
  if (runs.size === 0) {
    empty.append(
      notice("info", "No training runs to show yet.", "Train a model (the Train code lens above an exported model), or add run folders with “Add runs…”."),
    );
  }
  grid.classList.toggle("cs-hidden", runs.size === 0);
  if (runs.size === 0) return;
  const full = fullRange(vis) ?? [0, 1];
  const [lo, hi] = state.zoom ?? full;
  for (const c of charts) {
    const defs = vis.flatMap((r) => c.def.series(r, colorOf(r.info.id, th), state));
    const log = c.def.logScale(state);
    const { x, data } = chartData(c, defs, lo, hi, log);
    const key = JSON.stringify([defs.map((d) => [d.label, d.color]), log, th.kind, th.foreground, state.xAxis, state.fitAccuracy]);
    c.x = x;
    c.defs = defs;
    syncing = true;
    if (!c.plot || key !== c.key || rebuild) {
      c.plot?.destroy();
      c.key = key;
      c.plot = new uPlot(options(c, defs, log), data, c.target);
    } else {
      c.plot.setData(data, false);
    }
    c.plot.setScale("x", { min: lo, max: hi });
    syncing = false;
  }
}

/** The exact value of series `i` (1-based, as uPlot counts) at the step nearest to x. */
function exact(c: Chart, i: number, x: number): { x: number; y: number } | null {
  const d = c.defs[i - 1];
  if (!d) return null;
  const v = valueNear(d.xs, d.values, x);
  if (!v) return null;
  // a sparse series (validation) only has values at its own points
  if (d.points && Math.abs(v.x - x) > Math.max(1, (c.x[1]! - c.x[0]!) * 2)) return null;
  return v;
}

function options(c: Chart, defs: SeriesDef[], log: boolean): uPlot.Options {
  const font = `${Math.round(th.fontSize * 0.85)}px ${th.fontFamily}`;
  const axis = (label?: string): uPlot.Axis => ({
    stroke: th.muted,
    grid: { stroke: th.grid, width: 1 },
    ticks: { stroke: th.grid, width: 1 },
    font,
    labelFont: font,
    ...(label ? { label } : {}),
  });
  const fmtValue = (v: number | null | undefined): string =>
    v === null || v === undefined || !Number.isFinite(v) ? "–" : c.def.percent ? `${(v * 100).toFixed(2)}%` : fmt(v);
  const stepAt = (u: uPlot, idx: number | null | undefined): number | null => {
    if (idx === null || idx === undefined) return null;
    const x = (u.data[0] as ArrayLike<number>)[idx];
    return x === undefined ? null : x;
  };
  const mode = state.xAxis;
  const xName = mode === "step" ? "step" : mode === "relative" ? "time" : "wall time";
  /** Issue 19: without a cursor on the chart the legend shows each series' latest value. */
  const latest = (d: SeriesDef): string => {
    for (let i = d.values.length - 1; i >= 0; i--) if (Number.isFinite(d.values[i])) return fmtValue(d.values[i]);
    return "–";
  };
  const fit = c.def.percent && state.fitAccuracy;
  return {
    width: Math.max(240, c.target.clientWidth || 480),
    height: 220,
    // issue 19: a band above the data for the epoch labels
    padding: [EPOCH_LABEL_BAND, null, null, null],
    pxAlign: 0,
    cursor: {
      sync: { key: "cnn-studio-curves" },
      drag: { x: true, y: false, setScale: true },
      focus: { prox: 16 },
    },
    focus: { alpha: 0.4 },
    scales: {
      x: { time: mode === "wall" },
      y: {
        distr: log ? 3 : 1,
        ...(c.def.percent
          ? {
              range: (u: uPlot, dmin: number, dmax: number): uPlot.Range.MinMax => {
                if (!fit) return [0, 1];
                const x = u.scales.x!;
                return (
                  fitRange(
                    c.defs.map((d) => ({ xs: d.xs, values: d.values, raw: d.raw === true })),
                    x.min ?? -Infinity,
                    x.max ?? Infinity,
                  ) ?? [dmin, dmax]
                );
              },
            }
          : {}),
      },
    },
    axes: [
      {
        ...axis(mode === "step" ? "step" : mode === "relative" ? "time since start" : "wall time"),
        ...(mode === "relative" ? { values: (_u: uPlot, vals: number[]) => vals.map((v) => formatDuration(v)) } : {}),
      },
      { ...axis(), size: 60, values: (_u, vals) => vals.map((v) => (v === null ? "" : c.def.percent ? `${Math.round(v * 100)}%` : fmt(v))) },
    ],
    series: [
      {
        label: xName,
        value: (u, _v, _s, idx) => {
          const x = stepAt(u, idx);
          if (x === null) return "latest";
          const near = exact(c, c.defs.findIndex((d) => !d.points) + 1, x);
          return formatX(mode, near ? near.x : x);
        },
      },
      ...defs.map((d, i) => ({
        label: d.label,
        stroke: d.color,
        width: d.width,
        ...(d.dash ? { dash: d.dash } : {}),
        // validation markers: large, ringed in the background colour, so the train curve never hides them
        points: d.points ? { show: true, size: 8, width: 2, fill: d.color, stroke: th.background } : { show: false },
        spanGaps: true,
        value: (u: uPlot, _v: number | null, _s: number, idx: number | null) => {
          const x = stepAt(u, idx);
          return x === null ? latest(d) : fmtValue(exact(c, i + 1, x)?.y);
        },
      })),
    ],
    legend: { live: true },
    hooks: {
      drawClear: [epochBoundaries(() => boundaries(mode), withAlpha(th.muted, 0.55), font)],
      setScale: [
        (u, key) => {
          if (key === "x") syncZoom(u);
          // the y range the chart shows, for tests and tools (issue 19: the accuracy axis fits the data)
          else if (key === "y") c.box.dataset["yRange"] = `${u.scales.y!.min ?? ""},${u.scales.y!.max ?? ""}`;
        },
      ],
      setCursor: [(u) => (c.idx = u.cursor.idx ?? c.idx)],
    },
  };
}

let syncing = false;

/** Issue 19: the epochs' ends of the first visible run that has any, on the x axis. */
function boundaries(mode: XMode): { xs: Float64Array; epochs: Float64Array } {
  for (const r of visibleRuns()) {
    const p = place(r, "epochs", mode);
    if (p.xs.length > 0) return { xs: p.xs, epochs: p.pick(r.epochs.epoch.values) };
  }
  return { xs: new Float64Array(0), epochs: new Float64Array(0) };
}

/** A chart's x scale changed (drag to zoom, keys): the others follow, and the data is reduced again for the range. */
function syncZoom(from: uPlot): void {
  if (syncing) return;
  const min = from.scales.x!.min;
  const max = from.scales.x!.max;
  if (min === undefined || max === undefined) return;
  const full = fullRange(visibleRuns());
  const whole = !full || (min <= full[0] && max >= full[1]);
  setZoom(whole ? null : [min, max]);
}

function setZoom(zoom: [number, number] | null): void {
  state.zoom = zoom;
  channel.save({ zoom });
  schedule(false);
}

function resetZoom(): void {
  setZoom(null);
}

function onChartKey(c: Chart, e: KeyboardEvent): void {
  const u = c.plot;
  if (!u || c.x.length === 0) return;
  const n = c.x.length;
  const min = u.scales.x!.min ?? c.x[0]!;
  const max = u.scales.x!.max ?? c.x[n - 1]!;
  let idx = c.idx >= 0 ? c.idx : firstIndexAtOrAfter(c.x, min);
  const stepBig = Math.max(1, Math.round(n / 20));
  switch (e.key) {
    case "ArrowRight":
      idx = Math.min(n - 1, idx + (e.shiftKey ? stepBig : 1));
      break;
    case "ArrowLeft":
      idx = Math.max(0, idx - (e.shiftKey ? stepBig : 1));
      break;
    case "Home":
      idx = firstIndexAtOrAfter(c.x, min);
      break;
    case "End":
      idx = Math.max(0, firstIndexAtOrAfter(c.x, max + 1e-9) - 1);
      break;
    case "+":
    case "=":
    case "-":
    case "_": {
      const full = fullRange(visibleRuns());
      if (!full) return;
      const center = c.x[idx] ?? (min + max) / 2;
      const f = e.key === "+" || e.key === "=" ? 0.5 : 2;
      const half = ((max - min) * f) / 2;
      const lo = Math.max(full[0], center - half);
      const hi = Math.min(full[1], center + half);
      if (hi > lo) setZoom(lo <= full[0] && hi >= full[1] ? null : [lo, hi]);
      e.preventDefault();
      return;
    }
    case "0":
    case "Escape":
      resetZoom();
      e.preventDefault();
      return;
    default:
      return;
  }
  e.preventDefault();
  c.idx = idx;
  const xv = c.x[idx]!;
  const left = u.valToPos(xv, "x");
  u.setCursor({ left, top: u.bbox.height / devicePixelRatio / 2 });
  const parts: string[] = [];
  let step = xv;
  u.series.forEach((s, i) => {
    if (i === 0) return;
    const v = exact(c, i, xv);
    if (v && !c.defs[i - 1]?.points) step = v.x;
    if (v && Number.isFinite(v.y)) parts.push(`${s.label}: ${c.def.percent ? `${(v.y * 100).toFixed(2)}%` : fmt(v.y)}`);
  });
  live.textContent = `${c.def.title} at ${state.xAxis === "step" ? "step" : state.xAxis === "relative" ? "time" : "wall time"} ${formatX(state.xAxis, step)}: ${parts.join("; ") || "no values"}`;
}

function firstIndexAtOrAfter(x: Float64Array, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, x.length - 1);
}

// ---- the run list ----------------------------------------------------------------------------------

function renderRuns(): void {
  clear(runList);
  for (const id of order) {
    const r = runs.get(id);
    if (!r) continue;
    const color = colorOf(id, th);
    const swatch = h("span", { class: "cs-swatch", attrs: { "aria-hidden": "true" } });
    swatch.style.background = color;
    const visible = !state.hidden.includes(id);
    const details = [
      r.info.model,
      r.info.dataset,
      r.info.optimizer ? `${r.info.optimizer}${r.info.lr !== null ? ` lr ${fmt(r.info.lr)}` : ""}` : "",
      r.info.epochs ? `${r.info.epochs} epochs` : "",
    ]
      .filter(Boolean)
      .join(" · ");
    const box = checkbox(r.info.name, visible, (on) => {
      state.hidden = on ? state.hidden.filter((x) => x !== id) : [...state.hidden, id];
      channel.save({ hidden: state.hidden });
      schedule(true);
    });
    box.setAttribute("aria-label", `Show run ${r.info.name}`);
    runList.append(
      h(
        "li",
        { class: "cs-run", attrs: { "data-run": r.info.name } },
        swatch,
        h("span", { class: "cs-tag", text: tag(r) }),
        box,
        h("vscode-badge", { class: `cs-status cs-status-${r.info.status}`, text: r.info.status, attrs: { "aria-label": `status ${r.info.status}` } }),
        h("span", { class: "cs-muted", text: details }),
        button("Remove", () => channel.post({ type: "removeRun", run: id }), {
          secondary: true,
          label: `Remove run ${r.info.name} from the chart`,
          class: "cs-remove",
        }),
      ),
    );
  }
}

// ---- export ------------------------------------------------------------------------------------

async function exportPng(): Promise<void> {
  const plotted = charts.filter((c) => c.plot);
  if (plotted.length === 0) return;
  const dpr = devicePixelRatio || 1;
  const gridBox = grid.getBoundingClientRect();
  const legendLines = visibleRuns().map((r) => ({ name: `${tag(r)} ${r.info.name}`, color: colorOf(r.info.id, th) }));
  const pad = 16 * dpr;
  const lineH = 20 * dpr;
  const out = document.createElement("canvas");
  out.width = Math.round(gridBox.width * dpr + 2 * pad);
  out.height = Math.round(gridBox.height * dpr + 2 * pad + legendLines.length * lineH + lineH);
  const ctx = out.getContext("2d")!;
  ctx.fillStyle = th.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.textBaseline = "top";
  ctx.font = `${Math.round(th.fontSize * dpr)}px ${th.fontFamily}`;
  let y = pad;
  for (const l of legendLines) {
    ctx.fillStyle = l.color;
    ctx.fillRect(pad, y + 4 * dpr, 14 * dpr, 4 * dpr);
    ctx.fillStyle = th.foreground;
    ctx.fillText(l.name, pad + 22 * dpr, y);
    y += lineH;
  }
  const top = y + lineH / 2;
  for (const c of plotted) {
    const b = c.box.getBoundingClientRect();
    const ox = pad + (b.left - gridBox.left) * dpr;
    const oy = top + (b.top - gridBox.top) * dpr;
    ctx.fillStyle = th.foreground;
    ctx.font = `600 ${Math.round(th.fontSize * dpr)}px ${th.fontFamily}`;
    ctx.fillText(c.def.title, ox, oy);
    const canvas = c.plot!.ctx.canvas;
    const cb = canvas.getBoundingClientRect();
    ctx.drawImage(canvas, pad + (cb.left - gridBox.left) * dpr, top + (cb.top - gridBox.top) * dpr);
  }
  const blob = await new Promise<Blob | null>((res) => out.toBlob(res, "image/png"));
  if (!blob) return;
  const data = new Uint8Array(await blob.arrayBuffer());
  channel.post({
    type: "exportPng",
    suggestedName: `${fileSafe(
      visibleRuns()
        .map((r) => r.info.name)
        .join("+") || "curves",
    )}.png`,
    data,
  });
}

function exportCsv(): void {
  const list = visibleRuns();
  channel.post({ type: "exportCsv", suggestedName: `${fileSafe(list.map((r) => r.info.name).join("+") || "metrics")}.csv`, text: toCsv(list) });
}

// ---- start -------------------------------------------------------------------------------------

new ResizeObserver(() => {
  for (const c of charts) if (c.plot) c.plot.setSize({ width: Math.max(240, c.target.clientWidth), height: 220 });
}).observe(grid);

onThemeChange(() => {
  th = theme();
  schedule(true);
});

draw(true);
sendReady();
