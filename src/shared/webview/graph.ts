/**
 * Messages of the model-graph panel (`webview/graph`), and `graphViewOf`, which turns a model's
 * analysis into what the panel draws (pure; used by the host and by the tests).
 */
import { sumCounts, type Count } from "../count";
import type { AttrValue, Diagnostic, Dim, GraphNode, Location, ModelAnalysis, ReceptiveField, Severity } from "../analysis";
import { logMessage, modelRef, readyMessage, receptiveField, type CommonToHost, type ModelRef } from "./common";
import { anyOf, arr, Invalid, bool, count, int, literal, nat, nullable, num, obj, oneOf, str, tagged, type V } from "../validate";

export interface GraphNodeView {
  id: number;
  /** `error`: where the analysis stopped (the failing call; its diagnostic is linked). */
  kind: GraphNode["kind"] | "error";
  /** Module path for module calls, the operation for ops. */
  label: string;
  type: string;
  inputs: number[];
  output: Dim[];
  /**
   * The module whose `forward` computes the node (the parent of a module call; for operations the
   * innermost module around them, inferred from their neighbours); "" is the model itself.
   * Collapsing a module hides every node it owns, directly or through submodules.
   */
  owner: string;
  params: Count;
  macs: Count;
  /** `Conv2d(3, 64, kernel_size=(7, 7), ...)` for module calls, the attributes for ops. */
  description: string;
  receptiveField: ReceptiveField | null;
  /** Where the node is computed (the call), else where its module is constructed. */
  location: Location | null;
  /** Indices into the snapshot's `diagnostics` that point at this node. */
  diagnostics: number[];
}

export interface GraphModuleView {
  path: string;
  type: string;
  params: Count;
  macs: Count;
  definedAt: Location | null;
}

export interface GraphView {
  name: string;
  inputs: Dim[][];
  /** null when analysis stopped at an error (the graph is then partial). */
  output: Dim[] | Dim[][] | { [name: string]: Dim[] } | null;
  params: Count;
  macs: Count;
  /** False when the forward pass stopped at an error: params and MACs are then of the part analysed. */
  complete: boolean;
  nodes: GraphNodeView[];
  /** Every module but the root, in `named_modules` order. */
  modules: GraphModuleView[];
}

export interface DiagnosticView {
  severity: Severity;
  message: string;
  code: string;
  location: Location;
}

export interface GraphSnapshot {
  type: "snapshot";
  model: ModelRef;
  /** Every model of the document (to switch between them). */
  models: string[];
  /** null when the document has no model of that name (then `message` says why). */
  graph: GraphView | null;
  /** The document's diagnostics (errors first). */
  diagnostics: DiagnosticView[];
  message: string;
}

export type GraphToWebview = GraphSnapshot;

export type GraphToHost = CommonToHost | { type: "openSource"; location: Location } | { type: "selectModel"; model: string };

const position = obj({ line: nat, character: nat });
export const location: V<Location> = obj({ file: str, range: obj({ start: position, end: position }) });
const dim: V<Dim> = anyOf<Dim>(num(), str);
const shape: V<Dim[]> = arr(dim);

const nodeView: V<GraphNodeView> = obj({
  id: int,
  kind: oneOf(["input", "module", "op", "output", "param", "error"] as const),
  label: str,
  type: str,
  inputs: arr(int),
  output: shape,
  owner: str,
  params: count,
  macs: count,
  description: str,
  receptiveField: nullable(receptiveField),
  location: nullable(location),
  diagnostics: arr(nat),
});

/** `{ out: [N, 21, 520, 520], aux: ... }`: an object of shapes. */
const namedShapes: V<{ [name: string]: Dim[] }> = (v, at) => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Invalid(`${at} must be a shape, a list of shapes or an object of shapes`);
  const out: { [name: string]: Dim[] } = {};
  for (const [k, s] of Object.entries(v)) out[k] = shape(s, `${at}.${k}`);
  return out;
};

const graphView: V<GraphView> = obj({
  name: str,
  inputs: arr(shape),
  output: (v, at) =>
    v === null ? null : Array.isArray(v) && v.length > 0 && Array.isArray(v[0]) ? arr(shape)(v, at) : Array.isArray(v) ? shape(v, at) : namedShapes(v, at),
  params: count,
  macs: count,
  complete: bool,
  nodes: arr(nodeView),
  modules: arr(obj({ path: str, type: str, params: count, macs: count, definedAt: nullable(location) })),
});

const diagnosticView: V<DiagnosticView> = obj({ severity: oneOf(["error", "warning", "info"] as const), message: str, code: str, location });

export const validateGraphToWebview = tagged<GraphToWebview>("graph host→webview", {
  snapshot: obj({
    type: literal("snapshot"),
    model: modelRef,
    models: arr(str),
    graph: nullable(graphView),
    diagnostics: arr(diagnosticView),
    message: str,
  }),
});

export const validateGraphToHost = tagged<GraphToHost>("graph webview→host", {
  ready: readyMessage,
  log: logMessage,
  openSource: obj({ type: literal("openSource"), location }),
  selectModel: obj({ type: literal("selectModel"), model: str }),
});

// ---- building the view -------------------------------------------------------------------------

function parentOf(path: string): string {
  const i = path.lastIndexOf(".");
  return i < 0 ? "" : path.slice(0, i);
}

function prefixes(path: string): string[] {
  const out: string[] = [];
  for (let p = path; ; p = parentOf(p)) {
    out.push(p);
    if (p === "") return out;
  }
}

function within(path: string, module: string): boolean {
  return module === "" || path === module || path.startsWith(module + ".");
}

const PLAIN_CONTAINERS = new Set(["Sequential", "ModuleList", "ModuleDict"]);

function formatAttr(v: AttrValue): string {
  if (Array.isArray(v)) return v.length === 2 && v[0] === v[1] ? String(v[0]) : `(${v.join(", ")})`;
  return String(v);
}

function overlaps(a: Location, b: Location): boolean {
  if (a.file !== b.file) return false;
  const before = (p: { line: number; character: number }, q: { line: number; character: number }): boolean =>
    p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.range.end, b.range.start) && !before(b.range.end, a.range.start);
}

/**
 * What a further output of a module call (an `item` node: `const [y, w] = this.attn(q, k, v)`) is
 * called, by its PyTorch name: nn.MultiheadAttention's second output is its attention weights.
 */
function namedOutput(n: GraphNode, byId: ReadonlyMap<number, GraphNode>): { label: string; description: string } {
  const from = byId.get(n.inputs[0] ?? -1);
  const index = typeof n.attrs.index === "number" ? n.attrs.index : 1;
  if (from?.type === "MultiheadAttention" && index === 1) {
    const heads = from.attrs.averageAttnWeights === false ? "one map per head" : "averaged over the heads";
    return {
      label: "attn weights",
      description: `${from.label}'s attention weights (PyTorch's attn_output_weights): how much each query attends to each key, ${heads}`,
    };
  }
  return { label: `output ${index}`, description: `output ${index} of ${from?.label ?? "the call"}` };
}

/** The deepest module holding both paths. */
function commonModule(a: string, b: string): string {
  let p = a;
  while (!within(b, p)) p = parentOf(p);
  return p;
}

/** A module deeper than `owner`, inside it, that holds most of `groups` (or `owner`). */
function majorityWithin(groups: readonly string[], owner: string): string {
  if (groups.length < 2) return owner;
  const counts = new Map<string, number>();
  for (const g of groups) for (const p of prefixes(g)) counts.set(p, (counts.get(p) ?? 0) + 1);
  let best = owner;
  for (const [p, k] of counts) if (k * 2 > groups.length && p.length > best.length && within(p, owner)) best = p;
  return best;
}

/**
 * The module whose forward computes each operation (the cluster the graph draws it in), by node
 * id, the deeper of two readings where one holds the other:
 * - the common module of its consumers (looking through operations), widened until one of its
 *   inputs lies inside, or a deeper module holding most of its inputs (looking through
 *   operations: a block's closing concatenation, consumed by the next block);
 * - the deepest module holding one of its inputs and one of its consumers, where an operation that
 *   feeds it counts as its owner (a transformer block's residual `x.add(input)` between its
 *   attention and its MLP), or a deeper module holding most of those inputs (its closing add).
 * Never a container without a forward of its own (Sequential, ModuleList, ModuleDict).
 */
function opOwners(model: ModelAnalysis): Map<number, string> {
  const byId = new Map(model.graph.map((n) => [n.id, n]));
  const consumers = new Map<number, GraphNode[]>();
  for (const n of model.graph) {
    for (const i of n.inputs) {
      const list = consumers.get(i) ?? [];
      list.push(n);
      consumers.set(i, list);
    }
  }
  const typeOf = new Map(model.modules.map((m) => [m.path, m.type]));
  const owners = new Map<number, string>();
  // The module group a node sits in, looking through operations (bounded: graphs are DAGs).
  const groupOf = (n: GraphNode, dir: "up" | "down", depth = 0): string[] => {
    if (n.kind === "module") return [parentOf(n.label)];
    if (n.kind === "input" || n.kind === "output" || depth > 6) return [""];
    const next = dir === "up" ? n.inputs.map((i) => byId.get(i)).filter((x): x is GraphNode => !!x) : (consumers.get(n.id) ?? []);
    if (next.length === 0) return [""];
    return next.flatMap((m) => groupOf(m, dir, depth + 1));
  };
  const direct = (n: GraphNode): string => {
    if (n.kind === "module") return parentOf(n.label);
    if (n.kind === "param") return typeof n.attrs.module === "string" ? n.attrs.module : "";
    return n.kind === "op" ? ownerOf(n) : "";
  };
  const ownerOf = (n: GraphNode): string => {
    const known = owners.get(n.id);
    if (known !== undefined) return known;
    owners.set(n.id, ""); // (inputs come before their consumers: no cycle, but never loop)
    const inputs = n.inputs.map((i) => byId.get(i)).filter((x): x is GraphNode => !!x);
    const down = (consumers.get(n.id) ?? []).flatMap((c) => groupOf(c, "down"));
    const up = inputs.flatMap((m) => groupOf(m, "up"));
    let common = down.length > 0 ? down.reduce(commonModule) : (up[0] ?? "");
    while (up.length > 0 && !up.some((u) => within(u, common))) common = parentOf(common);
    const widened = majorityWithin(up, common);
    const near = inputs.map(direct);
    let paired = down.length === 0 ? (near[0] ?? "") : near.length === 0 ? common : "";
    for (const u of near) for (const d of down) if (commonModule(u, d).length > paired.length) paired = commonModule(u, d);
    paired = majorityWithin(near, paired);
    let owner = within(paired, widened) ? paired : widened;
    while (owner !== "" && PLAIN_CONTAINERS.has(typeOf.get(owner) ?? "")) owner = parentOf(owner);
    owners.set(n.id, owner);
    return owner;
  };
  for (const n of model.graph) if (n.kind === "op") ownerOf(n);
  return owners;
}

/** The panel's view of one model (`diagnostics` are the document's; those at a node are linked to it). */
export function graphViewOf(model: ModelAnalysis, diagnostics: readonly DiagnosticView[] = []): GraphView {
  const byId = new Map(model.graph.map((n) => [n.id, n]));
  const owners = opOwners(model);
  const ownerOf = (n: GraphNode): string => {
    if (n.kind === "module") return parentOf(n.label);
    if (n.kind === "param") return typeof n.attrs.module === "string" ? n.attrs.module : "";
    return n.kind === "op" ? (owners.get(n.id) ?? "") : "";
  };

  const nodes: GraphNodeView[] = model.graph.map((n) => {
    const layer = n.layer !== undefined ? model.layers[n.layer] : undefined;
    const location = n.location ?? layer?.calledAt ?? layer?.definedAt ?? null;
    const places = [n.location, layer?.calledAt, layer?.definedAt].filter((l): l is Location => !!l);
    const diags = diagnostics.flatMap((d, i) => (places.some((p) => overlaps(p, d.location)) ? [i] : []));
    const attrs = Object.entries(n.attrs).map(([k, v]) => `${k}=${formatAttr(v)}`);
    const named = n.type === "item" ? namedOutput(n, byId) : null;
    return {
      id: n.id,
      kind: n.kind,
      label: named?.label ?? n.label,
      type: n.type,
      inputs: [...n.inputs],
      output: [...n.output],
      owner: ownerOf(n),
      params: layer?.params ?? 0,
      macs: layer?.macs ?? 0,
      description: named?.description ?? layer?.description ?? (attrs.length ? `${n.type}(${attrs.join(", ")})` : n.type),
      receptiveField: n.receptiveField,
      location,
      diagnostics: diags,
    };
  });
  // Where analysis stopped at an error, the failing call is not in the graph: show it as a node
  // after the last one computed, carrying the first error that no node carries.
  if (model.output === null && nodes.length > 0) {
    const linked = new Set(nodes.flatMap((n) => n.diagnostics));
    const index = diagnostics.findIndex((d, i) => d.severity === "error" && !linked.has(i) && d.location.file === model.location.file);
    const d = diagnostics[index];
    if (d) {
      const last = nodes[nodes.length - 1]!;
      nodes.push({
        id: Math.max(...nodes.map((n) => n.id)) + 1,
        kind: "error",
        label: "analysis stopped",
        type: d.code,
        inputs: [last.id],
        output: [],
        owner: "",
        params: 0,
        macs: 0,
        description: d.message,
        receptiveField: null,
        location: d.location,
        diagnostics: [index],
      });
    }
  }
  const macsOf = (path: string): Count =>
    sumCounts(
      model.layers.filter((l) => within(l.path, path)),
      (l) => l.macs,
    );
  return {
    name: model.name,
    inputs: model.inputs.map((s) => [...s]),
    output: model.output,
    params: model.params,
    macs: model.macs,
    complete: model.complete,
    nodes,
    modules: model.modules
      .filter((m) => m.path !== "")
      .map((m) => ({ path: m.path, type: m.type, params: m.params, macs: macsOf(m.path), definedAt: m.definedAt })),
  };
}

export function diagnosticViews(diagnostics: readonly Diagnostic[]): DiagnosticView[] {
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return [...diagnostics]
    .sort((a, b) => rank[a.severity] - rank[b.severity])
    .map((d) => ({ severity: d.severity, message: d.message, code: d.code, location: d.location }));
}
