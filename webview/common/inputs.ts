import type { CheckpointInfo, DatasetSummary, InputSpec, Tensor } from "../../src/shared/webview/common";
import { clear, h } from "./dom";
import { button, field, select, setChoices, textfield, type SelectElement } from "./elements";

/**
 * Controls shared by the feature-map and receptive-field panels: which weights (a checkpoint or
 * the untrained model) and which input (a dataset sample, an image file, or a digit drawn with the
 * mouse), with the choices kept in the panel's state.
 */

export const UNTRAINED = "untrained";

export function checkpointChoices(checkpoints: readonly CheckpointInfo[]): { value: string; label: string }[] {
  return [{ value: UNTRAINED, label: "Untrained model (initial weights)" }, ...checkpoints.map((c) => ({ value: c.id, label: c.label }))];
}

/** The checkpoint to use: the saved one when it still exists, else the newest, else untrained. */
export function pickCheckpoint(saved: string | null | undefined, checkpoints: readonly CheckpointInfo[]): string {
  if (saved === UNTRAINED) return UNTRAINED;
  if (saved && checkpoints.some((c) => c.id === saved)) return saved;
  return checkpoints[0]?.id ?? UNTRAINED;
}

/** Keeps the choices of a checkpoint select in step with the host's list; returns the one chosen (see `pickCheckpoint`). */
export function updateCheckpointSelect(el: SelectElement, saved: string | null | undefined, checkpoints: readonly CheckpointInfo[]): string {
  const cp = pickCheckpoint(saved, checkpoints);
  setChoices(el, checkpointChoices(checkpoints), cp);
  return cp;
}

/** The checkpoint a request to the host names: null for the untrained model. */
export function checkpointParam(choice: string | null): string | null {
  return choice === UNTRAINED ? null : choice;
}

/**
 * The panels' "Split" select: Validation, Training and, where the panel has it, Test files, each
 * valued as that panel's protocol names it (`"validation"` here, `"val"` in the Evaluation panel).
 */
export function splitSelect<S extends string>(values: { validation: S; train: S; test?: S }, value: S, onChange: (split: S) => void): SelectElement {
  const choices = [
    { value: values.validation, label: "Validation" },
    { value: values.train, label: "Training" },
    ...(values.test !== undefined ? [{ value: values.test, label: "Test files" }] : []),
  ];
  return select("Split", choices, value, (v) => onChange(choices.find((c) => c.value === v)?.value ?? values.validation));
}

export type InputKind = "sample" | "file" | "drawing";

export interface InputState {
  inputKind: InputKind;
  split: "train" | "validation";
  index: number;
  /** The drawing as H×W values in [0, 1] (rows), small enough to keep in the webview state. */
  drawing: number[] | null;
}

export function restoreInputState(s: Partial<InputState>): InputState {
  return {
    inputKind: s.inputKind === "file" || s.inputKind === "drawing" ? s.inputKind : "sample",
    split: s.split === "train" ? "train" : "validation",
    index: typeof s.index === "number" && Number.isInteger(s.index) && s.index >= 0 ? s.index : 0,
    drawing: Array.isArray(s.drawing) && s.drawing.every((v) => typeof v === "number") ? s.drawing : null,
  };
}

export interface InputPickerOptions {
  state: InputState;
  save(patch: Partial<InputState>): void;
  /** Called when the input changes (debounced by the caller if needed). */
  onChange(): void;
}

/** The input picker. `spec()` gives the current InputSpec, or null while there is none (no file chosen yet). */
export class InputPicker {
  readonly element: HTMLElement;
  private readonly details = h("div", { class: "cs-row cs-input-details" });
  private shape: [number, number, number] = [1, 28, 28];
  private dataset: DatasetSummary | null = null;
  private file: { name: string; tensor: Tensor } | null = null;
  private pad: DrawingPad | null = null;
  private readonly kindSelect: SelectElement;

  constructor(private readonly o: InputPickerOptions) {
    this.kindSelect = select(
      "Input",
      [
        { value: "sample", label: "Dataset sample" },
        { value: "file", label: "Image file" },
        { value: "drawing", label: "Draw a digit" },
      ],
      o.state.inputKind,
      (v) => {
        o.save({ inputKind: v as InputKind });
        this.renderDetails();
        o.onChange();
      },
    );
    this.element = h("div", { class: "cs-row cs-input-picker" }, field("Input", this.kindSelect), this.details);
    this.renderDetails();
  }

  /** The model's input `[C, H, W]` and the dataset (for sample counts). */
  configure(shape: [number, number, number] | null, dataset: DatasetSummary | null): void {
    const next = shape ?? [1, 28, 28];
    const changed = next.join() !== this.shape.join();
    this.shape = next;
    this.dataset = dataset;
    if (changed) {
      this.file = null;
      if (this.o.state.drawing && this.o.state.drawing.length !== next[1] * next[2]) this.o.save({ drawing: null });
    }
    this.renderDetails();
  }

  spec(): InputSpec | null {
    const s = this.o.state;
    if (s.inputKind === "sample") return { kind: "sample", split: s.split, index: s.index };
    if (s.inputKind === "file") return this.file ? { kind: "pixels", source: "file", name: this.file.name, tensor: this.file.tensor } : null;
    const [c, hh, w] = this.shape;
    const d = s.drawing;
    if (!d || d.length !== hh * w) return null;
    const data = new Float32Array(c * hh * w);
    for (let ch = 0; ch < c; ch++) data.set(d, ch * hh * w);
    return { kind: "pixels", source: "drawing", name: "drawing", tensor: { shape: [c, hh, w], data } };
  }

  /** A short description for captions. */
  describe(): string {
    const s = this.o.state;
    if (s.inputKind === "sample") return `${s.split} sample #${s.index}`;
    if (s.inputKind === "file") return this.file ? this.file.name : "no image chosen";
    return "drawing";
  }

  private count(): number | null {
    if (!this.dataset) return null;
    return this.o.state.split === "train" ? this.dataset.trainCount : this.dataset.validationCount;
  }

  private renderDetails(): void {
    clear(this.details);
    this.pad = null;
    const s = this.o.state;
    if (s.inputKind === "sample") {
      const splitSel = splitSelect({ validation: "validation", train: "train" }, s.split, (split) => {
        this.o.save({ split });
        this.o.onChange();
      });
      const count = this.count();
      const idx = textfield(`Sample index${count !== null ? ` (0 to ${count - 1})` : ""}`, String(s.index), (v) => {
        const n = Math.max(0, Math.floor(Number(v)));
        if (!Number.isFinite(n)) return;
        this.o.save({ index: count !== null ? Math.min(n, Math.max(0, count - 1)) : n });
        this.o.onChange();
      });
      idx.setAttribute("type", "number");
      idx.setAttribute("min", "0");
      idx.classList.add("cs-index");
      const step = (d: number) => () => {
        const c = this.count();
        const next = Math.max(0, s.index + d);
        this.o.save({ index: c !== null ? Math.min(next, c - 1) : next });
        idx.value = String(this.o.state.index);
        this.o.onChange();
      };
      this.details.append(
        field("Split", splitSel),
        field(`Index${count !== null ? ` of ${count}` : ""}`, idx),
        button("‹", step(-1), { secondary: true, label: "Previous sample" }),
        button("›", step(1), { secondary: true, label: "Next sample" }),
        button(
          "Random",
          () => {
            const c = this.count() ?? 1000;
            this.o.save({ index: Math.floor(Math.random() * c) });
            idx.value = String(this.o.state.index);
            this.o.onChange();
          },
          { secondary: true, label: "A random sample" },
        ),
      );
    } else if (s.inputKind === "file") {
      const input = h("input", {
        class: "cs-hidden",
        attrs: { type: "file", accept: "image/png,image/jpeg,image/gif,image/bmp,image/webp", "aria-label": "Image file" },
      });
      input.addEventListener("change", () => {
        const f = input.files?.[0];
        if (f) void this.loadFile(f);
      });
      this.details.append(
        input,
        button("Choose image…", () => input.click(), { label: "Choose an image file" }),
        h("span", { class: "cs-muted", text: this.file ? this.file.name : `resized to ${this.shape[2]}×${this.shape[1]}` }),
      );
    } else {
      this.pad = new DrawingPad(this.shape[1], this.shape[2], s.drawing, (values) => {
        this.o.save({ drawing: values });
        this.o.onChange();
      });
      this.details.append(
        this.pad.element,
        button("Clear", () => this.pad?.clear(), { secondary: true, label: "Clear the drawing" }),
      );
    }
  }

  private async loadFile(f: File): Promise<void> {
    const [c, hh, w] = this.shape;
    const bitmap = await createImageBitmap(f);
    const canvas = document.createElement("canvas");
    canvas.width = w;
    canvas.height = hh;
    const ctx = canvas.getContext("2d")!;
    // centre crop to the model's aspect ratio, then resize
    const scale = Math.max(w / bitmap.width, hh / bitmap.height);
    const sw = w / scale;
    const sh = hh / scale;
    ctx.drawImage(bitmap, (bitmap.width - sw) / 2, (bitmap.height - sh) / 2, sw, sh, 0, 0, w, hh);
    const px = ctx.getImageData(0, 0, w, hh).data;
    const n = w * hh;
    const data = new Float32Array(c * n);
    for (let i = 0; i < n; i++) {
      const r = px[i * 4]! / 255;
      const g = px[i * 4 + 1]! / 255;
      const b = px[i * 4 + 2]! / 255;
      if (c === 3) {
        data[i] = r;
        data[n + i] = g;
        data[2 * n + i] = b;
      } else {
        const y = 0.299 * r + 0.587 * g + 0.114 * b;
        for (let ch = 0; ch < c; ch++) data[ch * n + i] = y;
      }
    }
    this.file = { name: f.name, tensor: { shape: [c, hh, w], data } };
    this.renderDetails();
    this.o.onChange();
  }
}

/**
 * A canvas to draw a digit with the mouse (or pen/touch): white strokes on black, turned into an
 * H×W image the way MNIST digits were made (fitted into a 20/28 box, centred by mass).
 */
export class DrawingPad {
  readonly element: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private drawing = false;
  private last: [number, number] | null = null;
  private static readonly SIZE = 224;

  constructor(
    private readonly h: number,
    private readonly w: number,
    initial: number[] | null,
    private readonly onDone: (values: number[] | null) => void,
  ) {
    const c = document.createElement("canvas");
    c.width = DrawingPad.SIZE;
    c.height = DrawingPad.SIZE;
    c.className = "cs-drawing";
    c.setAttribute("role", "img");
    c.setAttribute("aria-label", "Drawing area: draw a digit with the mouse");
    this.element = c;
    this.ctx = c.getContext("2d", { willReadFrequently: true })!;
    this.reset();
    if (initial && initial.length === h * w) this.showValues(initial);
    c.addEventListener("pointerdown", (e) => {
      this.drawing = true;
      c.setPointerCapture(e.pointerId);
      this.last = this.pos(e);
      this.stroke(this.last, this.last);
    });
    c.addEventListener("pointermove", (e) => {
      if (!this.drawing) return;
      const p = this.pos(e);
      this.stroke(this.last ?? p, p);
      this.last = p;
    });
    const end = (): void => {
      if (!this.drawing) return;
      this.drawing = false;
      this.last = null;
      this.onDone(this.values());
    };
    c.addEventListener("pointerup", end);
    c.addEventListener("pointercancel", end);
  }

  clear(): void {
    this.reset();
    this.onDone(null);
  }

  private reset(): void {
    this.ctx.fillStyle = "#000";
    this.ctx.fillRect(0, 0, DrawingPad.SIZE, DrawingPad.SIZE);
  }

  private pos(e: PointerEvent): [number, number] {
    const r = this.element.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * DrawingPad.SIZE, ((e.clientY - r.top) / r.height) * DrawingPad.SIZE];
  }

  private stroke(a: [number, number], b: [number, number]): void {
    const ctx = this.ctx;
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = DrawingPad.SIZE / 12;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
  }

  /** Draws saved values back (scaled up) after a restore. */
  private showValues(values: number[]): void {
    const img = new ImageData(this.w, this.h);
    for (let i = 0; i < values.length; i++) {
      const g = Math.round(values[i]! * 255);
      img.data[i * 4] = g;
      img.data[i * 4 + 1] = g;
      img.data[i * 4 + 2] = g;
      img.data[i * 4 + 3] = 255;
    }
    const tmp = document.createElement("canvas");
    tmp.width = this.w;
    tmp.height = this.h;
    tmp.getContext("2d")!.putImageData(img, 0, 0);
    this.ctx.imageSmoothingEnabled = false;
    this.ctx.drawImage(tmp, 0, 0, DrawingPad.SIZE, DrawingPad.SIZE);
  }

  /** The drawing as H×W values in [0, 1], MNIST-style; null when empty. */
  values(): number[] | null {
    const S = DrawingPad.SIZE;
    const px = this.ctx.getImageData(0, 0, S, S).data;
    let x0 = S;
    let y0 = S;
    let x1 = -1;
    let y1 = -1;
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        if (px[(y * S + x) * 4]! > 20) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    if (x1 < 0) return null;
    const bw = x1 - x0 + 1;
    const bh = y1 - y0 + 1;
    // fit the ink into 20/28 of the target, keeping its aspect ratio
    const box = (20 / 28) * Math.min(this.w, this.h);
    const k = box / Math.max(bw, bh);
    const tw = Math.max(1, Math.round(bw * k));
    const th = Math.max(1, Math.round(bh * k));
    const tmp = document.createElement("canvas");
    tmp.width = this.w;
    tmp.height = this.h;
    const t = tmp.getContext("2d", { willReadFrequently: true })!;
    t.fillStyle = "#000";
    t.fillRect(0, 0, this.w, this.h);
    t.imageSmoothingEnabled = true;
    t.imageSmoothingQuality = "high";
    t.drawImage(this.element, x0, y0, bw, bh, (this.w - tw) / 2, (this.h - th) / 2, tw, th);
    const small = t.getImageData(0, 0, this.w, this.h).data;
    const v: number[] = new Array(this.w * this.h);
    let mass = 0;
    let cx = 0;
    let cy = 0;
    for (let y = 0; y < this.h; y++) {
      for (let x = 0; x < this.w; x++) {
        const g = small[(y * this.w + x) * 4]! / 255;
        v[y * this.w + x] = g;
        mass += g;
        cx += g * x;
        cy += g * y;
      }
    }
    // centre by mass
    const dx = Math.round((this.w - 1) / 2 - cx / mass);
    const dy = Math.round((this.h - 1) / 2 - cy / mass);
    const out: number[] = new Array(this.w * this.h).fill(0);
    for (let y = 0; y < this.h; y++) {
      for (let x = 0; x < this.w; x++) {
        const sx = x - dx;
        const sy = y - dy;
        if (sx >= 0 && sx < this.w && sy >= 0 && sy < this.h) out[y * this.w + x] = Math.round(v[sy * this.w + sx]! * 1000) / 1000;
      }
    }
    return out;
  }
}
