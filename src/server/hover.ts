import ts = require("typescript");
import type { Hover } from "vscode-languageserver";
import type { ModelAnalysis, Position, Range, Shape } from "../shared/analysis";
import { lastSegment, parentPath, type Fact } from "./analysisIndex";
import { layersHover, modulesHover, opsHover, tensorsHover, type Failure, type ModuleEntry } from "./hoverContent";
import { code } from "../shared/markdown";
import { compareExtent, comparePositions, rangeContains, rangeKey, rangesEqual } from "../shared/ranges";
import type { AnalysisSession } from "./session";
import type { Snapshot } from "./snapshot";
import {
  blocksOf,
  className,
  enclosingClass,
  enclosingFunction,
  enclosingStatement,
  fieldAt,
  identifierAt,
  innermostLoop,
  nodeRange,
  offsetAt,
  thisCallAt,
} from "./treeQueries";

/**
 * `textDocument/hover`: what is under the cursor — a layer construction, a module field, a call
 * in `forward`, a tensor operation or a tensor variable — with its shapes and figures, from every
 * analysis that knows the location (the file's own models, and open model files importing it).
 */

interface Candidate {
  range: Range;
  /** Lower wins among candidates of equal extent. */
  priority: number;
  render(): string;
}

/** A returned call (`return this.fc(x)`) is the call's and the return's range: the call tells more. */
const PRIORITY: Record<Fact["kind"], number> = { call: 1, op: 2, tensor: 3, module: 4 };

interface Located {
  fact: Fact;
  snapshot: Snapshot;
}

export function hover(session: AnalysisSession, file: string, pos: Position): Hover | null {
  const snapshots = session.snapshotsFor(file);
  if (snapshots.length === 0) return null;
  const sf = session.sourceFile(file);
  if (!sf) return null;
  const offset = offsetAt(sf, pos);
  const candidates: Candidate[] = [];

  const located: Located[] = snapshots.flatMap((snapshot) => snapshot.index.factsAt(file, pos).map((fact) => ({ fact, snapshot })));
  const failure = failureAt(snapshots, file, pos);
  for (const group of groupFacts(located)) candidates.push(factCandidate(group, sf, failure));

  const modelCandidate = modelNameHover(snapshots, file, pos);
  if (modelCandidate) candidates.push(modelCandidate);
  const fieldCandidate = fieldHover(sf, offset, snapshots, (at) => failure ?? failureAt(snapshots, file, at));
  if (fieldCandidate) candidates.push(fieldCandidate);
  const callCandidate = containerCallHover(sf, offset, snapshots, file);
  if (callCandidate) candidates.push(callCandidate);
  const useCandidate = tensorUseHover(sf, offset, snapshots, file);
  if (useCandidate) candidates.push(useCandidate);

  if (candidates.length === 0) return null;
  candidates.sort((a, b) => compareExtent(a.range, b.range) || a.priority - b.priority);
  const best = candidates[0]!;
  return { contents: { kind: "markdown", value: best.render() }, range: best.range };
}

/** Facts of one kind at exactly one range (the instances of one source location). */
function groupFacts(located: readonly Located[]): Located[][] {
  const groups = new Map<string, Located[]>();
  for (const l of located) {
    const k = `${l.fact.kind}@${rangeKey(l.fact.range)}`;
    const g = groups.get(k);
    if (g) g.push(l);
    else groups.set(k, [l]);
  }
  return [...groups.values()];
}

/** A layer's own error under the cursor (at its call or where it is defined), with the shapes that reached it. */
function failureAt(snapshots: readonly Snapshot[], file: string, pos: Position): Failure | undefined {
  const here = (l: { file: string; range: Range }): boolean => l.file === file && rangeContains(l.range, pos);
  for (const s of snapshots) {
    for (const d of s.analysis.diagnostics) {
      if (d.severity !== "error" || !(here(d.location) || d.related.some((r) => r.message.endsWith(" defined here") && here(r.location)))) continue;
      const inputs = d.related.flatMap((r) => {
        const m = /^(\[[^\]]*\]) comes from (.+) here$/.exec(r.message);
        return m ? [`${code(m[1]!)} from ${code(m[2]!)}`] : [];
      });
      if (inputs.length > 0) return { inputs };
    }
  }
  return undefined;
}

function factCandidate(group: readonly Located[], sf: ts.SourceFile, failure: Failure | undefined): Candidate {
  const first = group[0]!.fact;
  const base = { range: first.range, priority: PRIORITY[first.kind] };
  switch (first.kind) {
    case "call":
      return { ...base, render: () => layersHover(group.flatMap(({ fact }) => (fact.kind === "call" ? [{ model: fact.model, layer: fact.layer }] : []))) };
    case "op":
      return { ...base, render: () => opsHover(group.flatMap(({ fact }) => (fact.kind === "op" ? [{ model: fact.model, node: fact.node }] : []))) };
    case "module":
      return {
        ...base,
        render: () =>
          modulesHover(
            group.flatMap(({ fact, snapshot }) =>
              fact.kind === "module" ? [{ model: fact.model, tree: snapshot.index.tree(fact.model), module: fact.module }] : [],
            ),
            failure,
          ),
      };
    case "tensor":
      return {
        ...base,
        render: () =>
          tensorsHover(
            textAt(sf, first.range) || "tensor",
            group.flatMap(({ fact }) => (fact.kind === "tensor" ? [{ model: fact.model, note: fact.note }] : [])),
          ),
      };
  }
}

function textAt(sf: ts.SourceFile, range: Range): string {
  return sf.text.slice(offsetAt(sf, range.start), offsetAt(sf, range.end));
}

/** Modules stored in field `name` of instances of class `cls`, in every analysis. */
export function modulesOfField(snapshots: readonly Snapshot[], cls: string | undefined, name: string): ModuleEntry[] {
  const out: ModuleEntry[] = [];
  for (const snapshot of snapshots) {
    for (const model of snapshot.analysis.models) {
      const tree = snapshot.index.tree(model);
      for (const module of model.modules) {
        if (module.path === "" || lastSegment(module.path) !== name) continue;
        const owner = tree.moduleByPath.get(parentPath(module.path));
        if (owner && (cls === undefined || owner.type === cls)) out.push({ model, tree, module });
      }
    }
  }
  return out;
}

/** An exported model's name: the whole model. */
function modelNameHover(snapshots: readonly Snapshot[], file: string, pos: Position): Candidate | undefined {
  for (const s of snapshots) {
    for (const model of s.analysis.models) {
      if (model.location.file !== file || !rangeContains(model.location.range, pos)) continue;
      const tree = s.index.tree(model);
      const root = tree.moduleByPath.get("");
      if (root) return { range: model.location.range, priority: 0, render: () => modulesHover([{ model, tree, module: root }]) };
    }
  }
  return undefined;
}

/** The name of a field (declaration, `this.x = …`, or `this.x` outside a call). */
function fieldHover(
  sf: ts.SourceFile,
  offset: number,
  snapshots: readonly Snapshot[],
  failureAtPos: (pos: Position) => Failure | undefined,
): Candidate | undefined {
  const field = fieldAt(sf, offset);
  if (!field) return undefined;
  // `this.conv1(x)`: the call's own hover (or the container-call hover) tells more.
  if (ts.isCallExpression(field.node.parent) && field.node.parent.expression === field.node) return undefined;
  const entries = modulesOfField(snapshots, className(field.cls), field.name);
  if (entries.length === 0) return undefined;
  const id = ts.isPropertyAccessExpression(field.node) ? field.node.name : field.node;
  // The field's module is defined by its initialiser (`conv2 = nn.Conv2d(…)`, `this.conv2 = …`): its error, if any.
  const p = field.node.parent;
  const init = ts.isPropertyDeclaration(p) ? p.initializer : ts.isBinaryExpression(p) && p.left === field.node ? p.right : undefined;
  const failure = failureAtPos(init ? nodeRange(sf, init).start : nodeRange(sf, id).start);
  return { range: nodeRange(sf, id), priority: 0, render: () => modulesHover(entries, failure) };
}

/** `this.features(x)` where `features` is not a leaf (a leaf call has its own fact). */
function containerCallHover(sf: ts.SourceFile, offset: number, snapshots: readonly Snapshot[], file: string): Candidate | undefined {
  const hit = thisCallAt(sf, offset);
  if (!hit) return undefined;
  const range = nodeRange(sf, hit.call);
  const owner = enclosingClass(hit.call);
  const cls = owner ? className(owner) : undefined;
  const entries = modulesOfField(snapshots, cls, hit.name).filter((e) => !e.tree.isLeaf(e.module.path));
  if (entries.length === 0) return undefined;
  const output = callResultShapes(sf, hit.call, snapshots, file);
  const input = callArgumentShapes(sf, hit.call, snapshots, file);
  // Where a model shows one shape at the call (one instance), the module tree need not tell it.
  const single = (byModel: Map<ModelAnalysis, Shape[]> | undefined, model: ModelAnalysis): Shape | null => {
    const shapes = byModel?.get(model);
    return shapes && shapes.length === 1 ? shapes[0]! : null;
  };
  const withShapes = entries.map((e) => ({ ...e, callInput: single(input, e.model), callOutput: single(output, e.model) }));
  return { range, priority: 2, render: () => modulesHover(withShapes) };
}

/** Distinct shapes of the tensor notes at exactly `range`. */
function notesAt(snapshots: readonly Snapshot[], file: string, range: Range): { model: ModelAnalysis; shape: Shape }[] {
  const out: { model: ModelAnalysis; shape: Shape }[] = [];
  for (const s of snapshots) {
    for (const f of s.index.factsIn(file)) if (f.kind === "tensor" && rangesEqual(f.range, range)) out.push({ model: f.model, shape: f.note.shape });
  }
  return out;
}

/** Distinct shapes per model. */
function shapesByModel(items: readonly { model: ModelAnalysis; shape: Shape }[]): Map<ModelAnalysis, Shape[]> {
  const out = new Map<ModelAnalysis, Map<string, Shape>>();
  for (const i of items) {
    let m = out.get(i.model);
    if (!m) out.set(i.model, (m = new Map()));
    m.set(JSON.stringify(i.shape), i.shape);
  }
  return new Map([...out].map(([model, shapes]) => [model, [...shapes.values()]]));
}

/** What a call's result is bound to (`x = call`, `const y = call`, `return call`): its shapes. */
function callResultShapes(sf: ts.SourceFile, call: ts.CallExpression, snapshots: readonly Snapshot[], file: string): Map<ModelAnalysis, Shape[]> | undefined {
  const p = call.parent;
  let target: ts.Node | undefined;
  if (ts.isBinaryExpression(p) && p.right === call && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(p.left)) target = p.left;
  else if (ts.isVariableDeclaration(p) && p.initializer === call && ts.isIdentifier(p.name)) target = p.name;
  else if (ts.isReturnStatement(p)) target = call;
  if (!target) return undefined;
  return shapesByModel(notesAt(snapshots, file, nodeRange(sf, target)));
}

function callArgumentShapes(sf: ts.SourceFile, call: ts.CallExpression, snapshots: readonly Snapshot[], file: string): Map<ModelAnalysis, Shape[]> | undefined {
  const [arg] = call.arguments;
  if (call.arguments.length !== 1 || !arg || !ts.isIdentifier(arg)) return undefined;
  const binding = dominatingBinding(sf, arg, snapshots, file);
  return binding ? shapesByModel(notesAt(snapshots, file, binding)) : undefined;
}

/**
 * The binding a use of a variable certainly reads: the latest tensor binding of that name before
 * it in the same function, outside the use's own statement, in a block enclosing the use, and not
 * re-bound inside a loop around the use. Undefined when that is not certain.
 */
function dominatingBinding(sf: ts.SourceFile, id: ts.Identifier, snapshots: readonly Snapshot[], file: string): Range | undefined {
  const fn = enclosingFunction(id);
  if (!fn) return undefined;
  const fnRange = nodeRange(sf, fn);
  const useRange = nodeRange(sf, id);
  const statement = enclosingStatement(id);
  const stmtRange = statement ? nodeRange(sf, statement) : useRange;
  const bindings = new Map<string, Range>();
  for (const s of snapshots) {
    for (const f of s.index.factsIn(file)) {
      if (f.kind !== "tensor" || f.note.kind !== "binding") continue;
      if (!rangeContains(fnRange, f.range.start)) continue;
      if (textAt(sf, f.range) === id.text) bindings.set(rangeKey(f.range), f.range);
    }
  }
  const all = [...bindings.values()];
  const before = all.filter(
    (r) => comparePositions(r.end, useRange.start) <= 0 && !(comparePositions(stmtRange.start, r.start) <= 0 && comparePositions(r.end, stmtRange.end) <= 0),
  );
  before.sort((a, b) => comparePositions(b.start, a.start));
  const latest = before[0];
  if (!latest) return undefined;
  const bindingNode = identifierAt(sf, offsetAt(sf, latest.start));
  if (!bindingNode) return undefined;
  const useBlocks = new Set(blocksOf(id, fn));
  const bindingBlock = blocksOf(bindingNode, fn)[0];
  const isParameter = ts.isParameter(bindingNode.parent);
  if (!isParameter && (!bindingBlock || !useBlocks.has(bindingBlock))) return undefined;
  // Re-bound in a loop around the use: later iterations read another value.
  const loop = innermostLoop(id, fn);
  if (loop) {
    const loopRange = nodeRange(sf, loop);
    if (all.some((r) => rangeContains(loopRange, r.start))) return undefined;
  }
  return latest;
}

/** A variable used (not bound) under the cursor: the shapes of the binding it reads. */
function tensorUseHover(sf: ts.SourceFile, offset: number, snapshots: readonly Snapshot[], file: string): Candidate | undefined {
  const id = identifierAt(sf, offset);
  if (!id) return undefined;
  const range = nodeRange(sf, id);
  if (notesAt(snapshots, file, range).length > 0) return undefined; // a binding: its own fact
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return undefined;
  const binding = dominatingBinding(sf, id, snapshots, file);
  if (!binding) return undefined;
  const entries = snapshots.flatMap((s) =>
    s.index.factsIn(file).flatMap((f) => (f.kind === "tensor" && rangesEqual(f.range, binding) ? [{ model: f.model, note: f.note }] : [])),
  );
  if (entries.length === 0) return undefined;
  const line = binding.start.line + 1;
  return { range, priority: 3, render: () => tensorsHover(id.text, entries, `bound on line ${line}`) };
}
