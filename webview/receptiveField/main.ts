import "../common/base.css";
import "../common/tensor.css";
import "./style.css";
import { isWholeInput, type WindowField } from "../../src/shared/analysis";
import { WHOLE_INPUT_TEXT } from "../../src/shared/format";
import type { InputSpec, SpatialLayer, Tensor } from "../../src/shared/webview/common";
import {
  validateReceptiveFieldToHost,
  validateReceptiveFieldToWebview,
  type InputGradientResult,
  type ReceptiveFieldSnapshot,
  type ReceptiveFieldToHost,
  type ReceptiveFieldToWebview,
} from "../../src/shared/webview/receptiveField";
import { appRoot, clear, h, liveRegion, notice, s } from "../common/dom";
import { field, select, setChoices } from "../common/elements";
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
import { channelImage, channelStats, fmt, inputImage, putImage, warmUp } from "../common/tensorPaint";
import { onThemeChange, theme, withAlpha } from "../common/theme";
import { connect, sendReady } from "../common/vscode";
import { area, clip, massBox, unitBox, type Box } from "./field";

/**
 * Receptive fields: pick a layer and a unit (click its feature map, or move with the arrow keys);
 * see the theoretical field from the analysis as a box on the input, the effective field (the
 * gradient magnitude of the unit with respect to the input) as a heat map beside it, and how the
 * field grows layer by layer.
 */

interface State extends InputState {
  checkpoint: string | null;
  nodeId: number | null;
  unit: [number, number] | null;
  /** null: all channels summed. */
  channel: number | null;
}

const channel = connect<ReceptiveFieldToWebview, ReceptiveFieldToHost, State>({
  validateIn: validateReceptiveFieldToWebview,
  validateOut: validateReceptiveFieldToHost,
  onMessage,
  restoreState: (saved) => {
    const st = (saved ?? {}) as Partial<State>;
    return {
      ...restoreInputState(st),
      checkpoint: typeof st.checkpoint === "string" ? st.checkpoint : null,
      nodeId: typeof st.nodeId === "number" ? st.nodeId : null,
      unit: Array.isArray(st.unit) && st.unit.length === 2 ? [Number(st.unit[0]), Number(st.unit[1])] : null,
      channel: typeof st.channel === "number" ? st.channel : null,
    };
  },
});
const state = channel.state;

let snap: ReceptiveFieldSnapshot | null = null;
let snapSig = "";
let input: Tensor | null = null;
let map: { nodeId: number; tensor: Tensor } | null = null;
let gradient: InputGradientResult | null = null;
let gradientNote = "";
let fmRequest = 0;
let gradRequest = 0;
let th = theme();

// ---- layout ------------------------------------------------------------------------------------

const root = appRoot();
const live = liveRegion();
const subtitle = h("span", { class: "cs-muted" });
const checkpointSel = select("Weights", checkpointChoices([]), UNTRAINED, (v) => {
  channel.save({ checkpoint: v });
  requestMaps();
});
const layerSel = select("Layer", [], "", (v) => selectLayer(Number(v)));
const channelSel = select("Channel", [{ value: "all", label: "All channels (sum)" }], "all", (v) => {
  channel.save({ channel: v === "all" ? null : Number(v) });
  drawUnits();
  requestGradient();
});
const picker = new InputPicker({ state, save: (p) => channel.save(p), onChange: () => requestMaps() });
const status = h("span", { class: "cs-status", attrs: { role: "status" } });
const notices = h("div");

const inputCanvas = h("canvas", { class: "cs-rf-canvas", attrs: { role: "img", "aria-label": "Input with the theoretical receptive field" } });
const unitCanvas = h("canvas", {
  class: "cs-rf-canvas cs-rf-units",
  attrs: { tabindex: 0, role: "slider", "aria-label": "Unit of the layer: arrow keys move, Enter computes its effective field", "aria-valuetext": "" },
});
const erfCanvas = h("canvas", { class: "cs-rf-canvas", attrs: { role: "img", "aria-label": "Effective receptive field" } });
const inputCaption = h("p", { class: "cs-muted cs-caption" });
const unitCaption = h("p", { class: "cs-muted cs-caption" });
const erfCaption = h("p", { class: "cs-muted cs-caption" });
const erfBox = h("div", { class: "cs-erf-body" }, erfCanvas);
const summary = h("p", { class: "cs-summary" });
const chart = h("div", { class: "cs-growth", attrs: { role: "group", "aria-label": "Receptive field size per layer" } });
const chartReadout = h("div", { class: "cs-readout" });

root.append(
  h("div", { class: "cs-header" }, h("h1", { text: "Receptive field" }), subtitle),
  h(
    "div",
    { class: "cs-toolbar", attrs: { role: "toolbar", "aria-label": "Receptive field options" } },
    field("Weights", checkpointSel),
    picker.element,
    field("Layer", layerSel),
    field("Channel", channelSel),
    status,
  ),
  notices,
  summary,
  h(
    "div",
    { class: "cs-rf-panels" },
    h("section", { attrs: { "aria-label": "Theoretical receptive field" } }, h("h2", { text: "Theoretical field on the input" }), inputCanvas, inputCaption),
    h("section", { attrs: { "aria-label": "Layer output" } }, h("h2", { text: "Layer output: pick a unit" }), unitCanvas, unitCaption),
    h("section", { attrs: { "aria-label": "Effective receptive field" } }, h("h2", { text: "Effective field (input gradient)" }), erfBox, erfCaption),
  ),
  h("section", { attrs: { "aria-label": "Growth across layers" } }, h("h2", { text: "Growth across layers" }), chart, chartReadout),
  live,
);

// ---- messages ----------------------------------------------------------------------------------

function onMessage(m: ReceptiveFieldToWebview): void {
  switch (m.type) {
    case "snapshot": {
      // Sent again after each re-analysis: keep what was computed unless what it depends on changed.
      const sig = JSON.stringify([m.layers, m.inputShape, pickCheckpoint(state.checkpoint, m.checkpoints), m.featureMaps.available, m.gradients.available]);
      const same = sig === snapSig;
      snap = m;
      snapSig = sig;
      channel.save({ restore: { model: m.model, runs: null } });
      if (same) {
        updateCheckpointSelect(checkpointSel, state.checkpoint, m.checkpoints);
        drawAll();
        drawGrowth();
      } else applySnapshot();
      break;
    }
    case "checkpoints": {
      if (!snap) return;
      snap.checkpoints = m.checkpoints;
      const cp = updateCheckpointSelect(checkpointSel, state.checkpoint, m.checkpoints);
      if (cp !== state.checkpoint) {
        channel.save({ checkpoint: cp });
        requestMaps();
      }
      break;
    }
    case "featureMaps": {
      if (m.requestId !== fmRequest) return;
      status.textContent = "";
      input = m.input;
      map = m.maps.find((x) => x.nodeId === state.nodeId) ?? null;
      updateChannels();
      drawAll();
      requestGradient();
      break;
    }
    case "inputGradient":
      if (m.requestId !== gradRequest) return;
      status.textContent = "";
      gradient = m;
      if (!input) input = m.input;
      gradientNote = "";
      drawAll();
      break;
    case "requestFailed":
      status.textContent = "";
      if (m.requestId === gradRequest) {
        gradient = null;
        gradientNote = m.message;
        drawErf();
      } else if (m.requestId === fmRequest) {
        clear(notices);
        notices.append(notice("error", "Could not compute the layer's output.", m.message));
      }
      break;
  }
}

function layers(): SpatialLayer[] {
  return (snap?.layers ?? []).filter((l) => l.receptiveField !== null);
}

/** The layer's field as a window over the input, or null when it has none or sees the whole input. */
function windowOf(l: SpatialLayer | undefined): WindowField | null {
  const rf = l?.receptiveField;
  return rf && !isWholeInput(rf) ? rf : null;
}

/** The layers with a window field (the growth chart's points); those after attention see the whole input. */
function windowLayers(): (SpatialLayer & { receptiveField: WindowField })[] {
  return layers().filter((l): l is SpatialLayer & { receptiveField: WindowField } => windowOf(l) !== null);
}

function currentLayer(): SpatialLayer | undefined {
  return layers().find((l) => l.nodeId === state.nodeId);
}

function applySnapshot(): void {
  const sn = snap!;
  subtitle.textContent = `${sn.model.model}${sn.inputShape ? ` · input ${sn.inputShape.join("×")}` : ""}`;
  channel.save({ checkpoint: updateCheckpointSelect(checkpointSel, state.checkpoint, sn.checkpoints) });
  const list = layers();
  const [, ih, iw] = sn.inputShape ?? [1, 1, 1];
  const half = windowLayers().filter((l) => l.type === "Conv2d" && Math.max(...l.receptiveField.size) <= Math.max(ih, iw) / 2);
  const widest = half.reduce<(typeof half)[number] | undefined>(
    (best, l) => (!best || Math.max(...l.receptiveField.size) > Math.max(...best.receptiveField.size) ? l : best),
    undefined,
  );
  const chosen = list.find((l) => l.nodeId === state.nodeId) ?? widest ?? list[list.length - 1];
  setChoices(
    layerSel,
    list.map((l) => ({ value: String(l.nodeId), label: `${l.label} · ${l.type} · ${l.shape.join("×")} · field ${sizeText(l)}` })),
    chosen ? String(chosen.nodeId) : "",
  );
  picker.configure(sn.inputShape, sn.dataset);
  picker.element.classList.toggle("cs-hidden", !sn.featureMaps.available);
  checkpointSel.parentElement?.classList.toggle("cs-hidden", !sn.featureMaps.available && !sn.gradients.available);
  channelSel.parentElement?.classList.toggle("cs-hidden", !sn.featureMaps.available && !sn.gradients.available);
  clear(notices);
  if (!sn.featureMaps.available) notices.append(notice("info", "Showing the theoretical receptive field only.", `${sn.featureMaps.reason}`));
  if (list.length === 0) notices.append(notice("warning", "This model has no layer with a spatial receptive field."));
  if (chosen) selectLayer(chosen.nodeId, true);
  drawGrowth();
}

function sizeText(l: SpatialLayer): string {
  const rf = l.receptiveField;
  if (!rf) return "–";
  if (isWholeInput(rf)) return WHOLE_INPUT_TEXT;
  return rf.size[0] === rf.size[1] ? `${rf.size[0]}` : `${rf.size[0]}×${rf.size[1]}`;
}

function selectLayer(nodeId: number, keepUnit = false): void {
  const l = layers().find((x) => x.nodeId === nodeId);
  if (!l) return;
  const [, hh, w] = l.shape;
  const unit: [number, number] =
    keepUnit && state.unit && state.unit[0] < hh && state.unit[1] < w ? state.unit : [Math.floor((hh - 1) / 2), Math.floor((w - 1) / 2)];
  const changed = state.nodeId !== nodeId;
  channel.save({ nodeId, unit, ...(changed ? { channel: null } : {}) });
  if (layerSel.value !== String(nodeId)) layerSel.value = String(nodeId);
  if (map && map.nodeId !== nodeId) map = null;
  gradient = null;
  updateChannels();
  drawAll();
  drawGrowth();
  requestMaps();
}

function updateChannels(): void {
  const l = currentLayer();
  const c = l?.shape[0] ?? 0;
  const choices = [
    { value: "all", label: "All channels (sum)" },
    ...Array.from({ length: Math.min(c, 1024) }, (_, k) => ({ value: String(k), label: `Channel ${k}` })),
  ];
  setChoices(channelSel, choices, state.channel === null || state.channel >= c ? "all" : String(state.channel));
}

/** Issue 19: what the captions call the stand-in input of a model without a dataset. */
const NOISE_NAME = "random noise (no dataset fits this model's input)";
let noise: { key: string; spec: InputSpec } | null = null;

/**
 * The input to compute with: the picker's, except that a dataset sample of a model without a
 * dataset (an untrained model whose input no bundled sample fits) becomes a seeded noise image of
 * the model's input size, so that the panel opens on an input rather than an error.
 */
function inputSpec(): InputSpec | null {
  const spec = picker.spec();
  const shape = snap?.inputShape;
  if (spec?.kind !== "sample" || snap?.dataset || !shape) return spec;
  const key = shape.join("x");
  if (noise?.key !== key) {
    const data = new Float32Array(shape[0] * shape[1] * shape[2]);
    let seed = 0x9e3779b9;
    for (let i = 0; i < data.length; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      data[i] = seed / 4294967296;
    }
    noise = { key, spec: { kind: "pixels", source: "drawing", name: NOISE_NAME, tensor: { shape: [...shape], data } } };
  }
  return noise.spec;
}

/** The picker's description of the input, or the noise stand-in's. */
function inputDescription(): string {
  const spec = inputSpec();
  return spec?.kind === "pixels" && spec.name === NOISE_NAME ? NOISE_NAME : picker.describe();
}

let mapsTimer: number | undefined;

function requestMaps(): void {
  window.clearTimeout(mapsTimer);
  mapsTimer = window.setTimeout(() => {
    const sn = snap;
    if (!sn || state.nodeId === null) return;
    const spec = inputSpec();
    if (!sn.featureMaps.available || !spec) {
      requestGradient();
      return;
    }
    fmRequest++;
    status.textContent = "Computing…";
    channel.post({ type: "compute", requestId: fmRequest, checkpoint: checkpointParam(state.checkpoint), input: spec, nodeIds: [state.nodeId] });
  }, 120);
}

let gradTimer: number | undefined;

function requestGradient(): void {
  window.clearTimeout(gradTimer);
  gradTimer = window.setTimeout(() => {
    const sn = snap;
    if (!sn || state.nodeId === null || !state.unit) return;
    if (!sn.gradients.available) {
      gradient = null;
      gradientNote = sn.gradients.reason;
      drawErf();
      return;
    }
    const spec = inputSpec();
    if (!spec) {
      gradientNote = "Choose an input first.";
      drawErf();
      return;
    }
    gradRequest++;
    status.textContent = "Computing the input gradient…";
    channel.post({
      type: "requestInputGradient",
      requestId: gradRequest,
      checkpoint: checkpointParam(state.checkpoint),
      input: spec,
      nodeId: state.nodeId,
      unit: { channel: state.channel, y: state.unit[0], x: state.unit[1] },
    });
  }, 150);
}

// ---- drawing -----------------------------------------------------------------------------------

const VIEW = 280;

/** A square-ish canvas of VIEW CSS px for an H×W grid (crisp at the device pixel ratio). */
function sizeCanvas(c: HTMLCanvasElement, hh: number, w: number): { ctx: CanvasRenderingContext2D; sx: number; sy: number } {
  const dpr = window.devicePixelRatio || 1;
  const k = VIEW / Math.max(hh, w);
  const cw = Math.round(w * k);
  const ch = Math.round(hh * k);
  c.style.width = `${cw}px`;
  c.style.height = `${ch}px`;
  c.width = Math.round(cw * dpr);
  c.height = Math.round(ch * dpr);
  const ctx = c.getContext("2d")!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.imageSmoothingEnabled = false;
  return { ctx, sx: cw / w, sy: ch / hh };
}

function imageCanvas(img: ImageData): HTMLCanvasElement {
  const c = document.createElement("canvas");
  putImage(c, img);
  return c;
}

function drawAll(): void {
  drawInput();
  drawUnits();
  drawErf();
  describe();
}

function inputDims(): [number, number, number] {
  return snap?.inputShape ?? [1, 1, 1];
}

/** Whether the current unit's field is the whole input (a layer after attention). */
function seesWholeInput(): boolean {
  const rf = currentLayer()?.receptiveField;
  return !!rf && isWholeInput(rf) && state.unit !== null;
}

function currentBox(): Box | null {
  const rf = windowOf(currentLayer());
  if (!rf || !state.unit) return null;
  return unitBox(rf, state.unit[0], state.unit[1]);
}

function drawBox(ctx: CanvasRenderingContext2D, sx: number, sy: number, hh: number, w: number, b: Box, oy = 0, ox = 0): void {
  // the whole field, dashed where it reaches into the padding; solid inside
  ctx.save();
  ctx.translate(-ox * sx, -oy * sy);
  ctx.lineWidth = 1.5;
  ctx.setLineDash([4, 3]);
  ctx.strokeStyle = th.focus;
  ctx.strokeRect(b.left * sx, b.top * sy, (b.right - b.left + 1) * sx, (b.bottom - b.top + 1) * sy);
  const c = clip(b, hh, w);
  if (c) {
    ctx.setLineDash([]);
    ctx.lineWidth = 2;
    ctx.fillStyle = withAlpha(th.focus, 0.12);
    ctx.fillRect(c.left * sx, c.top * sy, (c.right - c.left + 1) * sx, (c.bottom - c.top + 1) * sy);
    ctx.strokeRect(c.left * sx, c.top * sy, (c.right - c.left + 1) * sx, (c.bottom - c.top + 1) * sy);
  }
  // the centre
  const rf = windowOf(currentLayer());
  if (rf && state.unit) {
    const cy = rf.start[0] + state.unit[0] * rf.jump[0];
    const cx = rf.start[1] + state.unit[1] * rf.jump[1];
    ctx.fillStyle = th.focus;
    ctx.beginPath();
    ctx.arc((cx + 0.5) * sx, (cy + 0.5) * sy, 3, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.restore();
}

function drawInput(): void {
  const [, hh, w] = inputDims();
  const { ctx, sx, sy } = sizeCanvas(inputCanvas, hh, w);
  if (input) {
    ctx.drawImage(imageCanvas(inputImage(input)), 0, 0, w * sx, hh * sy);
  } else {
    // no input yet: a neutral pixel grid
    ctx.fillStyle = withAlpha(th.foreground, 0.06);
    ctx.fillRect(0, 0, w * sx, hh * sy);
    ctx.strokeStyle = withAlpha(th.foreground, 0.12);
    ctx.lineWidth = 1;
    const step = Math.max(1, Math.ceil(Math.max(hh, w) / 28));
    ctx.beginPath();
    for (let y = 0; y <= hh; y += step) {
      ctx.moveTo(0, y * sy);
      ctx.lineTo(w * sx, y * sy);
    }
    for (let x = 0; x <= w; x += step) {
      ctx.moveTo(x * sx, 0);
      ctx.lineTo(x * sx, hh * sy);
    }
    ctx.stroke();
  }
  const b = currentBox();
  if (b) drawBox(ctx, sx, sy, hh, w, b);
  const whole = seesWholeInput();
  if (whole) {
    // no window to draw: the unit sees every pixel, so all of the input is its field
    ctx.fillStyle = withAlpha(th.focus, 0.12);
    ctx.fillRect(0, 0, w * sx, hh * sy);
    ctx.lineWidth = 2;
    ctx.strokeStyle = th.focus;
    ctx.strokeRect(1, 1, w * sx - 2, hh * sy - 2);
  }
  const image = input ? inputDescription() : `${w}×${hh} input (no image: the trainer is needed for one)`;
  inputCaption.textContent = whole ? `${image} · the field is the whole input` : image;
}

function drawUnits(): void {
  const l = currentLayer();
  if (!l) return;
  const [c, hh, w] = l.shape;
  const { ctx, sx, sy } = sizeCanvas(unitCanvas, hh, w);
  if (map && map.tensor.shape[1] === hh && map.tensor.shape[2] === w) {
    const n = hh * w;
    let plane: Float32Array;
    if (state.channel === null) {
      plane = new Float32Array(n);
      for (let k = 0; k < c; k++) for (let i = 0; i < n; i++) plane[i] = plane[i]! + map.tensor.data[k * n + i]!;
    } else plane = map.tensor.data.subarray(state.channel * n, (state.channel + 1) * n);
    const st = channelStats(plane, 1, n)[0]!;
    ctx.drawImage(imageCanvas(channelImage({ shape: [1, hh, w], data: plane }, 0, st.min, st.max, "viridis")), 0, 0, w * sx, hh * sy);
  } else {
    ctx.fillStyle = withAlpha(th.foreground, 0.06);
    ctx.fillRect(0, 0, w * sx, hh * sy);
  }
  // unit grid (when the cells are big enough to see)
  if (sx >= 6) {
    ctx.strokeStyle = withAlpha(th.foreground, 0.15);
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let y = 0; y <= hh; y++) {
      ctx.moveTo(0, y * sy);
      ctx.lineTo(w * sx, y * sy);
    }
    for (let x = 0; x <= w; x++) {
      ctx.moveTo(x * sx, 0);
      ctx.lineTo(x * sx, hh * sy);
    }
    ctx.stroke();
  }
  if (state.unit) {
    const ux = (state.unit[1] + 0.5) * sx;
    const uy = (state.unit[0] + 0.5) * sy;
    ctx.strokeStyle = withAlpha(th.background, 0.9);
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.moveTo(ux, 0);
    ctx.lineTo(ux, uy - Math.max(6, sy));
    ctx.moveTo(ux, uy + Math.max(6, sy));
    ctx.lineTo(ux, hh * sy);
    ctx.moveTo(0, uy);
    ctx.lineTo(ux - Math.max(6, sx), uy);
    ctx.moveTo(ux + Math.max(6, sx), uy);
    ctx.lineTo(w * sx, uy);
    ctx.stroke();
    ctx.strokeStyle = th.focus;
    ctx.lineWidth = 1.5;
    ctx.stroke();
    ctx.lineWidth = 2;
    const r = Math.max(5, sx / 2 + 2);
    ctx.strokeRect(ux - r, uy - r, 2 * r, 2 * r);
    unitCanvas.setAttribute("aria-valuetext", `unit y ${state.unit[0]}, x ${state.unit[1]} of ${hh}×${w}`);
  }
  unitCaption.textContent = `${l.label} · ${c}×${hh}×${w}${state.unit ? ` · unit (y ${state.unit[0]}, x ${state.unit[1]})` : ""}${map ? "" : " · no feature map: click a cell"}`;
}

/** The part of the input the effective-field view shows: the theoretical field with a margin (at least 32 px). */
function erfWindow(): { top: number; left: number; h: number; w: number } {
  const [, hh, w] = inputDims();
  const b = currentBox();
  if (!b) return { top: 0, left: 0, h: hh, w };
  const cy = (b.top + b.bottom) / 2;
  const cx = (b.left + b.right) / 2;
  const half = Math.max(16, Math.ceil(Math.max(b.bottom - b.top + 1, b.right - b.left + 1) * 0.75));
  const top = Math.max(0, Math.min(hh - 1, Math.floor(cy - half)));
  const left = Math.max(0, Math.min(w - 1, Math.floor(cx - half)));
  const bottom = Math.min(hh - 1, Math.ceil(cy + half));
  const right = Math.min(w - 1, Math.ceil(cx + half));
  return { top, left, h: Math.max(1, bottom - top + 1), w: Math.max(1, right - left + 1) };
}

function drawErf(): void {
  const [, hh, w] = inputDims();
  const win = erfWindow();
  const { ctx, sx, sy } = sizeCanvas(erfCanvas, win.h, win.w);
  const g = gradient;
  erfBox.querySelector(".cs-notice")?.remove();
  if (!g || g.nodeId !== state.nodeId || !state.unit || g.unit.y !== state.unit[0] || g.unit.x !== state.unit[1] || g.unit.channel !== state.channel) {
    ctx.fillStyle = withAlpha(th.foreground, 0.04);
    ctx.fillRect(0, 0, win.w * sx, win.h * sy);
    const b = currentBox();
    if (b) drawBox(ctx, sx, sy, hh, w, b, win.top, win.left);
    const avail = snap?.gradients.available ?? false;
    if (!avail || gradientNote)
      erfBox.append(
        notice(
          avail ? "warning" : "info",
          avail ? "The effective field could not be computed." : "The effective receptive field is not available.",
          gradientNote || snap?.gradients.reason || "",
        ),
      );
    erfCaption.textContent = avail ? "" : "Theoretical field shown for comparison.";
    erfCanvas.setAttribute("aria-label", "Effective receptive field: not available");
    return;
  }
  const [c, gh, gw] = g.gradient.shape as [number, number, number];
  const n = gh * gw;
  const mag = new Float32Array(n);
  for (let k = 0; k < c; k++) for (let i = 0; i < n; i++) mag[i] = mag[i]! + Math.abs(g.gradient.data[k * n + i]!);
  let max = 0;
  for (const v of mag) if (v > max) max = v;
  ctx.drawImage(
    imageCanvas(channelImage({ shape: [1, gh, gw], data: mag }, 0, 0, max, "magma")),
    win.left,
    win.top,
    win.w,
    win.h,
    0,
    0,
    win.w * sx,
    win.h * sy,
  );
  const b = currentBox();
  if (b) drawBox(ctx, sx, sy, hh, w, b, win.top, win.left);
  const rf = windowOf(currentLayer());
  // A unit that sees the whole input: the effective field is measured around the input's centre.
  const cy = rf ? rf.start[0] + state.unit[0] * rf.jump[0] : (hh - 1) / 2;
  const cx = rf ? rf.start[1] + state.unit[1] * rf.jump[1] : (w - 1) / 2;
  const eff = massBox(mag, gh, gw, cy, cx, 0.95);
  ctx.save();
  ctx.strokeStyle = "#ffffff";
  ctx.setLineDash([2, 2]);
  ctx.lineWidth = 1;
  ctx.strokeRect(
    (eff.box.left - win.left) * sx,
    (eff.box.top - win.top) * sy,
    (eff.box.right - eff.box.left + 1) * sx,
    (eff.box.bottom - eff.box.top + 1) * sy,
  );
  ctx.restore();
  const theo = b ? clip(b, hh, w) : { top: 0, left: 0, bottom: hh - 1, right: w - 1 };
  const ratio = area(theo) > 0 ? (100 * eff.size[0] * eff.size[1]) / area(theo) : 0;
  const zoomed = win.h < hh || win.w < w ? ` Input rows ${win.top}–${win.top + win.h - 1}, columns ${win.left}–${win.left + win.w - 1} shown.` : "";
  erfCaption.textContent = `95% of the gradient lies in ${eff.size[0]}×${eff.size[1]} px (white dotted box), ${ratio.toFixed(0)}% of the theoretical field's area inside the image. |∂ unit / ∂ input| summed over ${c} channel${c === 1 ? "" : "s"}, max ${fmt(max)}.${zoomed}`;
  erfCanvas.setAttribute("aria-label", `Effective receptive field: 95% of the gradient within ${eff.size[0]} by ${eff.size[1]} pixels`);
}

function describe(): void {
  const l = currentLayer();
  const b = currentBox();
  if (l?.receptiveField && isWholeInput(l.receptiveField) && state.unit) {
    summary.textContent = `Unit (y ${state.unit[0]}, x ${state.unit[1]}) of ${l.label} sees the whole input: an operation before it mixes all positions (attention, a matmul over the tokens).`;
    live.textContent = summary.textContent;
    return;
  }
  const rf = windowOf(l);
  if (!l || !rf || !b || !state.unit) {
    summary.textContent = "";
    return;
  }
  const [, hh, w] = inputDims();
  const c = clip(b, hh, w);
  const total = (b.bottom - b.top + 1) * (b.right - b.left + 1);
  const pad = total > 0 ? 100 * (1 - area(c) / total) : 0;
  const r = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  summary.textContent = `Unit (y ${state.unit[0]}, x ${state.unit[1]}) of ${l.label} sees input rows ${r(b.top)}–${r(b.bottom)}, columns ${r(b.left)}–${r(b.right)}: ${sizeText(l)} px with a stride of ${rf.jump[0] === rf.jump[1] ? r(rf.jump[0]) : `${r(rf.jump[0])}×${r(rf.jump[1])}`}${pad > 0.5 ? `; ${pad.toFixed(0)}% of it is padding` : ""}.`;
  live.textContent = summary.textContent;
}

function drawGrowth(): void {
  clear(chart);
  // Every layer with a field: a window's size, or the whole input (a ring at the top: the input's
  // size, or the widest window where windows outgrow the input, so the line never drops).
  const list = layers();
  if (list.length === 0) return;
  const [, ih, iw] = inputDims();
  const widest = Math.max(ih, iw, ...list.map((l) => Math.max(...(windowOf(l)?.size ?? [0]))));
  const sizeOf = (l: SpatialLayer): number => {
    const rf = windowOf(l);
    return rf ? Math.max(...rf.size) : widest;
  };
  const W = Math.max(360, chart.clientWidth || 720);
  const H = 200;
  // room above the top line for its label ("input 28 px" when no field is wider than the input)
  const m = { l: 48, r: 12, t: 20, b: 26 };
  const maxSize = widest;
  const xOf = (i: number) => m.l + (list.length === 1 ? 0 : (i / (list.length - 1)) * (W - m.l - m.r));
  const yOf = (v: number) => m.t + (1 - v / maxSize) * (H - m.t - m.b);
  const svg = s("svg", {
    width: W,
    height: H,
    viewBox: `0 0 ${W} ${H}`,
    role: "img",
    "aria-label": `Receptive field size for ${list.length} layers, up to ${maxSize} pixels; input ${iw}×${ih}`,
  });
  const raw = maxSize / 4;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const stepSize = [1, 2, 5, 10].map((f) => f * mag).find((x) => x >= raw) ?? raw;
  for (let v = 0; v <= maxSize; v += stepSize) {
    svg.append(
      s("line", { x1: m.l, x2: W - m.r, y1: yOf(v), y2: yOf(v), class: "cs-grid-line" }),
      s("text", { x: m.l - 6, y: yOf(v) + 4, "text-anchor": "end", class: "cs-axis" }, String(v)),
    );
  }
  svg.append(
    s("line", { x1: m.l, x2: W - m.r, y1: yOf(Math.max(ih, iw)), y2: yOf(Math.max(ih, iw)), class: "cs-input-line" }),
    s("text", { x: W - m.r, y: yOf(Math.max(ih, iw)) - 4, "text-anchor": "end", class: "cs-axis" }, `input ${Math.max(ih, iw)} px`),
  );
  const path = list.map((l, i) => `${i === 0 ? "M" : "L"}${xOf(i).toFixed(1)},${yOf(sizeOf(l)).toFixed(1)}`).join("");
  svg.append(s("path", { d: path, class: "cs-growth-line" }));
  svg.append(s("text", { x: m.l, y: H - 6, class: "cs-axis" }, "layers →"));
  const sel = list.findIndex((l) => l.nodeId === state.nodeId);
  list.forEach((l, i) => {
    const rf = windowOf(l);
    const dot = s("circle", {
      cx: xOf(i),
      cy: yOf(sizeOf(l)),
      r: i === sel ? 5 : list.length > 80 ? 2 : 3,
      class: `cs-dot${rf ? "" : " cs-dot-whole"}${i === sel ? " cs-dot-selected" : ""}`,
      "data-node": l.nodeId,
    });
    const titleText = `${l.label} · ${l.type} · field ${rf ? `${sizeText(l)} px · stride ${rf.jump[0]}` : sizeText(l)}`;
    dot.append(s("title", {}, titleText));
    dot.addEventListener("mouseenter", () => (chartReadout.textContent = titleText));
    dot.addEventListener("click", () => selectLayer(l.nodeId));
    svg.append(dot);
  });
  chart.append(svg);
}

// keyboard and mouse on the unit map
unitCanvas.addEventListener("click", (e) => {
  const l = currentLayer();
  if (!l) return;
  const r = unitCanvas.getBoundingClientRect();
  const x = Math.floor(((e.clientX - r.left) / r.width) * l.shape[2]);
  const y = Math.floor(((e.clientY - r.top) / r.height) * l.shape[1]);
  if (x < 0 || y < 0 || x >= l.shape[2] || y >= l.shape[1]) return;
  pickUnit(y, x);
});

unitCanvas.addEventListener("keydown", (e) => {
  const l = currentLayer();
  if (!l || !state.unit) return;
  let [y, x] = state.unit;
  const step = e.shiftKey ? Math.max(1, Math.round(l.shape[1] / 8)) : 1;
  switch (e.key) {
    case "ArrowUp":
      y = Math.max(0, y - step);
      break;
    case "ArrowDown":
      y = Math.min(l.shape[1] - 1, y + step);
      break;
    case "ArrowLeft":
      x = Math.max(0, x - step);
      break;
    case "ArrowRight":
      x = Math.min(l.shape[2] - 1, x + step);
      break;
    case "Enter":
      e.preventDefault();
      requestGradient();
      return;
    default:
      return;
  }
  e.preventDefault();
  pickUnit(y, x, false);
});

function pickUnit(y: number, x: number, compute = true): void {
  channel.save({ unit: [y, x] });
  drawAll();
  if (compute) requestGradient();
}

chart.addEventListener("keydown", (e) => {
  const list = layers();
  const i = list.findIndex((l) => l.nodeId === state.nodeId);
  if (e.key === "ArrowRight" && i < list.length - 1) selectLayer(list[i + 1]!.nodeId);
  else if (e.key === "ArrowLeft" && i > 0) selectLayer(list[i - 1]!.nodeId);
  else return;
  e.preventDefault();
  const l = currentLayer();
  if (l) chartReadout.textContent = `${l.label} · ${l.type} · field ${sizeText(l)} px`;
});
chart.setAttribute("tabindex", "0");
chart.setAttribute("aria-label", "Receptive field size per layer: left and right arrows choose the layer");

onThemeChange(() => {
  th = theme();
  drawAll();
  drawGrowth();
});

for (const el of [checkpointSel, layerSel]) el.classList.add("cs-wide");

sendReady();
warmUp();
