import type { Tensor } from "../../src/shared/webview/common";
import type { AttentionLayer } from "../../src/shared/webview/featureMaps";
import { colorAt, type ColormapName } from "../common/colormap";
import { h } from "../common/dom";
import { select, setChoices } from "../common/elements";
import { colorbar, fmt, inputImage, paintValues, putImage } from "../common/tensorPaint";
import { lut } from "../common/colormap";

/**
 * The attention view of the feature-map panel: for an attention layer, where one query token (the
 * class token, or a patch the user clicks) looks, over the input image's patches, averaged over the
 * heads or for one head; beside it, the whole attention matrix (queries × keys) of that head.
 */

/** One query's attention over the keys: a row of `weights` (`[heads, queries, keys]`), of one head or the mean over heads. */
export function attentionRow(weights: Tensor, head: number | "mean", query: number): Float32Array {
  const [heads = 1, queries = 1, keys = 1] = weights.shape;
  const row = new Float32Array(keys);
  const first = head === "mean" ? 0 : head;
  const last = head === "mean" ? heads - 1 : head;
  for (let k = first; k <= last; k++) {
    const at = (k * queries + query) * keys;
    for (let j = 0; j < keys; j++) row[j] = row[j]! + weights.data[at + j]! / (last - first + 1);
  }
  return row;
}

/** The attention matrix `[queries, keys]` of one head or the mean over heads, as a `[1, queries, keys]` tensor. */
export function attentionMatrix(weights: Tensor, head: number | "mean"): Tensor {
  const [, queries = 1, keys = 1] = weights.shape;
  const data = new Float32Array(queries * keys);
  for (let q = 0; q < queries; q++) data.set(attentionRow(weights, head, q), q * keys);
  return { shape: [1, queries, keys], data };
}

/** A query token's description: "the class token" or "patch (row 2, column 3)". */
export function describeQuery(layer: AttentionLayer, query: number): string {
  const cols = layer.grid?.[1];
  if (query < layer.firstPatch || cols === undefined) return query === 0 && layer.firstPatch === 1 ? "the class token" : `token ${query}`;
  const p = query - layer.firstPatch;
  return `patch (row ${Math.floor(p / cols) + 1}, column ${(p % cols) + 1})`;
}

export class AttentionView {
  readonly element: HTMLElement;
  private readonly caption = h("p", { class: "cs-muted" });
  private readonly overlay = h("canvas", {
    class: "cs-attention-overlay",
    attrs: { tabindex: "0", role: "img", "aria-label": "Attention over the input's patches; click a patch to make it the query" },
  });
  private readonly matrix = h("canvas", {
    class: "cs-pixelated cs-attention-matrix",
    attrs: { role: "img", "aria-label": "Attention matrix, queries × keys" },
  });
  private readonly headSel;
  /** The colour scales: the overlay's (0 to the strongest patch) and the matrix's (0 to its largest weight). */
  private readonly overlayBar = legend();
  private readonly matrixBar = legend();
  private readonly overlayCaption = h("figcaption", { class: "cs-muted" });
  private layer: AttentionLayer | null = null;
  private weights: Tensor | null = null;
  private input: Tensor | null = null;

  constructor(
    private readonly options: {
      colormap: () => ColormapName;
      head: () => number | "mean";
      query: () => number;
      onChange: (change: { head?: number | "mean"; query?: number }) => void;
      announce: (text: string) => void;
    },
  ) {
    this.headSel = select("Heads", [], "mean", (v) => {
      this.options.onChange({ head: v === "mean" ? "mean" : Number(v) });
      this.render();
    });
    this.overlay.addEventListener("click", (e) => this.pick(e));
    this.overlay.addEventListener("keydown", (e) => this.move(e));
    this.element = h(
      "section",
      { class: "cs-attention", attrs: { "aria-label": "Attention" } },
      h("div", { class: "cs-row" }, h("label", { class: "cs-field" }, h("span", { text: "Heads" }), this.headSel)),
      this.caption,
      h(
        "div",
        { class: "cs-attention-body" },
        h("figure", {}, this.overlay, this.overlayBar.element, this.overlayCaption),
        h("figure", {}, this.matrix, this.matrixBar.element, h("figcaption", { class: "cs-muted", text: "Attention matrix: queries (rows) × keys (columns)" })),
      ),
    );
  }

  show(layer: AttentionLayer, weights: Tensor, input: Tensor): void {
    this.layer = layer;
    this.weights = weights;
    this.input = input;
    const head = this.options.head();
    const choices = [
      { value: "mean", label: `Mean of ${layer.heads} heads` },
      ...Array.from({ length: layer.heads }, (_, i) => ({ value: String(i), label: `Head ${i + 1}` })),
    ];
    setChoices(this.headSel, choices, head === "mean" || head >= layer.heads ? "mean" : String(head));
    this.render();
  }

  render(): void {
    const { layer, weights, input } = this;
    if (!layer || !weights || !input) return;
    const head = this.options.head();
    const h0 = head !== "mean" && head < layer.heads ? head : "mean";
    const query = Math.min(this.options.query(), layer.queries - 1);
    const row = attentionRow(weights, h0, query);
    this.drawOverlay(layer, row, input, query);
    const m = attentionMatrix(weights, h0);
    const img = new ImageData(layer.keys, layer.queries);
    let hi = 0;
    for (const v of m.data) hi = Math.max(hi, v);
    paintValues(m.data, 0, layer.queries, layer.keys, 0, hi || 1, lut(this.options.colormap()), new Uint32Array(img.data.buffer), 0, layer.keys);
    putImage(this.matrix, img);
    this.matrixBar.show(this.options.colormap(), hi);
    const best = this.strongest(layer, row);
    const who = h0 === "mean" ? `mean of ${layer.heads} heads` : `head ${h0 + 1} of ${layer.heads}`;
    this.caption.textContent = `Attention of ${describeQuery(layer, query)} over ${layer.grid ? `${layer.grid[0]}×${layer.grid[1]} patches` : `${layer.keys} tokens`} · ${who} · strongest: ${best}`;
    this.options.announce(this.caption.textContent);
    this.expose(layer, row, query, h0);
  }

  /** What is drawn, on the section's data attributes (for tests and tools): the query, the head, the row's sums. */
  private expose(layer: AttentionLayer, row: Float32Array, query: number, head: number | "mean"): void {
    let sum = 0;
    for (const v of row) sum += v;
    let patches = 0;
    if (layer.grid) for (const v of row.subarray(layer.firstPatch, layer.firstPatch + layer.grid[0] * layer.grid[1])) patches += v;
    const d = this.element.dataset;
    d["query"] = String(query);
    d["head"] = String(head);
    d["rowSum"] = sum.toFixed(6);
    d["patchSum"] = patches.toFixed(6);
  }

  private strongest(layer: AttentionLayer, row: Float32Array): string {
    let j = 0;
    row.forEach((v, i) => {
      if (v > row[j]!) j = i;
    });
    return `${describeQuery(layer, j)} (${fmt(row[j] ?? 0)})`;
  }

  /** The input image, scaled up, under a colour overlay of the row over the patch grid; the query's patch outlined. */
  private drawOverlay(layer: AttentionLayer, row: Float32Array, input: Tensor, query: number): void {
    const [, height = 1, width = 1] = input.shape;
    const scale = Math.max(1, Math.floor(280 / Math.max(height, width)));
    const c = this.overlay;
    c.width = width * scale;
    c.height = height * scale;
    const g = c.getContext("2d")!;
    const image = h("canvas");
    putImage(image, inputImage(input));
    g.imageSmoothingEnabled = false;
    g.drawImage(image, 0, 0, c.width, c.height);
    const figure = c.closest("figure") ?? c;
    figure.classList.toggle("cs-hidden", !layer.grid);
    if (!layer.grid) return;
    const [rows, cols] = layer.grid;
    const patches = row.subarray(layer.firstPatch, layer.firstPatch + rows * cols);
    let hi = 0;
    let share = 0;
    for (const v of patches) {
      hi = Math.max(hi, v);
      share += v;
    }
    this.overlayBar.show(this.options.colormap(), hi);
    const rest = layer.firstPatch > 0 ? ` · ${pct(1 - share)} on the class token` : "";
    this.overlayCaption.textContent = `Share of the query's attention per patch, over the input${rest}`;
    const cw = c.width / cols;
    const ch = c.height / rows;
    patches.forEach((v, p) => {
      const [r, gr, b] = colorAt(this.options.colormap(), hi > 0 ? v / hi : 0);
      g.fillStyle = `rgba(${r}, ${gr}, ${b}, ${(0.15 + 0.6 * (hi > 0 ? v / hi : 0)).toFixed(3)})`;
      g.fillRect((p % cols) * cw, Math.floor(p / cols) * ch, cw, ch);
    });
    if (query >= layer.firstPatch) {
      const p = query - layer.firstPatch;
      g.strokeStyle = getComputedStyle(document.body).getPropertyValue("--vscode-focusBorder") || "#007fd4";
      g.lineWidth = 2;
      g.strokeRect((p % cols) * cw + 1, Math.floor(p / cols) * ch + 1, cw - 2, ch - 2);
    }
  }

  private pick(e: MouseEvent): void {
    const layer = this.layer;
    if (!layer?.grid) return;
    const rect = this.overlay.getBoundingClientRect();
    const [rows, cols] = layer.grid;
    const c = Math.min(cols - 1, Math.max(0, Math.floor(((e.clientX - rect.left) / rect.width) * cols)));
    const r = Math.min(rows - 1, Math.max(0, Math.floor(((e.clientY - rect.top) / rect.height) * rows)));
    const query = layer.firstPatch + r * cols + c;
    // A second click on the query's own patch goes back to the class token.
    this.options.onChange({ query: query === this.options.query() && layer.firstPatch === 1 ? 0 : query });
    this.render();
  }

  /** Arrow keys move the query patch; Home goes back to the class token. */
  private move(e: KeyboardEvent): void {
    const layer = this.layer;
    if (!layer?.grid) return;
    const [rows, cols] = layer.grid;
    const q = this.options.query();
    const p = q >= layer.firstPatch ? q - layer.firstPatch : -1;
    const r = p < 0 ? 0 : Math.floor(p / cols);
    const c = p < 0 ? 0 : p % cols;
    const next: Record<string, [number, number] | "home"> = {
      ArrowLeft: [r, Math.max(0, c - 1)],
      ArrowRight: [r, Math.min(cols - 1, c + 1)],
      ArrowUp: [Math.max(0, r - 1), c],
      ArrowDown: [Math.min(rows - 1, r + 1), c],
      Home: "home",
    };
    const to = next[e.key];
    if (!to) return;
    e.preventDefault();
    this.options.onChange({ query: to === "home" ? 0 : layer.firstPatch + to[0] * cols + to[1] });
    this.render();
  }
}

/** A percentage with one decimal. */
function pct(v: number): string {
  return `${(Math.max(0, v) * 100).toFixed(1)}%`;
}

/** A colour scale from 0 to a maximum, labelled at both ends. */
function legend(): { element: HTMLElement; show(map: ColormapName, hi: number): void } {
  const bar = h("canvas", { attrs: { "aria-hidden": "true" } });
  const lo = h("span", { text: "0" });
  const top = h("span");
  const element = h("div", { class: "cs-colorbar cs-attention-legend" }, lo, bar, top);
  return {
    element,
    show(map, hi) {
      colorbar(bar, map);
      top.textContent = fmt(hi);
      element.setAttribute("aria-label", `colour scale from 0 to ${fmt(hi)}`);
    },
  };
}
