import ts = require("typescript");
import { InlayHintKind, type InlayHint, type MarkupContent } from "vscode-languageserver";
import type { ModelAnalysis, Range, Shape } from "../shared/analysis";
import type { ServerSettings } from "../shared/lsp";
import { lastSegment, type ModelTree } from "./analysisIndex";
import { code, shapeText } from "../shared/markdown";
import { moduleOutput } from "./moduleShapes";
import { comparePositions, rangeContains, rangeKey, rangesEqual } from "../shared/ranges";
import type { AnalysisSession } from "./session";
import type { Snapshot } from "./snapshot";
import { enclosingStatement, nodeAt, nodeRange, offsetAt, positionAt, sequentialCalls } from "./treeQueries";

/**
 * `textDocument/inlayHint`: the output shape after each entry of `nn.Sequential(...)` and after
 * each statement that binds or returns a tensor (`x = this.conv1(x);  → [N, 6, 28, 28]`).
 * Where one location stands for several shapes (a block used at several stages), the hint shows
 * the first and how many more, and its tooltip lists them all.
 */

const MAX_TOOLTIP_ROWS = 12;

interface Seen {
  model: string;
  /** The module path, for a Sequential's child; none for a statement (the model tells enough). */
  where?: string;
  shape: Shape;
}

/** `resnet18 · layer2.0.downsample.0`, … or `resnet18 ×2, resnet34 ×3`. */
function whereText(seen: readonly Seen[]): string {
  if (seen.every((s) => s.where !== undefined)) {
    const items = seen.slice(0, 3).map((s) => code(`${s.model} · ${s.where!}`));
    return `${items.join(", ")}${seen.length > 3 ? ` (+${seen.length - 3})` : ""}`;
  }
  const counts = new Map<string, number>();
  for (const s of seen) counts.set(s.model, (counts.get(s.model) ?? 0) + 1);
  return [...counts].map(([model, n]) => `${code(model)} ×${n}`).join(", ");
}

export function inlayHints(session: AnalysisSession, file: string, range: Range, settings: ServerSettings["inlayHints"]): InlayHint[] {
  if (!settings.enabled || (!settings.sequentialEntries && !settings.forwardStatements)) return [];
  const snapshots = session.snapshotsFor(file);
  if (snapshots.length === 0) return [];
  const sf = session.sourceFile(file);
  if (!sf) return [];
  const hints: InlayHint[] = [];
  if (settings.sequentialEntries) hints.push(...sequentialHints(sf, file, snapshots));
  if (settings.forwardStatements) hints.push(...statementHints(sf, file, snapshots));
  return hints.filter((h) => rangeContains(range, h.position)).sort((a, b) => comparePositions(a.position, b.position));
}

function hint(position: InlayHint["position"], seen: readonly Seen[], prefix = "→ "): InlayHint | undefined {
  const distinct = new Map<string, Seen[]>();
  for (const s of seen) {
    const k = shapeText(s.shape);
    const list = distinct.get(k);
    if (list) list.push(s);
    else distinct.set(k, [s]);
  }
  const [first] = distinct.keys();
  if (first === undefined) return undefined;
  const more = distinct.size > 1 ? ` (+${distinct.size - 1} more)` : "";
  const h: InlayHint = { position, label: `${prefix}${first}${more}`, kind: InlayHintKind.Type, paddingLeft: true };
  if (distinct.size > 1) {
    const rows = [...distinct.entries()].map(([shape, where]) => `- ${code(shape)} — ${whereText(where)}`);
    const clipped = rows.length > MAX_TOOLTIP_ROWS ? [...rows.slice(0, MAX_TOOLTIP_ROWS), `- … ${rows.length - MAX_TOOLTIP_ROWS} more`] : rows;
    const tooltip: MarkupContent = { kind: "markdown", value: clipped.join("\n") };
    h.tooltip = tooltip;
  }
  return h;
}

function sequentialHints(sf: ts.SourceFile, file: string, snapshots: readonly Snapshot[]): InlayHint[] {
  const out: InlayHint[] = [];
  for (const { call, entries, names, subclass } of sequentialCalls(sf)) {
    if (!entries || entries.length === 0) continue;
    const callRange = nodeRange(sf, call);
    const perEntry: Seen[][] = entries.map(() => []);
    const instances = (s: Snapshot): { model: ModelAnalysis; tree: ModelTree; path: string }[] => {
      if (subclass === null) {
        return s.index
          .factsIn(file)
          .flatMap((f) =>
            f.kind === "module" && f.module.type === "Sequential" && rangesEqual(f.range, callRange)
              ? [{ model: f.model, tree: s.index.tree(f.model), path: f.module.path }]
              : [],
          );
      }
      // `super(...)` of a Sequential subclass: every instance of that class.
      return s.analysis.models.flatMap((model) =>
        model.modules.filter((m) => m.type === subclass).map((m) => ({ model, tree: s.index.tree(model), path: m.path })),
      );
    };
    for (const s of snapshots) {
      for (const { model, tree, path } of instances(s)) {
        // The call registers its children first; `addModule` may append more later.
        const children = tree.children(path).slice(0, entries.length);
        if (children.length !== entries.length) continue;
        if (names && children.some((c, i) => lastSegment(c.path) !== names[i])) continue;
        children.forEach((child, i) => {
          const shape = moduleOutput(tree, child.path);
          if (shape) perEntry[i]!.push({ model: model.name, where: child.path, shape });
        });
      }
    }
    entries.forEach((entry, i) => {
      const h = hint(positionAt(sf, entry.getEnd()), perEntry[i]!);
      if (h) out.push(h);
    });
  }
  return out;
}

function statementHints(sf: ts.SourceFile, file: string, snapshots: readonly Snapshot[]): InlayHint[] {
  /** statement end offset → binding location → what was seen there. */
  const byStatement = new Map<number, Map<string, { name: string; seen: Seen[] }>>();
  const statementOf = new Map<string, number | null>();
  for (const s of snapshots) {
    for (const f of s.index.factsIn(file)) {
      if (f.kind !== "tensor") continue;
      const key = rangeKey(f.range);
      let end = statementOf.get(key);
      if (end === undefined) {
        end = statementEnd(sf, f.range);
        statementOf.set(key, end);
      }
      if (end === null) continue;
      let bindings = byStatement.get(end);
      if (!bindings) byStatement.set(end, (bindings = new Map()));
      let b = bindings.get(key);
      if (!b) bindings.set(key, (b = { name: sf.text.slice(offsetAt(sf, f.range.start), offsetAt(sf, f.range.end)), seen: [] }));
      b.seen.push({ model: f.model.name, shape: f.note.shape });
    }
  }
  const out: InlayHint[] = [];
  for (const [end, bindings] of byStatement) {
    const list = [...bindings.values()];
    if (list.length === 1) {
      const h = hint(positionAt(sf, end), list[0]!.seen);
      if (h) out.push(h);
    } else {
      // Several tensors bound by one statement (destructuring): name each.
      const parts = list.map((b) => `${b.name}: ${shapeText(b.seen[0]!.shape)}`);
      out.push({ position: positionAt(sf, end), label: `→ ${parts.join(", ")}`, kind: InlayHintKind.Type, paddingLeft: true });
    }
  }
  return out;
}

/** Where the statement binding or returning the tensor at `range` ends; null for parameters. */
function statementEnd(sf: ts.SourceFile, range: Range): number | null {
  const node = nodeAt(sf, offsetAt(sf, range.start));
  if (ts.isParameter(node) || (node.parent && ts.isParameter(node.parent))) return null;
  const statement = enclosingStatement(node);
  if (!statement || ts.isBlock(statement)) return null;
  // A compound statement (`if`, loops) is not where a value is produced; its inner statements are.
  if (!(ts.isExpressionStatement(statement) || ts.isVariableStatement(statement) || ts.isReturnStatement(statement))) return null;
  return statement.getEnd();
}
