import ts = require("typescript");
import type { Range } from "../shared/analysis";

/**
 * "Put one layer per line" (issue 19.11): a module list written with several layers on one line
 * (`nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2))`, `nn.ModuleList([...])`) puts
 * the inlay hints of its layers side by side, and pushes the shape that explains an error out of
 * sight. The edit lays the list's arguments out one per line, indented by one step of the file's
 * indentation under the line the list starts on. Lists with comments between their layers are left
 * alone (the edit would have to move them).
 */

export const ONE_LAYER_PER_LINE = "Put one layer per line";

export interface ListEdit {
  /** The list (the call or the array literal): the range a diagnostic or cursor must fall in. */
  list: Range;
  edit: { range: Range; newText: string };
}

/** The innermost module list around the offsets `[start, end]` written with several layers on one line. */
export function layerPerLineAt(sf: ts.SourceFile, start: number, end: number): ListEdit | undefined {
  let found: ListEdit | undefined;
  const visit = (node: ts.Node): void => {
    if (node.getStart(sf) > start || node.getEnd() < end) return;
    const items = listItems(node);
    if (items && severalOnALine(sf, items)) found = editFor(sf, node, items) ?? found;
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** The layers of `nn.Sequential(…)` / `new nn.Sequential(…)`, or of `nn.ModuleList([…])`'s array. */
function listItems(node: ts.Node): ts.NodeArray<ts.Expression> | undefined {
  if (ts.isArrayLiteralExpression(node)) {
    const call = node.parent;
    return (ts.isCallExpression(call) || ts.isNewExpression(call)) && calleeName(call) === "ModuleList" && call.arguments?.[0] === node
      ? node.elements
      : undefined;
  }
  if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && calleeName(node) === "Sequential") return node.arguments;
  return undefined;
}

function calleeName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  const e = call.expression;
  return ts.isPropertyAccessExpression(e) ? e.name.text : ts.isIdentifier(e) ? e.text : undefined;
}

function severalOnALine(sf: ts.SourceFile, items: readonly ts.Node[]): boolean {
  const lines = items.map((n) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line);
  return lines.some((l, i) => i > 0 && l === lines[i - 1]);
}

function editFor(sf: ts.SourceFile, node: ts.Node, items: ts.NodeArray<ts.Expression>): ListEdit | undefined {
  const text = sf.text;
  const from = items.pos;
  const to = node.getEnd() - 1; // the closing `)` or `]`
  if (text[to] !== ")" && text[to] !== "]") return undefined;
  // Comments anywhere between the brackets, outside the layers themselves: leave the list alone.
  let cursor = from;
  for (const gap of [...items.map((n) => n.getStart(sf)), to]) {
    if (/\/[/*]/.test(text.slice(cursor, gap))) return undefined;
    const item = items.find((n) => n.getStart(sf) === gap);
    cursor = item ? item.getEnd() : gap;
  }
  const indent = lineIndent(text, node.getStart(sf));
  const step = indentStep(text);
  const newText = `\n${items.map((n) => `${indent}${step}${n.getText(sf)},`).join("\n")}\n${indent}`;
  const range = (a: number, b: number): Range => ({ start: sf.getLineAndCharacterOfPosition(a), end: sf.getLineAndCharacterOfPosition(b) });
  return { list: range(node.getStart(sf), node.getEnd()), edit: { range: range(from, to), newText } };
}

/** The leading whitespace of the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** One step of the file's indentation: a tab, or the smallest run of leading spaces (2 if none). */
function indentStep(text: string): string {
  let smallest = Infinity;
  for (const line of text.split("\n")) {
    if (line.startsWith("\t")) return "\t";
    const n = /^ */.exec(line)![0].length;
    if (n > 0 && n < line.length && !line.trimStart().startsWith("*")) smallest = Math.min(smallest, n);
  }
  return " ".repeat(Number.isFinite(smallest) ? smallest : 2);
}
