import type { Tensor } from "../../src/shared/webview/common";
import { lut, type ColormapName } from "./colormap";
import { channelStats, fmt, paintValues, type ChannelStats } from "./tensorPaint";
import { TileGrid } from "./tileGrid";

/**
 * A `[C, H, W]` tensor as a grid of channel tiles in a colour map, with per-channel statistics,
 * a hover read-out (value and position), keyboard navigation and click/Enter to pick a channel
 * (or, with `onPixel`, a unit). Used by the feature-map and receptive-field panels.
 */

export interface GridOptions {
  colormap: ColormapName;
  /** Each channel stretched to its own range, or one range for all. */
  scale: "channel" | "shared";
  /** A description of what is under the pointer, or "" when it leaves. */
  onHover(text: string): void;
  onPick(channel: number): void;
  /** Clicking a pixel reports it instead of picking the channel (the receptive-field panel picks units so). */
  onPixel?(channel: number, y: number, x: number): void;
}

export function tileSize(channels: number): number {
  return channels <= 16 ? 160 : channels <= 64 ? 112 : channels <= 256 ? 76 : 56;
}

export class ChannelGrid {
  private readonly grid: TileGrid;
  private tensor: Tensor | null = null;
  stats: ChannelStats[] = [];
  range: [number, number] = [0, 1];

  constructor(
    private o: GridOptions,
    label: string,
  ) {
    this.grid = new TileGrid({
      label,
      onHover: (i, y, x) => this.hover(i, y, x),
      onLeave: () => this.o.onHover(""),
      onPick: (i, y, x) => (this.o.onPixel && y !== null && x !== null ? this.o.onPixel(i, y, x) : this.o.onPick(i)),
      describe: (i) => this.describe(i),
    });
  }

  get element(): HTMLElement {
    return this.grid.element;
  }

  get channels(): number {
    return this.grid.tiles.length;
  }

  set(options: Partial<GridOptions>): void {
    this.o = { ...this.o, ...options };
    if (this.tensor) this.paint();
  }

  show(t: Tensor): void {
    this.tensor = t;
    const [c = 1, hh = 1, w = 1] = t.shape;
    this.stats = channelStats(t.data, c, hh * w);
    this.grid.layout(c, w, hh, tileSize(c));
    this.paint();
  }

  /** Lays out the tiles for a `[C, H, W]` output before its values arrive (the analysis knows the shape). */
  prepare(shape: readonly number[]): void {
    const [c = 1, hh = 1, w = 1] = shape;
    this.grid.layout(c, w, hh, tileSize(c));
  }

  focusTile(i: number): void {
    this.grid.focus(i);
  }

  select(i: number | null): void {
    this.grid.select(i);
  }

  private paint(): void {
    const t = this.tensor;
    if (!t) return;
    const [c = 1, hh = 1, w = 1] = t.shape;
    const colors = lut(this.o.colormap);
    let gLo = Infinity;
    let gHi = -Infinity;
    for (const s of this.stats) {
      if (s.min < gLo) gLo = s.min;
      if (s.max > gHi) gHi = s.max;
    }
    this.range = [gLo, gHi];
    for (let i = 0; i < c; i++) {
      const s = this.stats[i]!;
      const [lo, hi] = this.o.scale === "shared" ? [gLo, gHi] : [s.min, s.max];
      const tile = this.grid.tiles[i]!;
      paintValues(t.data, i * hh * w, hh, w, lo, hi, colors, new Uint32Array(tile.image.data.buffer), 0, w);
      const dead = s.zeros === 1;
      tile.element.classList.toggle("cs-dead", dead);
      tile.caption.textContent = dead ? `#${i} · dead` : `#${i} · max ${fmt(s.max)}`;
      const label = this.describe(i);
      tile.element.setAttribute("aria-label", label);
      tile.element.title = label;
    }
    this.grid.flush();
  }

  private describe(i: number): string {
    const s = this.stats[i];
    if (!s) return `Channel ${i}`;
    return `Channel ${i}: min ${fmt(s.min)}, max ${fmt(s.max)}, mean ${fmt(s.mean)}, std ${fmt(s.std)}, ${Math.round(s.zeros * 100)}% zeros${s.zeros === 1 ? " (dead)" : ""}`;
  }

  private hover(i: number, y: number, x: number): void {
    const t = this.tensor;
    if (!t) return;
    if (y < 0) return this.o.onHover(this.describe(i));
    const [, hh = 1, w = 1] = t.shape;
    this.o.onHover(`channel ${i} · y ${y}, x ${x} · ${fmt(t.data[i * hh * w + y * w + x]!)}`);
  }
}
