import "../common/base.css";
import "../common/tensor.css";
import "./style.css";
import type { Tensor } from "../../src/shared/webview/common";
import { validateFiltersToHost, validateFiltersToWebview, type ConvLayer, type FiltersToHost, type FiltersToWebview } from "../../src/shared/webview/filters";
import { lut, type ColormapName } from "../common/colormap";
import { appRoot, clear, h, liveRegion, notice } from "../common/dom";
import { button, field, select, setChoices } from "../common/elements";
import { checkpointChoices, checkpointParam, UNTRAINED, updateCheckpointSelect } from "../common/inputs";
import { colorbar, fmt } from "../common/tensorPaint";
import { TileGrid } from "../common/tileGrid";
import { connect, sendReady } from "../common/vscode";

/**
 * Filters: a convolution's kernels. A first layer on a 3-channel input shows each output channel's
 * kernel as an RGB image (or grey for one channel); deeper layers show, per output channel, a grid
 * of its kernels (one per input channel) in a diverging colour map around zero.
 */

type Mode = "rgb" | "channels";

interface State {
  checkpoint: string | null;
  nodeId: number | null;
  mode: Mode;
  colormap: ColormapName;
  page: number;
}

const PAGE = 64;

const channel = connect<FiltersToWebview, FiltersToHost, State>({
  validateIn: validateFiltersToWebview,
  validateOut: validateFiltersToHost,
  onMessage,
  restoreState: (saved) => {
    const s = (saved ?? {}) as Partial<State>;
    return {
      checkpoint: typeof s.checkpoint === "string" ? s.checkpoint : null,
      nodeId: typeof s.nodeId === "number" ? s.nodeId : null,
      mode: s.mode === "channels" ? "channels" : "rgb",
      colormap: s.colormap === "grey" ? "grey" : "coolwarm",
      page: typeof s.page === "number" && s.page >= 0 ? Math.floor(s.page) : 0,
    };
  },
});
const state = channel.state;

let layers: ConvLayer[] = [];
let weights: { nodeId: number; weight: Tensor } | null = null;
let available = false;
let requestId = 0;

const root = appRoot();
const live = liveRegion();
const subtitle = h("span", { class: "cs-muted" });
const checkpointSel = select("Weights", checkpointChoices([]), UNTRAINED, (v) => {
  channel.save({ checkpoint: v });
  request();
});
const layerSel = select("Layer", [], "", (v) => {
  channel.save({ nodeId: Number(v), page: 0 });
  request();
});
const modeSel = select(
  "Show",
  [
    { value: "rgb", label: "Kernels as images" },
    { value: "channels", label: "Every input channel" },
  ],
  state.mode,
  (v) => {
    channel.save({ mode: v === "channels" ? "channels" : "rgb" });
    render();
  },
);
const mapSel = select(
  "Colour map",
  [
    { value: "coolwarm", label: "cool–warm (signed)" },
    { value: "grey", label: "grey" },
  ],
  state.colormap,
  (v) => {
    channel.save({ colormap: v === "grey" ? "grey" : "coolwarm" });
    render();
  },
);
const status = h("span", { class: "cs-status", attrs: { role: "status" } });
const notices = h("div");
const heading = h("h2");
const statsLine = h("p", { class: "cs-muted cs-mono" });
const readout = h("div", { class: "cs-readout" });
const bar = h("canvas", { attrs: { "aria-hidden": "true" } });
const barLo = h("span");
const barHi = h("span");
const pager = h("div", { class: "cs-row cs-pager" });
const grid = new TileGrid({
  label: "Kernels by output channel: arrow keys move",
  onHover: (i, y, x) => hover(i, y, x),
  onLeave: () => (readout.textContent = ""),
  onPick: (i) => hover(i, -1, -1),
  describe: (i) => `output channel ${state.page * PAGE + i}`,
});

root.append(
  h("div", { class: "cs-header" }, h("h1", { text: "Filters" }), subtitle),
  h(
    "div",
    { class: "cs-toolbar", attrs: { role: "toolbar", "aria-label": "Filter options" } },
    field("Weights", checkpointSel),
    field("Layer", layerSel),
    field("Show", modeSel),
    field("Colour map", mapSel),
    status,
  ),
  notices,
  h(
    "section",
    { class: "cs-filters", attrs: { "aria-label": "Kernels" } },
    h("div", { class: "cs-row" }, heading, h("span", { class: "cs-grow" }), h("span", { class: "cs-colorbar" }, barLo, bar, barHi)),
    statsLine,
    readout,
    pager,
    grid.element,
  ),
  live,
);

function onMessage(m: FiltersToWebview): void {
  switch (m.type) {
    case "snapshot": {
      channel.save({ restore: { model: m.model, runs: null } });
      subtitle.textContent = m.model.model;
      layers = m.layers;
      available = m.weights.available;
      channel.save({ checkpoint: updateCheckpointSelect(checkpointSel, state.checkpoint, m.checkpoints) });
      const chosen = layers.find((l) => l.nodeId === state.nodeId) ?? layers[0];
      setChoices(
        layerSel,
        layers.map((l) => ({ value: String(l.nodeId), label: `${l.label} · ${l.type} · ${l.weightShape.join("×")}` })),
        chosen ? String(chosen.nodeId) : "",
      );
      channel.save({ nodeId: chosen?.nodeId ?? null });
      clear(notices);
      if (layers.length === 0) notices.append(notice("warning", "This model has no convolution.", "Filters are shown for Conv2d and ConvTranspose2d layers."));
      else if (!m.weights.available) notices.append(notice("info", "Filters are not available yet.", m.weights.reason));
      else if (m.weights.reason) notices.append(notice("info", m.weights.reason));
      request();
      break;
    }
    case "checkpoints": {
      const cp = updateCheckpointSelect(checkpointSel, state.checkpoint, m.checkpoints);
      if (cp !== state.checkpoint) {
        channel.save({ checkpoint: cp });
        request();
      }
      break;
    }
    case "weights":
      if (m.requestId !== requestId) return;
      status.textContent = "";
      weights = { nodeId: m.nodeId, weight: m.weight };
      render();
      break;
    case "requestFailed":
      if (m.requestId !== requestId) return;
      status.textContent = "";
      clear(notices);
      notices.append(notice("error", "Could not load the weights.", m.message));
      break;
  }
}

function request(): void {
  if (!available || state.nodeId === null) return;
  requestId++;
  status.textContent = "Loading…";
  channel.post({ type: "requestWeights", requestId, checkpoint: checkpointParam(state.checkpoint), nodeId: state.nodeId });
}

interface Layout {
  layer: ConvLayer;
  rgb: boolean;
  /** Kernels per output channel laid out in cols × rows cells of (kh + gap) px. */
  cols: number;
  rows: number;
  gap: number;
}

let layoutNow: Layout | null = null;

function render(): void {
  const w = weights;
  const layer = layers.find((l) => l.nodeId === w?.nodeId);
  if (!w || !layer) return;
  const [o, i, kh, kw] = w.weight.shape as [number, number, number, number];
  const rgbPossible = layer.firstLayer && (i === 3 || i === 1);
  modeSel.parentElement?.classList.toggle("cs-hidden", !rgbPossible);
  const rgb = rgbPossible && state.mode === "rgb";
  const cols = rgb ? 1 : Math.ceil(Math.sqrt(i));
  const rows = rgb ? 1 : Math.ceil(i / cols);
  const gap = rgb || i === 1 ? 0 : 1;
  layoutNow = { layer, rgb, cols, rows, gap };
  const data = w.weight.data;
  let maxAbs = 0;
  let sum = 0;
  let sq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of data) {
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sq += v * v;
  }
  const mean = sum / data.length;
  heading.textContent = `${layer.label} · ${layer.type} · ${o} × ${i} kernels of ${kh}×${kw}${layer.groups > 1 ? ` · groups ${layer.groups}` : ""}`;
  statsLine.textContent = `min ${fmt(min)} · max ${fmt(max)} · mean ${fmt(mean)} · std ${fmt(Math.sqrt(Math.max(0, sq / data.length - mean * mean)))}`;
  // issue 19: the colour map applies wherever a kernel is one channel of values (a grey first layer
  // shown as images too); RGB kernels are their own colours, so the choice is hidden for them
  const mapApplies = !rgb || i === 1;
  mapSel.parentElement?.classList.toggle("cs-hidden", !mapApplies);
  colorbar(bar, mapApplies ? state.colormap : "grey");
  barLo.textContent = mapApplies ? fmt(-maxAbs) : "low";
  barHi.textContent = mapApplies ? fmt(maxAbs) : "high";
  // pages of output channels
  const pages = Math.ceil(o / PAGE);
  if (state.page >= pages) channel.save({ page: 0 });
  const first = state.page * PAGE;
  const count = Math.min(PAGE, o - first);
  clear(pager);
  if (pages > 1) {
    pager.append(
      button("‹ Previous", () => turn(-1), { secondary: true, label: "Previous output channels" }),
      h("span", { text: `Output channels ${first}–${first + count - 1} of ${o}` }),
      button("Next ›", () => turn(1), { secondary: true, label: "Next output channels" }),
    );
  }
  const cw = cols * (kw + gap) - gap;
  const ch = rows * (kh + gap) - gap;
  const px = rgb ? (o <= 16 ? 96 : 64) : Math.min(160, Math.max(56, cw * 4));
  grid.layout(count, cw, ch, px);
  const colors = lut(mapApplies ? state.colormap : "grey");
  const bg = themeGap();
  const scale = maxAbs > 0 ? 127.5 / maxAbs : 0;
  for (let k = 0; k < count; k++) {
    const oc = first + k;
    const tile = grid.tiles[k]!;
    const out = new Uint32Array(tile.image.data.buffer);
    out.fill(bg);
    if (rgb && i === 3) {
      const px8 = tile.image.data;
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          for (let c = 0; c < 3; c++) {
            const v = data[((oc * i + c) * kh + y) * kw + x]!;
            px8[(y * kw + x) * 4 + c] = Math.max(0, Math.min(255, 127.5 + v * scale));
          }
          px8[(y * kw + x) * 4 + 3] = 255;
        }
      }
    } else {
      for (let ic = 0; ic < i; ic++) {
        const cx = (ic % cols) * (kw + gap);
        const cy = Math.floor(ic / cols) * (kh + gap);
        for (let y = 0; y < kh; y++) {
          for (let x = 0; x < kw; x++) {
            const v = data[((oc * i + ic) * kh + y) * kw + x]!;
            const idx = Math.max(0, Math.min(255, (127.5 + v * scale) | 0));
            out[(cy + y) * cw + cx + x] = colors[idx]!;
          }
        }
      }
    }
    let norm = 0;
    for (let j = oc * i * kh * kw; j < (oc + 1) * i * kh * kw; j++) norm += data[j]! * data[j]!;
    tile.caption.textContent = `#${oc} · ‖w‖ ${fmt(Math.sqrt(norm))}`;
    const label = `Output channel ${oc}: ${i} kernel${i === 1 ? "" : "s"} of ${kh}×${kw}, norm ${fmt(Math.sqrt(norm))}`;
    tile.element.setAttribute("aria-label", label);
    tile.element.title = label;
  }
  grid.flush();
  live.textContent = `${o} output channels of ${layer.label} shown${pages > 1 ? `, page ${state.page + 1} of ${pages}` : ""}.`;
  document.body.dataset["painted"] = String(requestId);
}

/** The gap colour between kernels: the theme's background, packed. */
function themeGap(): number {
  const probe = document.createElement("canvas").getContext("2d")!;
  probe.fillStyle = getComputedStyle(document.body).backgroundColor || "#000";
  probe.fillRect(0, 0, 1, 1);
  const [r = 0, g = 0, b = 0] = probe.getImageData(0, 0, 1, 1).data;
  return (255 << 24) | (b << 16) | (g << 8) | r;
}

function turn(d: number): void {
  const o = weights?.weight.shape[0] ?? 0;
  const pages = Math.ceil(o / PAGE);
  channel.save({ page: Math.max(0, Math.min(pages - 1, state.page + d)) });
  render();
}

function hover(k: number, y: number, x: number): void {
  const w = weights;
  const l = layoutNow;
  if (!w || !l) return;
  const [, i, kh, kw] = w.weight.shape as [number, number, number, number];
  const oc = state.page * PAGE + k;
  if (y < 0) {
    readout.textContent = `output channel ${oc}`;
    return;
  }
  if (l.rgb) {
    const vals = [0, 1, 2].slice(0, i).map((c) => fmt(w.weight.data[((oc * i + c) * kh + y) * kw + x]!));
    readout.textContent = `output channel ${oc} · y ${y}, x ${x} · ${i === 3 ? `R ${vals[0]} G ${vals[1]} B ${vals[2]}` : vals[0]}`;
    return;
  }
  const cx = Math.floor(x / (kw + l.gap));
  const cy = Math.floor(y / (kh + l.gap));
  const kx = x - cx * (kw + l.gap);
  const ky = y - cy * (kh + l.gap);
  const ic = cy * l.cols + cx;
  if (kx >= kw || ky >= kh || ic >= i) return;
  readout.textContent = `output channel ${oc} · input channel ${ic} · y ${ky}, x ${kx} · ${fmt(w.weight.data[((oc * i + ic) * kh + ky) * kw + kx]!)}`;
}

for (const el of [checkpointSel, layerSel]) el.classList.add("cs-wide");

sendReady();
