import type { Dim } from "../analysis";
import type { GraphModuleView, GraphNodeView, GraphView } from "./graph";

/**
 * What the graph panel draws for a set of collapsed modules: real nodes outside collapsed modules,
 * one node per collapsed module, the edges between them (deduplicated; skip connections and
 * concatenation inputs marked), and a cluster per expanded module. No DOM: tested in Node.
 */

export interface VisibleNode {
  key: string;
  /** The real node, or null for a collapsed module. */
  node: GraphNodeView | null;
  module: (GraphModuleView & { members: number; errors: number }) | null;
  /** The cluster (expanded module) it sits in, or null at the top level. */
  parent: string | null;
}

export interface VisibleEdge {
  from: string;
  to: string;
  shape: Dim[];
  /** A residual path: an input of add/mul/sub other than the first. */
  skip: boolean;
  /** An input of a concatenation. */
  concat: boolean;
}

export interface Cluster {
  key: string;
  module: GraphModuleView;
  parent: string | null;
}

export interface Visible {
  nodes: VisibleNode[];
  edges: VisibleEdge[];
  clusters: Cluster[];
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf(".");
  return i < 0 ? "" : path.slice(0, i);
}

export function within(path: string, module: string): boolean {
  return module === "" || path === module || path.startsWith(module + ".");
}

/** Ancestors of a path from the outermost down, the path itself last ("" excluded). */
function chain(path: string): string[] {
  if (path === "") return [];
  const parts = path.split(".");
  return parts.map((_, i) => parts.slice(0, i + 1).join("."));
}

export function depth(path: string): number {
  return path === "" ? 0 : path.split(".").length;
}

/** Modules that own nodes (directly or through submodules): the collapsible ones. */
export function containers(view: GraphView): Map<string, GraphModuleView> {
  const owners = new Set<string>();
  for (const n of view.nodes) for (const p of chain(n.owner)) owners.add(p);
  const out = new Map<string, GraphModuleView>();
  for (const m of view.modules) if (owners.has(m.path)) out.set(m.path, m);
  // modules the analysis did not list (should not happen) still group their nodes
  for (const p of owners) if (!out.has(p)) out.set(p, { path: p, type: "", params: 0, macs: 0, definedAt: null });
  return out;
}

const RESIDUAL = new Set(["add", "mul", "sub", "div"]);

export function visibleGraph(view: GraphView, collapsed: ReadonlySet<string>): Visible {
  const cont = containers(view);
  const isCollapsed = (p: string) => collapsed.has(p) && cont.has(p);
  const repOf = new Map<number, string>();
  const nodes: VisibleNode[] = [];
  const modNodes = new Map<string, VisibleNode>();
  const clusterOf = (path: string): string | null => {
    const c = chain(path).filter((p) => cont.has(p));
    return c.length ? `m:${c[c.length - 1]}` : null;
  };
  for (const n of view.nodes) {
    const top = chain(n.owner).find((p) => isCollapsed(p));
    if (top !== undefined) {
      const key = `m:${top}`;
      repOf.set(n.id, key);
      let v = modNodes.get(key);
      if (!v) {
        v = { key, node: null, module: { ...cont.get(top)!, members: 0, errors: 0 }, parent: clusterOf(parentOf(top)) };
        modNodes.set(key, v);
        nodes.push(v);
      }
      v.module!.members++;
      if (n.diagnostics.length) v.module!.errors += n.diagnostics.length;
      continue;
    }
    const key = `n:${n.id}`;
    repOf.set(n.id, key);
    nodes.push({ key, node: n, module: null, parent: clusterOf(n.owner) });
  }
  const byId = new Map(view.nodes.map((n) => [n.id, n]));
  const edges: VisibleEdge[] = [];
  const seen = new Map<string, VisibleEdge>();
  for (const n of view.nodes) {
    const to = repOf.get(n.id)!;
    n.inputs.forEach((i, k) => {
      const from = repOf.get(i);
      const src = byId.get(i);
      if (!from || !src || from === to) return;
      // only where the merge itself is drawn (inside a collapsed module it is not)
      const drawn = to === `n:${n.id}`;
      const skip = drawn && n.kind === "op" && RESIDUAL.has(n.type) && n.inputs.length > 1 && k > 0;
      const concat = drawn && n.kind === "op" && n.type === "cat";
      const id = `${from}→${to}`;
      const prev = seen.get(id);
      if (prev) {
        // the same two nodes joined by the main path and a skip: one plain edge
        prev.skip &&= skip;
        prev.concat ||= concat;
        return;
      }
      const e: VisibleEdge = { from, to, shape: src.output, skip, concat };
      seen.set(id, e);
      edges.push(e);
    });
  }
  // clusters: expanded containers with something visible inside
  const used = new Set<string>();
  for (const v of nodes) for (let c = v.parent; c; c = clusterOf(parentOf(c.slice(2)))) used.add(c);
  const clusters: Cluster[] = [...used].map((key) => ({ key, module: cont.get(key.slice(2))!, parent: clusterOf(parentOf(key.slice(2))) }));
  clusters.sort((a, b) => depth(a.module.path) - depth(b.module.path));
  return { nodes, edges, clusters };
}

/** Collapse every container at the finest depth that keeps the graph at most `limit` nodes. */
export function defaultCollapsed(view: GraphView, limit = 50): string[] {
  const cont = [...containers(view).keys()];
  const maxDepth = Math.max(0, ...cont.map(depth));
  for (let d = maxDepth + 1; d >= 1; d--) {
    const collapsed = cont.filter((p) => depth(p) === d);
    if (visibleGraph(view, new Set(collapsed)).nodes.length <= limit || d === 1) return collapsed;
  }
  return [];
}

/**
 * Issue 19: the collapse levels a first view may choose from, finest first: defaultCollapsed's,
 * then every container collapsed at each shallower depth, down to the top-level modules; a level
 * that leaves fewer than `minNodes` nodes (a model shown as two or three boxes) is not offered
 * unless it is the default's.
 */
export function collapseLevels(view: GraphView, limit = 50, minNodes = 8): string[][] {
  const first = defaultCollapsed(view, limit);
  const cont = [...containers(view).keys()];
  const from = first.length > 0 ? Math.min(...first.map(depth)) : Math.max(0, ...cont.map(depth)) + 1;
  const levels = [first];
  for (let d = from - 1; d >= 1; d--) {
    const collapsed = cont.filter((p) => depth(p) === d);
    if (collapsed.length === 0) continue;
    if (visibleGraph(view, new Set(collapsed)).nodes.length < minNodes) break;
    levels.push(collapsed);
  }
  return levels;
}
