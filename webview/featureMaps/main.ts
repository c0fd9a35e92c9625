import "../common/base.css";
import "../common/tensor.css";
import "./style.css";
import { isWholeInput, type ReceptiveField } from "../../src/shared/analysis";
import { WHOLE_INPUT_TEXT } from "../../src/shared/format";
import type { FeatureMapsResult, SpatialLayer } from "../../src/shared/webview/common";
import {
  validateFeatureMapsToHost,
  validateFeatureMapsToWebview,
  type AttentionLayer,
  type AttentionResult,
  type FeatureMapsSnapshot,
  type FeatureMapsToHost,
  type FeatureMapsToWebview,
} from "../../src/shared/webview/featureMaps";
import { ChannelGrid } from "../common/channelGrid";
import { COLORMAPS, type ColormapName } from "../common/colormap";
import { appRoot, clear, h, liveRegion, notice } from "../common/dom";
import { button, field, select, setChoices } from "../common/elements";
import {
  checkpointChoices,
  checkpointParam,
  InputPicker,
  pickCheckpoint,
  restoreInputState,
  UNTRAINED,
  updateCheckpointSelect,
  type InputState,
} from "../common/inputs";
import { channelImage, colorbar, fmt, inputImage, putImage, warmUp } from "../common/tensorPaint";
import { connect, sendReady } from "../common/vscode";
import { AttentionView } from "./attention";
import { ExplainView } from "./explain";

/**
 * Feature maps: the activations of one layer for one input, every channel as a tile in a
 * perceptual colour map with its statistics; hover for values, click (or Enter) to enlarge. For an
 * attention layer, where a query token looks over the image's patches (see ./attention.ts).
 */

interface State extends InputState {
  checkpoint: string | null;
  nodeId: number | null;
  colormap: ColormapName;
  scale: "channel" | "shared";
  enlarged: number | null;
  attentionHead: number | "mean";
  /** The query token of the attention view (0: the class token when there is one). */
  attentionQuery: number;
  /** Issue 18: Grad-CAM over the input, of `camClass` (null: the predicted class). */
  gradCam: boolean;
  camClass: number | null;
}

const channel = connect<FeatureMapsToWebview, FeatureMapsToHost, State>({
  validateIn: validateFeatureMapsToWebview,
  validateOut: validateFeatureMapsToHost,
  onMessage,
  restoreState: (saved) => {
    const s = (saved ?? {}) as Partial<State>;
    return {
      ...restoreInputState(s),
      checkpoint: typeof s.checkpoint === "string" ? s.checkpoint : null,
      nodeId: typeof s.nodeId === "number" ? s.nodeId : null,
      colormap: COLORMAPS.includes(s.colormap as ColormapName) ? (s.colormap as ColormapName) : "viridis",
      scale: s.scale === "shared" ? "shared" : "channel",
      enlarged: typeof s.enlarged === "number" ? s.enlarged : null,
      attentionHead: typeof s.attentionHead === "number" ? s.attentionHead : "mean",
      attentionQuery: typeof s.attentionQuery === "number" ? s.attentionQuery : 0,
      gradCam: s.gradCam !== false,
      camClass: typeof s.camClass === "number" ? s.camClass : null,
    };
  },
});
const state = channel.state;

let snapshot: FeatureMapsSnapshot | null = null;
let snapshotSig = "";
let result: FeatureMapsResult | null = null;
let attentionResult: AttentionResult | null = null;
let requestId = 0;
let explainId = 0;
let timer: number | undefined;

// ---- layout ------------------------------------------------------------------------------------

const root = appRoot();
const live = liveRegion();
const title = h("h1", { text: "Feature maps" });
const subtitle = h("span", { class: "cs-muted" });
const checkpointSel = select("Weights", checkpointChoices([]), UNTRAINED, (v) => {
  channel.save({ checkpoint: v });
  request();
});
const layerSel = select("Layer", [], "", (v) => {
  channel.save({ nodeId: Number(v), enlarged: null, attentionQuery: 0 });
  const layer = snapshot?.layers.find((l) => l.nodeId === Number(v));
  grid.prepare(layer ? layer.shape : [0, 1, 1]); // an attention layer has no channel tiles
  request();
});
const mapSel = select(
  "Colour map",
  COLORMAPS.filter((c) => c !== "coolwarm").map((c) => ({ value: c, label: c })),
  state.colormap,
  (v) => {
    channel.save({ colormap: v as ColormapName });
    grid.set({ colormap: state.colormap });
    drawColorbar();
    renderEnlarged();
    attentionView.render();
  },
);
const scaleSel = select(
  "Scale",
  [
    { value: "channel", label: "Per channel" },
    { value: "shared", label: "Shared by all channels" },
  ],
  state.scale,
  (v) => {
    channel.save({ scale: v === "shared" ? "shared" : "channel" });
    grid.set({ scale: state.scale });
    drawColorbar();
    renderEnlarged();
  },
);
// issue 19 item 13: a drawing replaces the input at once
const picker = new InputPicker({ state, save: (p) => channel.save(p), onChange: () => request(state.inputKind === "drawing" ? 0 : 150) });
const explainView = new ExplainView({
  classNames: () => snapshot?.dataset?.classNames ?? [],
  gradCam: () => state.gradCam,
  setGradCam: (on) => {
    channel.save({ gradCam: on });
    requestExplain();
  },
  chosen: () => state.camClass,
  choose: (c) => {
    channel.save({ camClass: c });
    requestExplain();
  },
});
const status = h("span", { class: "cs-status", attrs: { role: "status" } });
const notices = h("div");
const inputCanvas = h("canvas", { class: "cs-pixelated cs-input-canvas", attrs: { role: "img", "aria-label": "The input image" } });
const inputCaption = h("p", { class: "cs-muted" });
const mapsTitle = h("h2");
const readout = h("div", { class: "cs-readout", attrs: { "aria-live": "off" } });
const bar = h("canvas", { attrs: { "aria-hidden": "true" } });
const barLabels = [h("span"), h("span")] as const;
/** The channels' colour scale (the attention view has its own). */
const headerBar = h("span", { class: "cs-colorbar" }, barLabels[0], bar, barLabels[1]);
const grid = new ChannelGrid(
  {
    colormap: state.colormap,
    scale: state.scale,
    onHover: (t) => (readout.textContent = t),
    onPick: (c) => enlarge(c),
  },
  "Channels of the layer's output: arrow keys move, Enter enlarges",
);
const attentionView = new AttentionView({
  colormap: () => state.colormap,
  head: () => state.attentionHead,
  query: () => state.attentionQuery,
  onChange: (c) => channel.save({ ...(c.head !== undefined ? { attentionHead: c.head } : {}), ...(c.query !== undefined ? { attentionQuery: c.query } : {}) }),
  announce: (text) => (live.textContent = text),
});
const enlargedBox = h("section", { class: "cs-enlarged cs-hidden", attrs: { role: "dialog", "aria-modal": "false", "aria-label": "Enlarged channel" } });
const content = h(
  "div",
  { class: "cs-content" },
  h(
    "aside",
    { class: "cs-input-view", attrs: { "aria-label": "Input" } },
    h("h2", { text: "Input" }),
    picker.element,
    // the image and its caption in one box, so that the prediction can sit beside them
    h("div", { class: "cs-input-figure" }, h("div", { class: "cs-input-stack" }, inputCanvas, explainView.overlay), inputCaption),
    explainView.element,
  ),
  h(
    "section",
    { class: "cs-maps", attrs: { "aria-label": "Feature maps" } },
    h("div", { class: "cs-row" }, mapsTitle, h("span", { class: "cs-grow" }), headerBar),
    readout,
    enlargedBox,
    grid.element,
    attentionView.element,
  ),
);
root.append(
  // the status sits in the header, not in a toolbar row of its own (the maps start higher)
  h("div", { class: "cs-header" }, title, subtitle, status),
  h(
    "div",
    { class: "cs-toolbar cs-maps-toolbar", attrs: { role: "toolbar", "aria-label": "Feature map options" } },
    field("Weights", checkpointSel),
    field("Layer", layerSel),
    field("Colour map", mapSel),
    field("Scale", scaleSel),
  ),
  notices,
  content,
  live,
);

// ---- messages ----------------------------------------------------------------------------------

function onMessage(m: FeatureMapsToWebview): void {
  switch (m.type) {
    case "snapshot": {
      // The host sends a snapshot again after each re-analysis of the file: compute again only
      // when what the maps depend on changed (layers, input, checkpoints, availability).
      const sig = JSON.stringify([m.layers, m.attention, m.inputShape, pickCheckpoint(state.checkpoint, m.checkpoints), m.compute.available]);
      const same = sig === snapshotSig && (result !== null || attentionResult !== null);
      snapshot = m;
      snapshotSig = sig;
      channel.save({ restore: { model: m.model, runs: null } });
      applySnapshot();
      if (same) renderResult();
      else request(0);
      break;
    }
    case "checkpoints": {
      if (!snapshot) return;
      snapshot.checkpoints = m.checkpoints;
      const cp = updateCheckpointSelect(checkpointSel, state.checkpoint, m.checkpoints);
      if (cp !== state.checkpoint) {
        channel.save({ checkpoint: cp });
        request();
      }
      break;
    }
    case "featureMaps":
    case "attentionMaps":
      if (m.requestId !== requestId) return;
      performance.mark("cnnStudio:featureMaps:received");
      if (m.type === "featureMaps") result = m;
      else attentionResult = m;
      renderResult();
      requestExplain();
      break;
    case "explained": {
      if (m.requestId !== explainId) return;
      const input = (selectedAttention() ? attentionResult : result)?.input;
      if (input) explainView.show(m, input, snapshot?.layers.find((l) => l.nodeId === m.nodeId)?.label ?? null);
      break;
    }
    case "requestFailed":
      if (m.requestId !== requestId) return;
      status.textContent = "";
      clear(notices);
      notices.append(notice("error", "Could not compute the feature maps.", m.message));
      break;
  }
}

function applySnapshot(): void {
  const s = snapshot!;
  subtitle.textContent = `${s.model.model}${s.inputShape ? ` · input ${s.inputShape.join("×")}` : ""}`;
  channel.save({ checkpoint: updateCheckpointSelect(checkpointSel, state.checkpoint, s.checkpoints) });
  const layers = s.layers;
  const chosen =
    layers.find((l) => l.nodeId === state.nodeId) ?? s.attention.find((l) => l.nodeId === state.nodeId) ?? layers.find((l) => l.type !== "input") ?? layers[0];
  setChoices(
    layerSel,
    [
      ...layers.map((l) => ({ value: String(l.nodeId), label: layerLabel(l) })),
      ...s.attention.map((l) => ({ value: String(l.nodeId), label: attentionLabel(l) })),
    ],
    chosen ? String(chosen.nodeId) : "",
  );
  channel.save({ nodeId: chosen?.nodeId ?? null });
  if (chosen && "shape" in chosen && s.compute.available) grid.prepare(chosen.shape);
  picker.configure(s.inputShape, s.dataset);
  clear(notices);
  if (!s.compute.available) {
    notices.append(notice("info", "Feature maps are not available.", s.compute.reason), layerTable(layers));
  } else if (layers.length === 0 && s.attention.length === 0)
    notices.append(notice("warning", "This model has no layer with a spatial output.", "Feature maps are shown for outputs shaped [N, C, H, W]."));
  content.classList.toggle("cs-hidden", !s.compute.available);
  for (const el of [checkpointSel, picker.element, mapSel, scaleSel]) (el.closest(".cs-field") ?? el).classList.toggle("cs-hidden", !s.compute.available);
}

/** What can be shown once a trainer is there: the layers with their output shapes. */
function layerTable(layers: readonly SpatialLayer[]): HTMLElement {
  const rows = layers.map((l) =>
    h(
      "tr",
      {},
      h("td", { class: "cs-mono", text: l.label }),
      h("td", { text: l.type }),
      h("td", { class: "cs-mono", text: l.shape.join("×") }),
      h("td", { class: "cs-mono", text: l.receptiveField ? fieldSize(l.receptiveField) : "–" }),
    ),
  );
  return h(
    "table",
    { class: "cs-layer-table", attrs: { "aria-label": "Layers with a spatial output" } },
    h("thead", {}, h("tr", {}, ...["layer", "type", "channels × height × width", "receptive field"].map((t) => h("th", { text: t, attrs: { scope: "col" } })))),
    h("tbody", {}, ...rows),
  );
}

function layerLabel(l: SpatialLayer): string {
  return `${l.label} · ${l.type} · ${l.shape.join("×")}`;
}

function attentionLabel(l: AttentionLayer): string {
  return `${l.label} · attention · ${l.heads} head${l.heads === 1 ? "" : "s"} · ${l.queries}×${l.keys} tokens`;
}

/** The selected layer when it is an attention layer. */
function selectedAttention(): AttentionLayer | undefined {
  return snapshot?.attention.find((l) => l.nodeId === state.nodeId);
}

function request(delay = 150): void {
  window.clearTimeout(timer);
  timer = window.setTimeout(() => {
    const s = snapshot;
    if (!s || !s.compute.available || state.nodeId === null) return;
    const input = picker.spec();
    if (!input) {
      status.textContent = state.inputKind === "file" ? "Choose an image file." : "Draw a digit in the box.";
      return;
    }
    requestId++;
    status.textContent = "Computing…";
    const checkpoint = checkpointParam(state.checkpoint);
    if (selectedAttention()) channel.post({ type: "attention", requestId, checkpoint, input, nodeId: state.nodeId });
    else channel.post({ type: "compute", requestId, checkpoint, input, nodeIds: [state.nodeId] });
  }, delay);
}

/** The layer Grad-CAM looks at: the selected one where it has a spatial output, else the last such layer. */
function camLayer(): number | null {
  const spatial = (snapshot?.layers ?? []).filter((l) => l.type !== "input" && l.shape[1] * l.shape[2] > 1);
  return (spatial.find((l) => l.nodeId === state.nodeId) ?? spatial.at(-1))?.nodeId ?? null;
}

/** Asks for the predictions (and Grad-CAM when it is on) of the input shown. */
function requestExplain(): void {
  const s = snapshot;
  const input = picker.spec();
  if (!s || !s.compute.available || !input) return;
  explainId++;
  explainView.pending("Predicting…");
  channel.post({
    type: "explain",
    requestId: explainId,
    checkpoint: checkpointParam(state.checkpoint),
    input,
    nodeId: state.gradCam ? camLayer() : null,
    classIndex: state.camClass,
  });
}

// ---- drawing -----------------------------------------------------------------------------------

function renderResult(): void {
  const s = snapshot;
  const attention = selectedAttention();
  const r = attention ? attentionResult : result;
  grid.element.classList.toggle("cs-hidden", !!attention);
  attentionView.element.classList.toggle("cs-hidden", !attention);
  headerBar.classList.toggle("cs-hidden", !!attention);
  (scaleSel.closest(".cs-field") ?? scaleSel).classList.toggle("cs-hidden", !!attention || !s?.compute.available);
  if (!r || !s) return;
  clear(notices);
  status.textContent = "";
  putImage(inputCanvas, inputImage(r.input));
  const cls = r.label !== null ? (s.dataset?.classNames[r.label] ?? String(r.label)) : null;
  inputCaption.textContent = `${picker.describe()}${cls !== null ? ` · label ${cls}` : ""}`;
  if (r.type === "attentionMaps") {
    if (!attention || r.nodeId !== attention.nodeId) return;
    mapsTitle.textContent = `${attention.label} · MultiheadAttention · ${r.weights.shape.join("×")}`;
    attentionView.show(attention, r.weights, r.input);
    markPainted();
    return;
  }
  const map = r.maps.find((m) => m.nodeId === state.nodeId) ?? r.maps[0];
  const layer = s.layers.find((l) => l.nodeId === map?.nodeId);
  if (!map) return;
  mapsTitle.textContent = `${layer ? `${layer.label} · ${layer.type}` : `node ${map.nodeId}`} · ${map.tensor.shape.join("×")}`;
  grid.show(map.tensor);
  drawColorbar();
  const dead = grid.stats.filter((x) => x.zeros === 1).length;
  live.textContent = `${map.tensor.shape[0]} channels shown${dead ? `, ${dead} dead (all zero)` : ""}.`;
  if (state.enlarged !== null && state.enlarged < grid.channels) renderEnlarged();
  else closeEnlarged(false);
  markPainted();
}

function markPainted(): void {
  performance.mark("cnnStudio:featureMaps:rendered");
  requestAnimationFrame(() => {
    performance.mark("cnnStudio:featureMaps:painted");
    performance.measure("cnnStudio:featureMaps", "cnnStudio:featureMaps:received", "cnnStudio:featureMaps:painted");
    document.body.dataset["painted"] = String(requestId);
  });
}

function drawColorbar(): void {
  colorbar(bar, state.colormap);
  if (state.scale === "shared") {
    barLabels[0].textContent = fmt(grid.range[0]);
    barLabels[1].textContent = fmt(grid.range[1]);
  } else {
    barLabels[0].textContent = "min";
    barLabels[1].textContent = "max (per channel)";
  }
}

function enlarge(c: number): void {
  channel.save({ enlarged: c });
  renderEnlarged();
  enlargedBox.querySelector<HTMLElement>(".cs-enlarged-close")?.focus();
}

function closeEnlarged(focusTile = true): void {
  const was = state.enlarged;
  enlargedBox.classList.add("cs-hidden");
  if (state.enlarged !== null) channel.save({ enlarged: null });
  if (focusTile && was !== null) grid.focusTile(was);
}

function renderEnlarged(): void {
  const r = result;
  const c = state.enlarged;
  const map = r?.maps.find((m) => m.nodeId === state.nodeId) ?? r?.maps[0];
  if (!map || c === null || c >= (map.tensor.shape[0] ?? 0)) return closeEnlarged(false);
  const s = grid.stats[c]!;
  const [lo, hi] = state.scale === "shared" ? grid.range : [s.min, s.max];
  const canvas = h("canvas", { class: "cs-pixelated cs-enlarged-canvas", attrs: { role: "img", "aria-label": `Channel ${c}, enlarged` } });
  putImage(canvas, channelImage(map.tensor, c, lo, hi, state.colormap));
  const [, hh = 1, w = 1] = map.tensor.shape;
  const hover = h("div", { class: "cs-readout" });
  canvas.addEventListener("mousemove", (e) => {
    const b = canvas.getBoundingClientRect();
    const x = Math.floor(((e.clientX - b.left) / b.width) * w);
    const y = Math.floor(((e.clientY - b.top) / b.height) * hh);
    if (x < 0 || y < 0 || x >= w || y >= hh) return;
    hover.textContent = `y ${y}, x ${x} · ${fmt(map.tensor.data[c * hh * w + y * w + x]!)}`;
  });
  const stat = (k: string, v: string) => h("div", {}, h("dt", { text: k }), h("dd", { text: v }));
  clear(enlargedBox);
  enlargedBox.setAttribute("aria-label", `Channel ${c}`);
  enlargedBox.append(
    h(
      "div",
      { class: "cs-row" },
      h("h3", { text: `Channel ${c}` }),
      h("span", { class: "cs-grow" }),
      button("‹", () => enlarge(Math.max(0, c - 1)), { secondary: true, label: "Previous channel" }),
      button("›", () => enlarge(Math.min(grid.channels - 1, c + 1)), { secondary: true, label: "Next channel" }),
      button("Close", () => closeEnlarged(), { secondary: true, label: "Close the enlarged channel (Escape)", class: "cs-enlarged-close" }),
    ),
    h(
      "div",
      { class: "cs-enlarged-body" },
      canvas,
      h(
        "dl",
        { class: "cs-stats" },
        stat("size", `${hh}×${w}`),
        stat("min", fmt(s.min)),
        stat("max", fmt(s.max)),
        stat("mean", fmt(s.mean)),
        stat("std", fmt(s.std)),
        stat("zeros", `${(s.zeros * 100).toFixed(1)}%`),
      ),
    ),
    hover,
  );
  enlargedBox.classList.remove("cs-hidden");
}

document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && state.enlarged !== null && !enlargedBox.classList.contains("cs-hidden")) {
    e.preventDefault();
    closeEnlarged();
  }
});

enlargedBox.addEventListener("keydown", (e) => {
  if (state.enlarged === null) return;
  if (e.key === "ArrowRight" && !(e.target instanceof HTMLInputElement)) enlarge(Math.min(grid.channels - 1, state.enlarged + 1));
  else if (e.key === "ArrowLeft") enlarge(Math.max(0, state.enlarged - 1));
  else return;
  e.preventDefault();
});

for (const el of [checkpointSel, layerSel]) el.classList.add("cs-wide");

sendReady();
warmUp();

function fieldSize(rf: ReceptiveField): string {
  return isWholeInput(rf) ? WHOLE_INPUT_TEXT : `${rf.size[0]}×${rf.size[1]}`;
}
