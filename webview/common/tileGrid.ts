import { clear, h } from "./dom";

/**
 * A grid of small canvases ("tiles") with captions: pixelated, keyboard-navigable (arrow keys,
 * Home/End, Enter or Space to pick; one tab stop), with hover positions reported in the tile's
 * pixel coordinates. The feature-map, filter and receptive-field panels build on it.
 */

export interface TileGridOptions {
  label: string;
  onHover(index: number, y: number, x: number): void;
  onLeave(): void;
  onPick(index: number, y: number | null, x: number | null): void;
  /** Announced when the keyboard moves to a tile. */
  describe(index: number): string;
}

export interface Tile {
  element: HTMLElement;
  canvas: HTMLCanvasElement;
  caption: HTMLElement;
  image: ImageData;
}

export class TileGrid {
  readonly element: HTMLElement;
  tiles: Tile[] = [];
  private focusIndex = 0;

  constructor(private readonly o: TileGridOptions) {
    this.element = h("div", { class: "cs-grid", attrs: { role: "grid", "aria-label": o.label } });
    this.element.addEventListener("keydown", (e) => this.onKey(e));
  }

  /** (Re)creates `count` tiles of w × h pixels (kept when the layout is unchanged). */
  layout(count: number, w: number, hh: number, tilePx: number): boolean {
    const same = this.tiles.length === count && this.tiles[0]?.image.width === w && this.tiles[0]?.image.height === hh;
    this.element.style.setProperty("--tile", `${tilePx}px`);
    this.element.style.setProperty("--aspect", `${w} / ${hh}`);
    this.element.classList.toggle("cs-grid-compact", tilePx < 76);
    if (same) return false;
    clear(this.element);
    this.tiles = [];
    const row = h("div", { attrs: { role: "row" }, class: "cs-grid-row" });
    this.element.append(row);
    for (let i = 0; i < count; i++) {
      const canvas = h("canvas", { class: "cs-pixelated", attrs: { width: w, height: hh, "aria-hidden": "true" } });
      const caption = h("span", { class: "cs-tile-caption" });
      const el = h("div", { class: "cs-tile", attrs: { role: "gridcell", tabindex: i === 0 ? 0 : -1, "data-index": i } }, canvas, caption);
      el.addEventListener("click", (e) => {
        this.focus(i);
        const p = this.pixelAt(canvas, e);
        this.o.onPick(i, p ? p[0] : null, p ? p[1] : null);
      });
      canvas.addEventListener("mousemove", (e) => {
        const p = this.pixelAt(canvas, e);
        if (p) this.o.onHover(i, p[0], p[1]);
      });
      canvas.addEventListener("mouseleave", () => this.o.onLeave());
      row.append(el);
      this.tiles.push({ element: el, canvas, caption, image: new ImageData(w, hh) });
    }
    this.focusIndex = 0;
    // allocate the canvases' backing stores now rather than when the first values arrive
    this.flush();
    return true;
  }

  /** Puts each tile's `image` on its canvas. */
  flush(i?: number): void {
    for (const [k, t] of this.tiles.entries()) if (i === undefined || i === k) t.canvas.getContext("2d")!.putImageData(t.image, 0, 0);
  }

  focus(i: number): void {
    const t = this.tiles[i];
    if (!t) return;
    this.tiles[this.focusIndex]?.element.setAttribute("tabindex", "-1");
    this.focusIndex = i;
    t.element.setAttribute("tabindex", "0");
    t.element.focus();
  }

  select(i: number | null): void {
    for (const [k, t] of this.tiles.entries()) {
      t.element.classList.toggle("cs-selected", k === i);
      t.element.setAttribute("aria-selected", String(k === i));
    }
  }

  private pixelAt(canvas: HTMLCanvasElement, e: MouseEvent): [number, number] | null {
    const r = canvas.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return null;
    const x = Math.floor(((e.clientX - r.left) / r.width) * canvas.width);
    const y = Math.floor(((e.clientY - r.top) / r.height) * canvas.height);
    if (x < 0 || y < 0 || x >= canvas.width || y >= canvas.height) return null;
    return [y, x];
  }

  private columns(): number {
    const top = this.tiles[0]?.element.offsetTop;
    let n = 0;
    for (const t of this.tiles) {
      if (t.element.offsetTop !== top) break;
      n++;
    }
    return Math.max(1, n);
  }

  private onKey(e: KeyboardEvent): void {
    const n = this.tiles.length;
    if (n === 0) return;
    let i = this.focusIndex;
    switch (e.key) {
      case "ArrowRight":
        i = Math.min(n - 1, i + 1);
        break;
      case "ArrowLeft":
        i = Math.max(0, i - 1);
        break;
      case "ArrowDown":
        i = Math.min(n - 1, i + this.columns());
        break;
      case "ArrowUp":
        i = Math.max(0, i - this.columns());
        break;
      case "Home":
        i = 0;
        break;
      case "End":
        i = n - 1;
        break;
      case "Enter":
      case " ":
        e.preventDefault();
        this.o.onPick(this.focusIndex, null, null);
        return;
      default:
        return;
    }
    e.preventDefault();
    this.focus(i);
    this.o.onHover(i, -1, -1);
  }
}
