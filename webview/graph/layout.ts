import { Graph, layout, type EdgeLabel, type GraphLabel, type NodeLabel } from "@dagrejs/dagre";
import type { Dim } from "../../src/shared/analysis";
import { formatMetric } from "../../src/shared/format";
import { layerCategory, type LayerCategory } from "../../src/shared/layerCatalog";
import type { GraphNodeView } from "../../src/shared/webview/graph";
import type { Cluster, Visible, VisibleNode } from "../../src/shared/webview/graphLayout";

/**
 * The graph panel's drawing geometry: each visible node's box (its text lines measured in the
 * panel's font), the dagre layout of the visible graph, and the edges' paths. main.ts draws them.
 */
const measure = document.createElement("canvas").getContext("2d")!;

function textWidth(t: string, font: string): number {
  measure.font = font;
  return measure.measureText(t).width;
}

const FONT_SIZE = 12;
const font = (weight = "normal") => `${weight} ${FONT_SIZE}px ${getComputedStyle(document.body).fontFamily}`;
export const LINE = 16;

export function shapeText(shape: readonly Dim[]): string {
  const rest = shape.length > 1 && typeof shape[0] === "string" ? shape.slice(1) : shape;
  return rest.join("×");
}

const OP_SYMBOL: Record<string, string> = { add: "+", mul: "×", sub: "−", div: "÷" };

/** A module node's colour by its kind's category (a custom module's class is "other"). */
const CATEGORY_CLASS = {
  conv: "cs-kind-conv",
  norm: "cs-kind-norm",
  pooling: "cs-kind-pool",
  linear: "cs-kind-linear",
  activation: "cs-kind-act",
  dropout: "cs-kind-other",
  reshape: "cs-kind-other",
  resampling: "cs-kind-other",
  identity: "cs-kind-other",
  // ---- modules ----
  embedding: "cs-kind-linear",
  padding: "cs-kind-other",
  attention: "cs-kind-attention",
} as const satisfies Record<LayerCategory, string>;

export function kindClass(n: GraphNodeView): string {
  if (n.kind === "error") return "cs-kind-error";
  if (n.kind !== "module") return `cs-kind-${n.kind}`;
  const category = layerCategory(n.type);
  return category ? CATEGORY_CLASS[category] : "cs-kind-other";
}

export interface Box {
  lines: { text: string; cls: string }[];
  width: number;
  height: number;
  shape: "rect" | "pill" | "circle";
}

function boxOf(v: VisibleNode): Box {
  if (v.module) {
    const m = v.module;
    const lines = [
      { text: `▸ ${m.path}`, cls: "cs-t-title" },
      { text: `${m.type} · ${m.members} nodes`, cls: "cs-t-sub" },
      { text: `${formatMetric(m.params)} params · ${formatMetric(m.macs)} MACs`, cls: "cs-t-sub" },
    ];
    return fit2(lines, "rect");
  }
  const n = v.node!;
  if (n.kind === "op" && OP_SYMBOL[n.type]) return { lines: [{ text: OP_SYMBOL[n.type]!, cls: "cs-t-op" }], width: 30, height: 30, shape: "circle" };
  if (n.kind === "error")
    return fit2([{ text: `✖ ${n.label}`, cls: "cs-t-title" }, ...wrap(n.description, 46).map((t) => ({ text: t, cls: "cs-t-sub" }))], "rect");
  if (n.kind === "op") return fit2([{ text: n.type === "cat" ? "concat" : n.label, cls: "cs-t-title" }], "pill");
  if (n.kind === "input" || n.kind === "output")
    return fit2([{ text: n.kind === "input" ? `input ${shapeText(n.output)}` : "output", cls: "cs-t-title" }], "pill");
  const name = n.label.split(".").pop() ?? n.label;
  const lines = [{ text: `${name} · ${n.type}`, cls: "cs-t-title" }];
  if (n.params !== 0 || n.macs !== 0) lines.push({ text: `${formatMetric(n.params)} params · ${formatMetric(n.macs)} MACs`, cls: "cs-t-sub" });
  return fit2(lines, "rect");
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.slice(0, 4);
}

function fit2(lines: Box["lines"], shape: Box["shape"]): Box {
  const w = Math.max(...lines.map((l) => textWidth(l.text, font(l.cls === "cs-t-title" ? "600" : "normal"))));
  return { lines, width: Math.max(shape === "pill" ? 56 : 96, Math.ceil(w) + (shape === "pill" ? 24 : 18)), height: lines.length * LINE + 10, shape };
}

export const headerText = (c: Cluster): string => `▾ ${c.module.path} · ${c.module.type}`;

/** The dagre layout of the visible graph (the boxes measured), and its size. */
export function layoutOf(vis: Visible): { dg: Graph<GraphLabel, NodeLabel, EdgeLabel>; boxes: Map<string, Box>; size: { width: number; height: number } } {
  const dg = new Graph<GraphLabel, NodeLabel, EdgeLabel>({ compound: true, multigraph: false });
  dg.setGraph({ rankdir: "TB", nodesep: 22, ranksep: 22, edgesep: 12, marginx: 24, marginy: 24 });
  dg.setDefaultEdgeLabel(() => ({}));
  const boxes = new Map<string, Box>();
  for (const c of vis.clusters) dg.setNode(c.key, { width: 0, height: 0 });
  for (const c of vis.clusters) if (c.parent) dg.setParent(c.key, c.parent);
  // Each cluster's title is a node of its own at the cluster's top, so that edges and nodes make room for it.
  for (const c of vis.clusters) {
    dg.setNode(`h:${c.key}`, { width: Math.ceil(textWidth(headerText(c), font("600"))) + 14, height: 18 });
    dg.setParent(`h:${c.key}`, c.key);
  }
  for (const v of vis.nodes) {
    const b = boxOf(v);
    boxes.set(v.key, b);
    dg.setNode(v.key, { width: b.width, height: b.height });
    if (v.parent) dg.setParent(v.key, v.parent);
  }
  const labelFont = font();
  for (const e of vis.edges) {
    const text = shapeText(e.shape);
    dg.setEdge(e.from, e.to, { width: Math.ceil(textWidth(text, labelFont)) + 8, height: 14, labelpos: "c", minlen: 1, weight: e.skip ? 1 : 4 });
  }
  // invisible edges from a cluster's title to its entries (members fed from outside it) keep the title on top
  const parentOf = new Map<string, string | null>([
    ...vis.nodes.map((v) => [v.key, v.parent] as const),
    ...vis.clusters.map((c) => [c.key, c.parent] as const),
  ]);
  const memberIn = (key: string, cluster: string): string | null => {
    let k = key;
    for (let p = parentOf.get(k) ?? null; p; k = p, p = parentOf.get(p) ?? null)
      if (p === cluster) return k.startsWith("m:") && vis.clusters.some((c) => c.key === k) ? `h:${k}` : k;
    return null;
  };
  const entries = new Map<string, Set<string>>();
  for (const e of vis.edges) {
    for (let c = parentOf.get(e.to) ?? null; c; c = parentOf.get(c) ?? null) {
      if (memberIn(e.from, c) !== null) break;
      const m = memberIn(e.to, c);
      if (m) {
        (entries.get(c) ?? entries.set(c, new Set()).get(c)!).add(m);
        // and after what feeds it, so the title sits between them
        if (!dg.hasEdge(e.from, `h:${c}`)) dg.setEdge(e.from, `h:${c}`, { width: 0, height: 0, minlen: 1, weight: 0 });
      }
    }
  }
  for (const c of vis.clusters) {
    const list = entries.get(c.key);
    const first = vis.nodes.find((v) => v.parent === c.key)?.key ?? vis.clusters.find((x) => x.parent === c.key)?.key;
    const targets = list && list.size ? [...list] : first ? [first.startsWith("m:") && vis.clusters.some((x) => x.key === first) ? `h:${first}` : first] : [];
    for (const t of targets) dg.setEdge(`h:${c.key}`, t, { width: 0, height: 0, minlen: 1, weight: 2 });
  }
  layout(dg);
  const gl = dg.graph();
  return { dg, boxes, size: { width: Math.ceil(gl.width ?? 400), height: Math.ceil(gl.height ?? 300) } };
}

/** How far (px) an edge may stray sideways beyond its two ends before it is routed straight. */
const STRAY = 120;

/**
 * Issue 19: dagre routes some long edges of compound graphs (a ViT's class token and position
 * embedding, passed into the encoder) through dummy nodes at the far side of the layout, so that
 * they swing out to its edge and back. Such an edge keeps its ends and its vertical course, with
 * its bends pulled back to within STRAY px of the span between its ends.
 */
export function tamed(pts: readonly { x: number; y: number }[], from: NodeLabel | undefined, to: NodeLabel | undefined): { x: number; y: number }[] {
  if (pts.length < 3 || from?.x === undefined || to?.x === undefined) return [...pts];
  const lo = Math.min(from.x, to.x) - STRAY;
  const hi = Math.max(from.x, to.x) + STRAY;
  if (pts.every((p) => p.x >= lo && p.x <= hi)) return [...pts];
  return pts.map((p, i) => (i === 0 || i === pts.length - 1 ? p : { x: Math.max(lo, Math.min(hi, p.x)), y: p.y }));
}

export function curve(pts: { x: number; y: number }[]): string {
  let d = `M${pts[0]!.x.toFixed(1)},${pts[0]!.y.toFixed(1)}`;
  for (let i = 1; i < pts.length - 1; i++) {
    const p = pts[i]!;
    const q = pts[i + 1]!;
    d += ` Q${p.x.toFixed(1)},${p.y.toFixed(1)} ${((p.x + q.x) / 2).toFixed(1)},${((p.y + q.y) / 2).toFixed(1)}`;
  }
  const last = pts[pts.length - 1]!;
  return `${d} L${last.x.toFixed(1)},${last.y.toFixed(1)}`;
}
