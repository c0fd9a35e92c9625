import ts = require("typescript");
import type { FileAnalysis, Range, Shape } from "../shared/analysis";
import { LAYERS, LAYER_CATALOG, isLayerType, type InputParam, type LayerKind } from "../analyzer/layers/index";
import { formatShapeText } from "../shared/format";
import { findAncestor, nodeAt, offsetAt, positionAt } from "./treeQueries";

/**
 * The quick fix for a model without `@input`: which shape to write, and where.
 *
 * The shape is inferred, then verified: the first layer the model constructs tells the channels
 * (or features) — `nn.Conv2d(3, …)` → `[N, 3, H, W]`, `nn.Linear(512, …)` → `[N, 512]` — and
 * candidate shapes are analysed with the tag in place; the first under which the whole forward
 * pass succeeds is offered. For a linear model that shape is certain. For images the size is
 * not: any size may work for a fully convolutional model, so the title says the size is a guess
 * to check. When no candidate analyses, the fix inserts `[N, C, H, W]` as a template to fill in
 * (the analyzer then reports it as malformed until it is filled in).
 */

export interface InputTagEdit {
  title: string;
  range: Range;
  newText: string;
  /** The shape inserted (null for the placeholder template). */
  shape: Shape | null;
  /** Whether the analyzer confirmed the model runs with it. */
  verified: boolean;
  /** Verified and not guessed (a linear model's features): safe to apply without a look. */
  certain: boolean;
}

const IMAGE_SIZES = [224, 32, 28, 64];
/** Lengths tried for a sequence model (a Conv1d first: `[N, C, L]`). */
const SEQUENCE_LENGTHS = [128, 32, 64, 100];
const MAX_PROBES = 6;
const PROBE_BUDGET_MS = 600;

interface FirstLayer {
  /** The input's layout that the layer's input parameter fixes. */
  layout: InputParam["layout"];
  size: number | undefined;
}

/** The layer kind's input parameter (channels or features) and its position, for a factory name. */
function inputParamOf(name: string): { input: InputParam; index: number } | undefined {
  if (!isLayerType(name)) return undefined;
  const input = LAYER_CATALOG[name].input;
  if (!input) return undefined;
  const index = (LAYERS[name] as LayerKind).params.filter((p) => !p.keywordOnly).findIndex((p) => p.name === input.param);
  return index >= 0 ? { input, index } : undefined;
}

/** The model's declaration (variable or `export default`) at its name's range. */
function declarationAt(sf: ts.SourceFile, name: Range): { statement: ts.Statement; value: ts.Expression | undefined; modelName: string } | undefined {
  const node = nodeAt(sf, offsetAt(sf, name.start));
  const decl = findAncestor(node, ts.isVariableDeclaration);
  if (decl && ts.isIdentifier(decl.name) && ts.isVariableDeclarationList(decl.parent) && ts.isVariableStatement(decl.parent.parent)) {
    return { statement: decl.parent.parent, value: decl.initializer, modelName: decl.name.text };
  }
  const assignment = findAncestor(node, ts.isExportAssignment);
  if (assignment) return { statement: assignment, value: assignment.expression, modelName: "default" };
  return undefined;
}

/**
 * The first layer constructed (source order) that determines the input's channels or features,
 * looking into a class's members for `new C(...)`. (A `Flatten` before a `Linear(F)` keeps `[N, F]`.)
 */
function firstLayer(sf: ts.SourceFile, expr: ts.Node, depth = 0): FirstLayer | undefined {
  let found: FirstLayer | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    const param = ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) ? inputParamOf(n.expression.name.text) : undefined;
    if (param && ts.isCallExpression(n)) {
      const arg = n.arguments[param.index];
      found = { layout: param.input.layout, size: arg && ts.isNumericLiteral(arg) ? Number(arg.text) : undefined };
      return;
    }
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && depth < 3) {
      const cls = sf.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === (n.expression as ts.Identifier).text);
      if (cls) {
        found = firstLayer(sf, cls, depth + 1);
        if (found) return;
      }
    }
    n.forEachChild(visit);
  };
  visit(expr);
  return found;
}

function candidates(first: FirstLayer | undefined): { shape: Shape; guessedSize: boolean }[] {
  if (first && first.layout === "NF" && first.size) return [{ shape: ["N", first.size], guessedSize: false }];
  if (first && first.layout === "NCL" && first.size) return SEQUENCE_LENGTHS.map((l) => ({ shape: ["N", first.size!, l], guessedSize: true }));
  if (first && first.size) return IMAGE_SIZES.map((s) => ({ shape: ["N", first.size!, s, s], guessedSize: true }));
  return [
    { shape: ["N", 3, 224, 224], guessedSize: true },
    { shape: ["N", 3, 32, 32], guessedSize: true },
    { shape: ["N", 1, 28, 28], guessedSize: true },
  ];
}

/** Where and how to insert `@input <shape>` into the declaration's doc comment (or a new one). */
function insertion(sf: ts.SourceFile, statement: ts.Statement, shapeText: string): { range: Range; newText: string } {
  const docs = ts.getJSDocCommentsAndTags(statement).filter(ts.isJSDoc);
  const doc = docs[docs.length - 1];
  const lineStart = sf.getLineStarts()[sf.getLineAndCharacterOfPosition(statement.getStart(sf)).line] ?? 0;
  const indent = /^[ \t]*/.exec(sf.text.slice(lineStart))?.[0] ?? "";
  if (!doc) {
    const at = positionAt(sf, statement.getStart(sf));
    return { range: { start: at, end: at }, newText: `/** @input ${shapeText} */\n${indent}` };
  }
  const close = doc.getEnd() - 2; // the "*/"
  const before = sf.text.slice(doc.getStart(sf), close);
  const closingLineStart = before.lastIndexOf("\n");
  if (closingLineStart >= 0 && /^\n[ \t]*$/.test(before.slice(closingLineStart))) {
    // "…\n */": a line of its own before the closing line.
    const at = positionAt(sf, doc.getStart(sf) + closingLineStart + 1);
    return { range: { start: at, end: at }, newText: `${indent} * @input ${shapeText}\n` };
  }
  // "/** text */" or "… text */": continue on a new line, keeping the closing on it.
  const trimmed = before.replace(/[ \t]*$/, "");
  const start = positionAt(sf, doc.getStart(sf) + trimmed.length);
  return { range: { start, end: positionAt(sf, close) }, newText: `\n${indent} *  @input ${shapeText} ` };
}

function applyEdit(text: string, sf: ts.SourceFile, edit: { range: Range; newText: string }): string {
  return text.slice(0, offsetAt(sf, edit.range.start)) + edit.newText + text.slice(offsetAt(sf, edit.range.end));
}

/**
 * The `@input` fix for the model named at `nameRange` in the file `sf`; `probe` analyses the file
 * with another text (see AnalysisSession.probe).
 */
export function inferInputTag(sf: ts.SourceFile, nameRange: Range, probe: (text: string) => FileAnalysis): InputTagEdit | undefined {
  const decl = declarationAt(sf, nameRange);
  if (!decl) return undefined;
  const text = sf.text;
  const started = performance.now();
  let probes = 0;
  for (const c of candidates(decl.value ? firstLayer(sf, decl.value) : undefined)) {
    if (probes >= MAX_PROBES || performance.now() - started > PROBE_BUDGET_MS) break;
    probes++;
    const shapeText = formatShapeText(c.shape);
    const edit = insertion(sf, decl.statement, shapeText);
    const probeText = applyEdit(text, sf, edit);
    const result = probe(probeText);
    const model = result.models.find((m) => m.name === decl.modelName);
    if (model && model.output !== null) {
      const guessed = c.shape.length === 3 ? "L" : "H and W";
      const title = c.guessedSize ? `Add @input ${shapeText} (the size is a guess: check ${guessed})` : `Add @input ${shapeText}`;
      return { title, ...edit, shape: c.shape, verified: true, certain: !c.guessedSize };
    }
  }
  const template = "[N, C, H, W]";
  return { title: `Add an @input template ${template} to fill in`, ...insertion(sf, decl.statement, template), shape: null, verified: false, certain: false };
}
