import type { OutputShape, Shape } from "../shared/analysis";
import { isSingleShape } from "../shared/outputs";
import { lastSegment, parentPath, type ModelTree } from "./analysisIndex";

/**
 * Input and output shapes of a module in a model, derived from the leaf calls. Exact where the
 * data flow is certain: a leaf's own calls; an `nn.Sequential` passes its input to its first child
 * and returns its last child's output; a child of a Sequential receives its previous sibling's
 * output. A custom module's `forward` may do anything, so its shapes are only known through such
 * neighbours (or the model's own input and output at the root); otherwise null.
 */

const SEQUENTIAL = "Sequential";

export function moduleInput(tree: ModelTree, path: string, seen = new Set<string>()): Shape | null {
  if (seen.has(`in:${path}`)) return null;
  seen.add(`in:${path}`);
  const calls = tree.layers(path);
  if (calls.length > 0) return calls[0]!.inputs[0] ?? null;
  if (path === "") return tree.model.inputs.length === 1 ? tree.model.inputs[0]! : null;
  const module = tree.moduleByPath.get(path);
  if (module?.type === SEQUENTIAL) {
    const first = tree.children(path)[0];
    if (first) return moduleInput(tree, first.path, seen);
  }
  const parent = parentPath(path);
  if (tree.moduleByPath.get(parent)?.type === SEQUENTIAL) {
    const siblings = tree.children(parent);
    const i = siblings.findIndex((s) => s.path === path);
    if (i > 0) return moduleOutput(tree, siblings[i - 1]!.path, seen);
    if (i === 0) return moduleInput(tree, parent, seen);
  }
  return null;
}

export function moduleOutput(tree: ModelTree, path: string, seen = new Set<string>()): Shape | null {
  if (seen.has(`out:${path}`)) return null;
  seen.add(`out:${path}`);
  const calls = tree.layers(path);
  if (calls.length > 0) return calls[calls.length - 1]!.output;
  if (path === "") return isShape(tree.model.output) ? tree.model.output : null;
  const module = tree.moduleByPath.get(path);
  if (module?.type === SEQUENTIAL) {
    const children = tree.children(path);
    const last = children[children.length - 1];
    if (last) return moduleOutput(tree, last.path, seen);
  }
  const parent = parentPath(path);
  if (tree.moduleByPath.get(parent)?.type === SEQUENTIAL) {
    const siblings = tree.children(parent);
    const i = siblings.findIndex((s) => s.path === path);
    if (i >= 0 && i < siblings.length - 1) return moduleInput(tree, siblings[i + 1]!.path, seen);
    if (i === siblings.length - 1) return moduleOutput(tree, parent, seen);
  }
  return null;
}

function isShape(x: OutputShape | null): x is Shape {
  return isSingleShape(x);
}

/** Display name of a module path: its last segment, or the model name for the root. */
export function displayPath(path: string, modelName: string): string {
  return path === "" ? modelName : path;
}

export { lastSegment };
