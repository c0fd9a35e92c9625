import "../common/base.css";
import "./style.css";
import { isWholeInput, type Dim, type Location } from "../../src/shared/analysis";
import { formatCount, formatMetric, WHOLE_INPUT_TEXT } from "../../src/shared/format";
import {
  validateGraphToHost,
  validateGraphToWebview,
  type GraphSnapshot,
  type GraphToHost,
  type GraphToWebview,
  type GraphView,
} from "../../src/shared/webview/graph";
import { appRoot, clear, h, liveRegion, notice, s } from "../common/dom";
import { button, field, select, setChoices } from "../common/elements";
import { onThemeChange } from "../common/theme";
import { connect, sendReady } from "../common/vscode";
import { collapseLevels, containers, visibleGraph, type Visible, type VisibleNode } from "../../src/shared/webview/graphLayout";
import { curve, headerText, kindClass, layoutOf, LINE, shapeText, tamed } from "./layout";

/**
 * The model graph: the analysed data flow as a DAG laid out with dagre. Modules are clusters that
 * collapse to one node (with their totals); shapes label the edges; skip connections are dashed
 * and coloured, concatenation inputs coloured; parameters and MACs on the nodes; nodes with
 * diagnostics outlined in the error colour. Click (or Enter) opens the source; Space collapses or
 * expands; arrow keys walk the graph.
 */

interface State {
  /** Collapsed module paths per model (null: never chosen, use the default). */
  collapsed: Record<string, string[]>;
  /** The zoom the user chose (null: none yet, each model's first view fits it; see initialView). */
  zoom: number | null;
}

const channel = connect<GraphToWebview, GraphToHost, State>({
  validateIn: validateGraphToWebview,
  validateOut: validateGraphToHost,
  onMessage,
  restoreState: (saved) => {
    const st = (saved ?? {}) as Partial<State>;
    const collapsed: Record<string, string[]> = {};
    if (st.collapsed && typeof st.collapsed === "object")
      for (const [k, v] of Object.entries(st.collapsed)) if (Array.isArray(v)) collapsed[k] = v.filter((x): x is string => typeof x === "string");
    return { collapsed, zoom: typeof st.zoom === "number" && st.zoom > 0.05 && st.zoom < 8 ? st.zoom : null };
  },
});
const state = channel.state;

let snap: GraphSnapshot | null = null;
let visible: Visible | null = null;
let focusKey: string | null = null;
/** Focusable things in reading order: node keys and cluster header keys ("h:" + cluster key). */
let order: string[] = [];
let size = { width: 0, height: 0 };
/** The zoom drawn: the user's, or the first view's. */
let zoom = state.zoom ?? 1;
/** The model (file and name) last drawn: a new one gets a first view, a re-analysis keeps the view. */
let shownModel = "";

// ---- layout ------------------------------------------------------------------------------------

const root = appRoot();
const live = liveRegion();
const subtitle = h("span", { class: "cs-muted" });
const modelSel = select("Model", [], "", (v) => channel.post({ type: "selectModel", model: v }));
const totals = h("span", { class: "cs-muted" });
const diagList = h("div", { class: "cs-diagnostics" });
const notices = h("div");
const viewport = h("div", { class: "cs-viewport", attrs: { role: "application", "aria-roledescription": "model graph", "aria-label": "Model graph" } });
const details = h("aside", { class: "cs-details", attrs: { "aria-label": "Node details", "aria-live": "polite" } });
const zoomLabel = h("span", { class: "cs-muted cs-mono", text: "100%" });

root.append(
  h("div", { class: "cs-header" }, h("h1", { text: "Model graph" }), subtitle, totals),
  h(
    "div",
    { class: "cs-toolbar", attrs: { role: "toolbar", "aria-label": "Graph options" } },
    field("Model", modelSel, { class: "cs-model-field" }),
    button("Expand all", () => setCollapsed([]), { secondary: true, label: "Expand all modules" }),
    button("Collapse all", () => setCollapsed(topContainers()), { secondary: true, label: "Collapse all modules" }),
    button("−", () => zoomBy(1 / 1.25), { secondary: true, label: "Zoom out (minus key)" }),
    zoomLabel,
    button("+", () => zoomBy(1.25), { secondary: true, label: "Zoom in (plus key)" }),
    button("Fit", () => fit(), { secondary: true, label: "Fit the whole model (0 key)" }),
    h("span", { class: "cs-kbd-hint", text: "Arrows: walk · Enter: source · Space: collapse/expand" }),
  ),
  notices,
  diagList,
  h("div", { class: "cs-graph-layout" }, viewport, details),
  h(
    "div",
    { class: "cs-legend", attrs: { "aria-label": "Legend" } },
    legendItem("cs-edge", "data flow (shape on the edge)"),
    legendItem("cs-edge cs-edge-skip", "skip connection"),
    legendItem("cs-edge cs-edge-concat", "concatenation input"),
  ),
  live,
);

function legendItem(cls: string, text: string): HTMLElement {
  const svg = s("svg", { width: 28, height: 10, "aria-hidden": "true" }, s("line", { x1: 0, y1: 5, x2: 28, y2: 5, class: cls }));
  return h("span", { class: "cs-legend-item" }, svg as unknown as Node, text);
}

// ---- messages ----------------------------------------------------------------------------------

function onMessage(m: GraphToWebview): void {
  snap = m;
  channel.save({ restore: { model: m.model, runs: null } });
  subtitle.textContent = `${m.model.model} · ${m.model.file.split(/[\\/]/).pop()}`;
  setChoices(
    modelSel,
    m.models.map((x) => ({ value: x, label: x })),
    m.model.model,
  );
  modelSel.closest(".cs-model-field")?.classList.toggle("cs-hidden", m.models.length < 2);
  clear(notices);
  if (m.message) notices.append(notice(m.graph ? "warning" : "info", m.message));
  renderDiagnostics();
  if (!m.graph) {
    clear(viewport);
    totals.textContent = "";
    return;
  }
  const g = m.graph;
  clear(details);
  details.append(
    h("h2", { text: g.name }),
    h(
      "dl",
      { class: "cs-stats" },
      ...[
        ["inputs", g.inputs.map((x) => `[${x.join(", ")}]`).join(" ")],
        [
          "output",
          g.output === null
            ? "– (stopped at an error)"
            : !Array.isArray(g.output)
              ? Object.entries(g.output)
                  .map(([k, x]) => `${k}: [${x.join(", ")}]`)
                  .join(" ")
              : Array.isArray(g.output[0])
                ? (g.output as Dim[][]).map((x) => `[${x.join(", ")}]`).join(" ")
                : `[${(g.output as Dim[]).join(", ")}]`,
        ],
        ["params", formatCount(g.params)],
        ["MACs", formatCount(g.macs)],
      ].map(([k, v]) => h("div", {}, h("dt", { text: k! }), h("dd", { text: v! }))),
    ),
    h("p", { class: "cs-muted", text: "Hover or focus a node for its details." }),
  );
  // partial totals are said to be partial (the analysis stopped at an error)
  const atLeast = g.complete ? "" : "at least ";
  totals.textContent = `${atLeast}${formatMetric(g.params)} params · ${atLeast}${formatMetric(g.macs)} MACs · ${g.nodes.length} nodes${g.complete ? "" : " (incomplete)"}`;
  render();
}

function renderDiagnostics(): void {
  clear(diagList);
  const d = snap?.diagnostics ?? [];
  if (d.length === 0) return;
  const list = h("ul", { class: "cs-diag-list", attrs: { "aria-label": "Problems" } });
  for (const x of d.slice(0, 20)) {
    const link = h("a", { text: `${x.message}`, attrs: { href: "#", title: "Show in the editor" } });
    link.addEventListener("click", (e) => {
      e.preventDefault();
      openSource(x.location);
    });
    list.append(
      h(
        "li",
        { class: `cs-diag cs-diag-${x.severity}` },
        h("span", { class: "cs-diag-sev", text: x.severity }),
        link,
        h("span", { class: "cs-muted", text: ` line ${x.location.range.start.line + 1}` }),
      ),
    );
  }
  diagList.append(list);
}

/** Issue 19: below this zoom a node's 12 px text is too small to read. */
const READABLE = 0.6;
/** The collapse level each model's first view chose, by file and model (while the user chose none). */
const firstLevel = new Map<string, string[]>();

function collapsedSet(): Set<string> {
  const name = snap?.model.model ?? "";
  const saved = state.collapsed[name];
  if (saved) return new Set(saved);
  const g = snap?.graph;
  if (!g) return new Set();
  const key = `${snap?.model.file ?? ""}#${name}`;
  const chosen = firstLevel.get(key) ?? readableLevel(g);
  if (viewport.clientWidth > 0) firstLevel.set(key, chosen);
  return new Set(chosen);
}

/**
 * Issue 19: the finest collapse level at which the whole model fits the view readably (input and
 * output in sight), else the coarsest offered (collapseLevels keeps a model more than a few boxes).
 */
function readableLevel(g: GraphView): string[] {
  const levels = collapseLevels(g);
  if (viewport.clientWidth === 0 || viewport.clientHeight === 0) return levels[0] ?? [];
  for (const level of levels) {
    const f = fitZoom(layoutOf(visibleGraph(g, new Set(level))).size);
    if (f !== null && f >= READABLE) return level;
  }
  return levels[levels.length - 1] ?? [];
}

function setCollapsed(paths: string[]): void {
  const name = snap?.model.model ?? "";
  channel.save({ collapsed: { ...state.collapsed, [name]: paths } });
  render();
}

function topContainers(): string[] {
  return snap?.graph ? [...containers(snap.graph).keys()].filter((p) => !p.includes(".")) : [];
}

function toggle(path: string): void {
  const c = collapsedSet();
  if (c.has(path)) c.delete(path);
  else {
    c.add(path);
    // collapsing a module forgets what was collapsed inside it
    for (const p of [...c]) if (p !== path && p.startsWith(path + ".")) c.delete(p);
  }
  setCollapsed([...c]);
  live.textContent = `${path} ${c.has(path) ? "collapsed" : "expanded"}`;
}

function openSource(location: Location | null): void {
  if (location) channel.post({ type: "openSource", location });
}

function render(): void {
  const g = snap?.graph;
  if (!g) return;
  const t0 = performance.now();
  const vis = visibleGraph(g, collapsedSet());
  visible = vis;
  const laid = layoutOf(vis);
  const { dg, boxes } = laid;
  size = laid.size;

  const svg = s("svg", {
    class: "cs-graph",
    viewBox: `0 0 ${size.width} ${size.height}`,
    role: "group",
    "aria-label": `${g.name}: ${visible.nodes.length} nodes`,
  });
  svg.append(
    s(
      "defs",
      {},
      ...["plain", "skip", "concat"].map((k) =>
        s(
          "marker",
          { id: `cs-arrow-${k}`, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
          s("path", { d: "M 0 0 L 10 5 L 0 10 z", class: `cs-arrow cs-arrow-${k}` }),
        ),
      ),
    ),
  );
  // clusters, outermost first
  const clusterLayer = s("g", { class: "cs-clusters" });
  const headers = new Map<string, SVGGElement>();
  for (const c of visible.clusters) {
    const n = dg.node(c.key);
    if (!n || n.x === undefined || n.y === undefined) continue;
    const x = n.x - n.width / 2;
    const y = n.y - n.height / 2;
    const label = headerText(c);
    const hn = dg.node(`h:${c.key}`);
    const hw = hn?.width ?? 100;
    const hx = (hn?.x ?? n.x) - hw / 2;
    const hy = (hn?.y ?? y + 9) - 9;
    const header = s("g", {
      class: "cs-cluster-header",
      tabindex: -1,
      role: "button",
      "aria-expanded": "true",
      "aria-label": `${c.module.path} (${c.module.type}), expanded: Space collapses`,
      "data-key": `h:${c.key}`,
    });
    header.append(
      s("rect", { x: hx, y: hy, width: hw, height: 18, rx: 3, class: "cs-cluster-tab" }),
      s("text", { x: hx + 7, y: hy + 13, class: "cs-t-cluster" }, label),
    );
    header.addEventListener("click", () => toggle(c.module.path));
    headers.set(`h:${c.key}`, header);
    clusterLayer.append(s("rect", { x, y, width: n.width, height: n.height, rx: 6, class: "cs-cluster", "data-module": c.module.path }), header);
  }
  svg.append(clusterLayer);
  // edges
  const edgeLayer = s("g", { class: "cs-edges" });
  const labelLayer = s("g", { class: "cs-edge-labels" });
  for (const e of visible.edges) {
    const d = dg.edge(e.from, e.to);
    const pts = tamed(d?.points ?? [], dg.node(e.from), dg.node(e.to));
    if (pts.length < 2) continue;
    const kind = e.skip ? "skip" : e.concat ? "concat" : "plain";
    edgeLayer.append(
      s("path", {
        d: curve(pts),
        class: `cs-edge${e.skip ? " cs-edge-skip" : ""}${e.concat ? " cs-edge-concat" : ""}`,
        "marker-end": `url(#cs-arrow-${kind})`,
        "data-from": e.from,
        "data-to": e.to,
      }),
    );
    if (d && d.x !== undefined && d.y !== undefined) {
      const text = shapeText(e.shape);
      labelLayer.append(s("text", { x: d.x, y: d.y + 4, "text-anchor": "middle", class: "cs-edge-label" }, text));
    }
  }
  svg.append(edgeLayer, labelLayer);
  // nodes
  const nodeLayer = s("g", { class: "cs-nodes" });
  const nodeEls = new Map<string, SVGGElement>();
  for (const v of visible.nodes) {
    const n = dg.node(v.key);
    const b = boxes.get(v.key)!;
    if (!n || n.x === undefined || n.y === undefined) continue;
    const x = n.x - b.width / 2;
    const y = n.y - b.height / 2;
    const errors = v.module ? v.module.errors : (v.node?.diagnostics.length ?? 0);
    const cls = [
      "cs-node",
      v.module ? "cs-node-collapsed" : `cs-node-${v.node!.kind}`,
      v.node ? kindClass(v.node) : "cs-kind-module",
      errors ? "cs-node-error" : "",
    ]
      .filter(Boolean)
      .join(" ");
    const el = s("g", {
      class: cls,
      transform: `translate(${x.toFixed(1)},${y.toFixed(1)})`,
      tabindex: -1,
      role: "button",
      "data-key": v.key,
      "aria-label": nodeLabel(v),
    });
    if (v.module) el.setAttribute("aria-expanded", "false");
    if (b.shape === "circle") el.append(s("circle", { cx: b.width / 2, cy: b.height / 2, r: b.width / 2, class: "cs-node-box" }));
    else {
      el.append(s("rect", { width: b.width, height: b.height, rx: b.shape === "pill" ? b.height / 2 : 4, class: "cs-node-box" }));
      if (b.shape === "rect") el.append(s("rect", { width: 4, height: b.height, rx: 2, class: "cs-node-accent" }));
    }
    b.lines.forEach((l, i) => {
      el.append(
        s(
          "text",
          { x: b.shape === "rect" ? 11 : b.width / 2, y: 5 + LINE * (i + 1) - 4, class: l.cls, "text-anchor": b.shape === "rect" ? "start" : "middle" },
          l.text,
        ),
      );
    });
    if (errors) el.append(s("text", { x: b.width - 4, y: 13, "text-anchor": "end", class: "cs-t-error" }, "⚠"));
    el.append(s("title", {}, nodeLabel(v)));
    el.addEventListener("click", () => {
      setFocus(v.key, false);
      if (v.module) toggle(v.module.path);
      else openSource(v.node!.location);
    });
    el.addEventListener("mouseenter", () => showDetails(v));
    nodeEls.set(v.key, el);
    nodeLayer.append(el);
  }
  svg.append(nodeLayer);

  // reading order for the keyboard: top to bottom, left to right
  const pos = (key: string): [number, number] => {
    if (key.startsWith("h:")) {
      const n = dg.node(key);
      return [(n?.y ?? 0) - 0.5, n?.x ?? 0];
    }
    const n = dg.node(key);
    return [n?.y ?? 0, n?.x ?? 0];
  };
  order = [...nodeEls.keys(), ...headers.keys()].sort((a, b) => {
    const [ya, xa] = pos(a);
    const [yb, xb] = pos(b);
    return ya - yb || xa - xb;
  });
  clear(viewport);
  viewport.append(svg);
  const model = `${snap?.model.file ?? ""}#${g.name}`;
  if (model !== shownModel) {
    shownModel = model;
    initialView();
  } else applyZoom();
  if (!focusKey || !order.includes(focusKey)) focusKey = order[0] ?? null;
  for (const k of order) elementOf(k)?.setAttribute("tabindex", k === focusKey ? "0" : "-1");
  performance.measure("cnnStudio:graph:render", { start: t0, end: performance.now() });
  document.body.dataset["painted"] = String(Number(document.body.dataset["painted"] ?? 0) + 1);
}

function nodeLabel(v: VisibleNode): string {
  if (v.module) {
    const m = v.module;
    return `${m.path} (${m.type}), collapsed: ${m.members} nodes, ${formatMetric(m.params)} parameters, ${formatMetric(m.macs)} MACs${m.errors ? `, ${m.errors} problems inside` : ""}. Space expands.`;
  }
  const n = v.node!;
  const diags = (snap?.diagnostics ?? []).filter((_, i) => n.diagnostics.includes(i)).map((d) => `${d.severity}: ${d.message}`);
  return `${n.label} (${n.type}), output ${shapeText(n.output)}${n.params ? `, ${formatMetric(n.params)} parameters` : ""}${n.macs ? `, ${formatMetric(n.macs)} MACs` : ""}${diags.length ? `. ${diags.join(". ")}` : ""}${n.location ? ". Enter shows the source." : ""}`;
}

function showDetails(v: VisibleNode): void {
  clear(details);
  const row = (k: string, val: string) => h("div", {}, h("dt", { text: k }), h("dd", { text: val }));
  if (v.module) {
    const m = v.module;
    details.append(
      h("h2", { text: m.path }),
      h(
        "dl",
        { class: "cs-stats" },
        row("type", m.type),
        row("nodes", String(m.members)),
        row("params", formatCount(m.params)),
        row("MACs", formatCount(m.macs)),
      ),
    );
    return;
  }
  const n = v.node!;
  const rf = n.receptiveField;
  details.append(
    h("h2", { text: n.label }),
    h("p", { class: "cs-mono cs-desc", text: n.description }),
    h(
      "dl",
      { class: "cs-stats" },
      row("output", `[${n.output.join(", ")}]`),
      row("params", formatCount(n.params)),
      row("MACs", formatCount(n.macs)),
      ...(rf ? [row("receptive field", isWholeInput(rf) ? WHOLE_INPUT_TEXT : `${rf.size[0]}×${rf.size[1]} (stride ${rf.jump[0]})`)] : []),
      ...(n.location ? [row("source", `${n.location.file.split(/[\\/]/).pop()}:${n.location.range.start.line + 1}`)] : []),
    ),
  );
  const diags = (snap?.diagnostics ?? []).filter((_, i) => n.diagnostics.includes(i));
  for (const d of diags) details.append(h("p", { class: `cs-diag-${d.severity}`, text: `${d.severity}: ${d.message}` }));
}

function elementOf(key: string): SVGGElement | null {
  return viewport.querySelector<SVGGElement>(`[data-key="${CSS.escape(key)}"]`);
}

function setFocus(key: string, move = true): void {
  const prev = focusKey ? elementOf(focusKey) : null;
  prev?.setAttribute("tabindex", "-1");
  focusKey = key;
  const el = elementOf(key);
  if (!el) return;
  el.setAttribute("tabindex", "0");
  if (move) el.focus({ preventScroll: true });
  scrollIntoView(el);
  const v = visible?.nodes.find((n) => n.key === key);
  if (v) showDetails(v);
}

function scrollIntoView(el: SVGGElement): void {
  const r = el.getBoundingClientRect();
  const vr = viewport.getBoundingClientRect();
  if (r.top < vr.top + 20 || r.bottom > vr.bottom - 20) viewport.scrollTop += r.top - vr.top - vr.height / 3;
  if (r.left < vr.left + 20 || r.right > vr.right - 20) viewport.scrollLeft += r.left - vr.left - vr.width / 3;
}

viewport.addEventListener("keydown", (e) => {
  if (!focusKey || order.length === 0) return;
  const i = order.indexOf(focusKey);
  const key = focusKey;
  switch (e.key) {
    case "ArrowDown":
    case "ArrowRight":
      if (i < order.length - 1) setFocus(order[i + 1]!);
      break;
    case "ArrowUp":
    case "ArrowLeft":
      if (i > 0) setFocus(order[i - 1]!);
      break;
    case "Home":
      setFocus(order[0]!);
      break;
    case "End":
      setFocus(order[order.length - 1]!);
      break;
    case "Enter": {
      const v = visible?.nodes.find((n) => n.key === key);
      if (v?.node) openSource(v.node.location);
      else if (v?.module) openSource(v.module.definedAt);
      break;
    }
    case " ": {
      const path = key.startsWith("h:m:") ? key.slice(4) : key.startsWith("m:") ? key.slice(2) : null;
      if (path) {
        toggle(path);
        const next = key.startsWith("h:") ? key.slice(2) : `h:${key}`;
        requestAnimationFrame(() => setFocus(order.includes(next) ? next : (order[0] ?? next)));
      }
      break;
    }
    case "+":
    case "=":
      zoomBy(1.25);
      break;
    case "-":
      zoomBy(1 / 1.25);
      break;
    case "0":
      fit();
      break;
    default:
      return;
  }
  e.preventDefault();
});

viewport.addEventListener("focusin", (e) => {
  const key = (e.target as Element).getAttribute?.("data-key");
  if (key && key !== focusKey) setFocus(key, false);
});

viewport.addEventListener(
  "wheel",
  (e) => {
    if (!e.ctrlKey) return;
    e.preventDefault();
    zoomBy(e.deltaY < 0 ? 1.1 : 1 / 1.1);
  },
  { passive: false },
);

// drag to pan
let drag: { x: number; y: number; left: number; top: number } | null = null;
viewport.addEventListener("pointerdown", (e) => {
  if ((e.target as Element).closest(".cs-node, .cs-cluster-header")) return;
  drag = { x: e.clientX, y: e.clientY, left: viewport.scrollLeft, top: viewport.scrollTop };
  viewport.setPointerCapture(e.pointerId);
  viewport.classList.add("cs-dragging");
});
viewport.addEventListener("pointermove", (e) => {
  if (!drag) return;
  viewport.scrollLeft = drag.left - (e.clientX - drag.x);
  viewport.scrollTop = drag.top - (e.clientY - drag.y);
});
viewport.addEventListener("pointerup", () => {
  drag = null;
  viewport.classList.remove("cs-dragging");
});

function applyZoom(): void {
  const svg = viewport.querySelector("svg");
  if (!svg) return;
  svg.setAttribute("width", String(Math.round(size.width * zoom)));
  svg.setAttribute("height", String(Math.round(size.height * zoom)));
  zoomLabel.textContent = `${Math.round(zoom * 100)}%`;
}

function setZoom(z: number): void {
  zoom = z;
  channel.save({ zoom: z });
  applyZoom();
}

function zoomBy(f: number): void {
  setZoom(Math.max(0.1, Math.min(4, zoom * f)));
}

/** Issue 19: the zoom at which a layout of `sz` fits the viewport, both ways (null before layout). */
function fitZoom(sz = size): number | null {
  const w = viewport.clientWidth - 8;
  const hh = viewport.clientHeight - 8;
  return sz.width > 0 && sz.height > 0 && w > 0 && hh > 0 ? Math.min(w / sz.width, hh / sz.height) : null;
}

/** Fit was pressed: the whole model stays fitted (both ways, however small) as the view changes size. */
let fitWhole = false;

/** Fits the whole model (both dimensions), centred; it stays fitted as the view changes size. */
function fit(): void {
  const f = fitZoom();
  if (f === null) return;
  zoom = Math.max(0.05, Math.min(1.5, f));
  fitWhole = true;
  state.zoom = null;
  channel.save({ zoom: null });
  applyZoom();
  centre();
}

/** Scrolls so that the middle of the layout is in the middle of the view. */
function centre(): void {
  viewport.scrollLeft = Math.max(0, (size.width * zoom - viewport.clientWidth) / 2);
  viewport.scrollTop = Math.max(0, (size.height * zoom - viewport.clientHeight) / 2);
}

/**
 * Issue 19: a model's first view shows it readably: the whole layout fitted to the view (never
 * enlarged, never below READABLE; collapsedSet picked a collapse level that allows it), centred.
 * A layout too big even so is shown at READABLE with its input at the top, the rest a scroll away.
 * A zoom the user chose before is kept, with the layout centred at it.
 */
function initialView(): void {
  fitWhole = false;
  if (state.zoom !== null) {
    zoom = state.zoom;
    applyZoom();
    centre();
  } else readableView();
}

function readableView(): void {
  const f = fitZoom();
  if (f === null || f >= READABLE) {
    zoom = f === null ? 1 : Math.min(1, f);
    applyZoom();
    centre();
    return;
  }
  zoom = READABLE;
  applyZoom();
  viewport.scrollTop = 0;
  const input = viewport.querySelector(".cs-node-input");
  if (!input) return centre();
  const r = input.getBoundingClientRect();
  const vr = viewport.getBoundingClientRect();
  viewport.scrollLeft += r.left + r.width / 2 - (vr.left + vr.width / 2);
}

// Issue 19: when the view changes size (a panel un-maximised, a split), the point in the middle of
// the view stays in the middle; a model shown at its fitted zoom is fitted again.
let viewSize = { width: 0, height: 0 };
let viewCentre: { x: number; y: number } | null = null;
const rememberCentre = (): void => {
  viewCentre = { x: (viewport.scrollLeft + viewport.clientWidth / 2) / zoom, y: (viewport.scrollTop + viewport.clientHeight / 2) / zoom };
};
viewport.addEventListener("scroll", rememberCentre, { passive: true });
new ResizeObserver(() => {
  const next = { width: viewport.clientWidth, height: viewport.clientHeight };
  if (next.width === viewSize.width && next.height === viewSize.height) return;
  const first = viewSize.width === 0;
  viewSize = next;
  if (first || size.width === 0) return;
  if (state.zoom === null) {
    if (!fitWhole) return readableView();
    const f = fitZoom();
    if (f !== null) {
      zoom = Math.max(0.05, Math.min(1.5, f));
      applyZoom();
      centre();
      return;
    }
  }
  if (viewCentre) {
    viewport.scrollLeft = Math.max(0, viewCentre.x * zoom - viewport.clientWidth / 2);
    viewport.scrollTop = Math.max(0, viewCentre.y * zoom - viewport.clientHeight / 2);
  }
}).observe(viewport);

onThemeChange(() => render());

sendReady();
