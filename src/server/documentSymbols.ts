import ts = require("typescript");
import { SymbolKind, type DocumentSymbol } from "vscode-languageserver";
import type { Range } from "../shared/analysis";
import { formatCount } from "../shared/format";
import { lastSegment, type ModelTree } from "./analysisIndex";
import { modelHeadline } from "./codeLens";
import { shapeText } from "../shared/markdown";
import { moduleOutput } from "./moduleShapes";
import { rangeWithin } from "../shared/ranges";
import type { Snapshot } from "./snapshot";
import { nodeAt, nodeRange, offsetAt } from "./treeQueries";

/**
 * `textDocument/documentSymbol`: the outline of a model file — each exported model, then its
 * module tree (PyTorch's `named_modules()`), leaves with their output shape.
 */

const KIND = { model: SymbolKind.Class, container: SymbolKind.Module, custom: SymbolKind.Object, leaf: SymbolKind.Field } as const;

export function documentSymbols(snapshot: Snapshot): DocumentSymbol[] {
  const sf = snapshot.sourceFile;
  const out: DocumentSymbol[] = [];
  for (const m of snapshot.analysis.models) {
    if (m.location.file !== snapshot.file) continue;
    const tree = snapshot.index.tree(m);
    const selection = m.location.range;
    const range = declarationRange(sf, selection);
    out.push({
      name: m.name,
      detail: modelHeadline(m),
      kind: KIND.model,
      range,
      selectionRange: selection,
      children: children(tree, "", snapshot.file, selection),
    });
  }
  return out;
}

/** The whole declaration of the model (from `export` to the end), containing its name. */
function declarationRange(sf: ts.SourceFile, name: Range): Range {
  let node: ts.Node | undefined = nodeAt(sf, offsetAt(sf, name.start));
  while (node && node.parent && !ts.isSourceFile(node.parent)) node = node.parent;
  if (!node || ts.isSourceFile(node)) return name;
  const r = nodeRange(sf, node);
  return rangeWithin(name, r) ? r : name;
}

function children(tree: ModelTree, path: string, file: string, fallback: Range): DocumentSymbol[] {
  return tree.children(path).map((child) => {
    const own = child.definedAt && child.definedAt.file === file ? child.definedAt.range : fallback;
    const leaf = tree.isLeaf(child.path);
    const calls = tree.layers(child.path);
    let detail: string;
    if (leaf) detail = calls.length ? `${child.type} → ${shapeText(calls[calls.length - 1]!.output)}` : `${child.type} (not called)`;
    else {
      const out = moduleOutput(tree, child.path);
      detail = `${child.type} · ${formatCount(child.params)} params${out ? ` → ${shapeText(out)}` : ""}`;
    }
    const kind = leaf ? KIND.leaf : child.type === "Sequential" || child.type === "ModuleList" || child.type === "ModuleDict" ? KIND.container : KIND.custom;
    const symbol: DocumentSymbol = { name: lastSegment(child.path), detail, kind, range: own, selectionRange: own };
    if (!leaf) symbol.children = children(tree, child.path, file, own);
    return symbol;
  });
}
