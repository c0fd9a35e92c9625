import type { ModelAnalysis, Shape } from "../../shared/analysis";
import { layerCategory } from "../../shared/layerCatalog";
import type { SpatialLayer } from "../../shared/webview/common";
import type { AttentionLayer } from "../../shared/webview/featureMaps";
import type { ConvLayer } from "../../shared/webview/filters";

/** What the tensor panels list of a model's analysis (pure; no `vscode` import). */

/** `[N, C, H, W]` with numeric C, H, W → `[C, H, W]`. */
export function sampleShape(shape: Shape): [number, number, number] | null {
  if (shape.length !== 4) return null;
  const [, c, h, w] = shape;
  return typeof c === "number" && typeof h === "number" && typeof w === "number" ? [c, h, w] : null;
}

export function inputShapeOf(model: ModelAnalysis): [number, number, number] | null {
  const first = model.inputs[0];
  return first ? sampleShape(first) : null;
}

/** Every graph node with a `[N, C, H, W]` output (the input first), in graph order. */
export function spatialLayers(model: ModelAnalysis): SpatialLayer[] {
  const out: SpatialLayer[] = [];
  for (const n of model.graph) {
    if (n.kind === "output") continue;
    const shape = sampleShape(n.output);
    if (!shape) continue;
    out.push({ nodeId: n.id, label: n.label, type: n.type, shape, receptiveField: n.receptiveField });
  }
  return out;
}

const pair = (v: unknown): [number, number] | null => {
  if (typeof v === "number") return [v, v];
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === "number" && typeof v[1] === "number") return [v[0], v[1]];
  return null;
};

/** The convolutions of a model, once each (a module called twice has one weight), in call order. */
export function convLayers(model: ModelAnalysis): ConvLayer[] {
  const inputs = new Set(model.graph.filter((n) => n.kind === "input").map((n) => n.id));
  const seen = new Set<string>();
  const out: ConvLayer[] = [];
  for (const n of model.graph) {
    if (n.kind !== "module" || layerCategory(n.type) !== "conv" || seen.has(n.label)) continue;
    const inC = n.attrs["inChannels"];
    const outC = n.attrs["outChannels"];
    const k = pair(n.attrs["kernelSize"]);
    const g = typeof n.attrs["groups"] === "number" ? n.attrs["groups"] : 1;
    if (typeof inC !== "number" || typeof outC !== "number" || !k || g < 1) continue;
    seen.add(n.label);
    // PyTorch's layouts: Conv2d [out, in/groups, kh, kw], ConvTranspose2d [in, out/groups, kh, kw].
    const weightShape: [number, number, number, number] = n.type === "ConvTranspose2d" ? [inC, outC / g, k[0], k[1]] : [outC, inC / g, k[0], k[1]];
    out.push({ nodeId: n.id, label: n.label, type: n.type, weightShape, groups: g, firstLayer: n.inputs.some((i) => inputs.has(i)) });
  }
  return out;
}

/**
 * The patch grid of `keys` tokens over an input of `height`×`width`: `[rows, columns]` in the
 * input's aspect ratio, after 0 or 1 leading tokens (a class token); null when none fits.
 */
export function patchGrid(keys: number, height: number, width: number): { grid: [number, number]; firstPatch: number } | null {
  for (const firstPatch of [1, 0]) {
    const patches = keys - firstPatch;
    for (let rows = 1; rows <= patches; rows++) {
      if (patches % rows !== 0) continue;
      const cols = patches / rows;
      if (rows * width === cols * height && patches > 1) return { grid: [rows, cols], firstPatch };
    }
  }
  return null;
}

/** `[L, E]` token count of a sequence-first (`[L, N, E]`), batch-first (`[N, L, E]`) or unbatched (`[L, E]`) attention input or output. */
function tokens(shape: readonly (number | string)[], batchFirst: boolean): number | null {
  const l = shape.length === 2 ? shape[0] : batchFirst ? shape[1] : shape[0];
  return typeof l === "number" ? l : null;
}

/** The `nn.MultiheadAttention` calls of a model, in graph order, with their token counts and patch grid. */
export function attentionLayers(model: ModelAnalysis): AttentionLayer[] {
  const input = inputShapeOf(model);
  const out: AttentionLayer[] = [];
  for (const n of model.graph) {
    if (n.kind !== "module" || n.type !== "MultiheadAttention") continue;
    const batchFirst = n.attrs["batchFirst"] === true;
    const keyNode = model.graph[n.inputs[1] ?? -1];
    const queries = tokens(n.output, batchFirst);
    const keys = keyNode ? tokens(keyNode.output, batchFirst) : null;
    const heads = n.attrs["numHeads"];
    if (queries === null || keys === null || typeof heads !== "number") continue;
    const patches = input ? patchGrid(keys, input[1], input[2]) : null;
    out.push({ nodeId: n.id, label: n.label, heads, queries, keys, grid: patches?.grid ?? null, firstPatch: patches?.firstPatch ?? 0 });
  }
  return out;
}

/** Issue 19 item 13: the spatial layers and the flat ones (`[N, K]` outputs, shown as `[K, 1, 1]`), in graph order. */
export function everyLayer(model: ModelAnalysis, spatial: readonly SpatialLayer[] = spatialLayers(model)): SpatialLayer[] {
  const byId = new Map(spatial.map((l) => [l.nodeId, l]));
  const out: SpatialLayer[] = [];
  for (const n of model.graph) {
    const l = byId.get(n.id);
    if (l) out.push(l);
    else if (n.kind !== "output" && n.kind !== "input" && n.output.length === 2 && typeof n.output[1] === "number")
      out.push({ nodeId: n.id, label: n.label, type: n.type, shape: [n.output[1], 1, 1], receptiveField: n.receptiveField });
  }
  return out;
}
