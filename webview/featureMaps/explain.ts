import type { Tensor } from "../../src/shared/webview/common";
import type { ExplainResult } from "../../src/shared/webview/featureMaps";
import { colorAt } from "../common/colormap";
import { clear, h } from "../common/dom";
import { checkbox } from "../common/elements";

/**
 * Issue 18 / issue 19 item 13: what the model predicts for the input (the top 5 classes with their
 * probabilities) and Grad-CAM of a class overlaid on the input. Clicking a class explains it; clicking
 * it again goes back to the predicted class.
 */

export interface ExplainOptions {
  classNames: () => readonly string[];
  gradCam: () => boolean;
  setGradCam: (on: boolean) => void;
  /** The class Grad-CAM explains (null: the predicted one). */
  chosen: () => number | null;
  choose: (c: number | null) => void;
}

/** A bar's filled part (its width set through the CSSOM: the panel's CSP forbids inline style attributes). */
function barFill(p: number): HTMLElement {
  const fill = h("span");
  fill.style.width = `${(100 * p).toFixed(1)}%`;
  return fill;
}

/** Within this fraction of its maximum everywhere, a map is called uniform (scaled to its maximum, it would look like a signal). */
const UNIFORM_SPREAD = 0.05;

/** Whether a Grad-CAM map is 0 everywhere, nearly uniform, or varied: the first two are said in words, not stretched. */
function flatness(cam: Tensor): "zero" | "uniform" | "varied" {
  let lo = Infinity;
  let hi = 0;
  for (const v of cam.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(hi > 0)) return "zero";
  return hi - lo <= UNIFORM_SPREAD * hi ? "uniform" : "varied";
}

const FLATNESS_NOTE = {
  zero: ": 0 everywhere (no position raises this class's score at this layer)",
  uniform: ": nearly uniform at this layer (every position weighs about the same)",
  varied: "",
} as const;

export class ExplainView {
  readonly element: HTMLElement;
  /** Drawn over the input image (same size): the colour map at alpha 0.1 + 0.5·t (t = Grad-CAM / its max); nothing when the map is 0 everywhere. */
  readonly overlay = h("canvas", { class: "cs-cam-overlay cs-pixelated", attrs: { "aria-hidden": "true" } });
  private readonly list = h("ol", { class: "cs-top5", attrs: { "aria-label": "Top 5 predictions" } });
  private readonly caption = h("p", { class: "cs-muted cs-cam-caption" });
  private readonly toggle;

  constructor(private readonly o: ExplainOptions) {
    this.toggle = checkbox("Grad-CAM", o.gradCam(), (on) => o.setGradCam(on), { class: "cs-cam-toggle" });
    this.element = h(
      "section",
      { class: "cs-explain", attrs: { "aria-label": "Prediction" } },
      h("h2", { text: "Prediction" }),
      this.list,
      this.toggle,
      this.caption,
    );
  }

  /** Waiting for an answer, or nothing to show. */
  pending(text: string): void {
    this.caption.textContent = text;
  }

  show(r: ExplainResult, input: Tensor, layer: string | null): void {
    clear(this.list);
    if (r.error !== null) {
      this.caption.textContent = `Cannot explain this input: ${r.error}`;
      this.paint(null, input);
      return;
    }
    const names = this.o.classNames();
    const order = r.probabilities.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    const explained = r.classIndex;
    for (const [p, i] of order.slice(0, 5)) {
      const name = names[i] ?? String(i);
      const row = h(
        "li",
        { class: `cs-top5-row${i === explained ? " cs-selected" : ""}` },
        h(
          "button",
          {
            class: "cs-top5-button",
            attrs: {
              type: "button",
              "aria-pressed": String(i === this.o.chosen()),
              title: `Explain class ${name} with Grad-CAM`,
              "aria-label": `${name}: ${(100 * p).toFixed(1)}%`,
            },
          },
          h("span", { class: "cs-top5-name", text: name }),
          h("span", { class: "cs-top5-bar" }, barFill(p)),
          h("span", { class: "cs-top5-p cs-mono", text: `${(100 * p).toFixed(1)}%` }),
        ),
      );
      row.querySelector("button")!.addEventListener("click", () => this.o.choose(this.o.chosen() === i ? null : i));
      this.list.append(row);
    }
    this.toggle.checked = this.o.gradCam();
    const cls = explained !== null ? (names[explained] ?? String(explained)) : null;
    const flat = r.cam ? flatness(r.cam) : null;
    this.caption.textContent =
      r.cam && cls !== null && layer !== null
        ? `Grad-CAM of ${cls}${this.o.chosen() === null ? " (predicted)" : ""} at ${layer}, ${r.cam.shape[1]}×${r.cam.shape[2]}${FLATNESS_NOTE[flat ?? "varied"]}`
        : this.o.gradCam()
          ? "Grad-CAM needs a layer with a spatial output."
          : "";
    this.paint(this.o.gradCam() && flat !== "zero" ? r.cam : null, input);
  }

  /** Grad-CAM scaled to its maximum, upsampled bilinearly to the input's size, as a translucent colour map. */
  private paint(cam: Tensor | null, input: Tensor): void {
    const [, H = 1, W = 1] = input.shape;
    this.overlay.width = W;
    this.overlay.height = H;
    const ctx = this.overlay.getContext("2d");
    if (!ctx) return;
    ctx.clearRect(0, 0, W, H);
    this.overlay.classList.toggle("cs-hidden", cam === null);
    if (cam === null) return;
    const [, h_ = 1, w = 1] = cam.shape;
    let max = 0;
    for (const v of cam.data) max = Math.max(max, v);
    const img = ctx.createImageData(W, H);
    for (let y = 0; y < H; y++) {
      const sy = Math.min(Math.max(((y + 0.5) * h_) / H - 0.5, 0), h_ - 1);
      const y0 = Math.floor(sy);
      const y1 = Math.min(y0 + 1, h_ - 1);
      for (let x = 0; x < W; x++) {
        const sx = Math.min(Math.max(((x + 0.5) * w) / W - 0.5, 0), w - 1);
        const x0 = Math.floor(sx);
        const x1 = Math.min(x0 + 1, w - 1);
        const at = (yy: number, xx: number) => cam.data[yy * w + xx]!;
        const top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * (sx - x0);
        const bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * (sx - x0);
        const t = max > 0 ? (top + (bottom - top) * (sy - y0)) / max : 0;
        const [r, g, b] = colorAt("coolwarm", t);
        const i = 4 * (y * W + x);
        img.data[i] = r;
        img.data[i + 1] = g;
        img.data[i + 2] = b;
        img.data[i + 3] = Math.round(255 * (0.1 + 0.5 * t));
      }
    }
    ctx.putImageData(img, 0, 0);
  }
}
