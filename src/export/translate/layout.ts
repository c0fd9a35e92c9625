import ts = require("typescript");
import { P, atom, commentLine, docstringText, render, safeName, seq, snake, splitLines, type Item, type Py } from "../py";
import { Ctx, Lines, Translator } from "./context";

/** Comments, docstrings and the layout of emitted lines. */

// ---- comments and docs ----------------------------------------------------------------------

/** A comment of the source as Python comment lines (through py.ts's comment escaping). */
export function commentText(cx: Translator, sf: ts.SourceFile, r: ts.CommentRange): string[] {
  const raw = sf.text.slice(r.pos, r.end);
  if (r.kind === ts.SyntaxKind.SingleLineCommentTrivia) return splitLines(raw.replace(/^\/\/\s?/, "")).map((l) => commentLine(l.trimEnd()));
  const body = raw.replace(/^\/\*+/, "").replace(/\*+\/$/, "");
  return splitLines(body)
    .map((l) => l.replace(/^\s*\*?\s?/, "").trimEnd())
    .filter((l, i, a) => !(l === "" && (i === 0 || i === a.length - 1)))
    .map(commentLine);
}

/** Comment lines before a node (its own lines, not the previous line's trailing comment). */
export function leadingComments(cx: Translator, node: ts.Node, skipJsDoc = false): string[] {
  const sf = node.getSourceFile();
  const ranges = ts.getLeadingCommentRanges(sf.text, node.getFullStart()) ?? [];
  const out: string[] = [];
  for (const r of ranges) {
    if (skipJsDoc && sf.text.startsWith("/**", r.pos)) continue;
    out.push(...commentText(cx, sf, r));
  }
  return out;
}

/** A comment on the same line after a node (after a following comma, for list items). */
export function trailingComment(cx: Translator, node: ts.Node): string | undefined {
  const sf = node.getSourceFile();
  let pos = node.getEnd();
  const text = sf.text;
  while (pos < text.length && (text[pos] === " " || text[pos] === "\t")) pos++;
  if (text[pos] === "," || text[pos] === ";") pos++;
  const ranges = ts.getTrailingCommentRanges(text, pos) ?? [];
  const parts = ranges.flatMap((r) => commentText(cx, sf, r).map((l) => l.replace(/^# ?/, "")));
  return parts.length ? `# ${parts.join(" ")}` : undefined;
}

export function item(cx: Translator, node: ts.Node, py: Py): Item {
  const leading = leadingComments(cx, node);
  const comment = trailingComment(cx, node);
  const sf = node.getSourceFile();
  const prevEnd = previousSiblingEnd(cx, node);
  const sameLine = prevEnd !== undefined && sf.getLineAndCharacterOfPosition(prevEnd).line === sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
  return { py, ...(leading.length ? { leading } : {}), ...(comment !== undefined ? { comment } : {}), ...(sameLine ? { sameLine } : {}) };
}

/** The end of the list element before `node` (arguments, array elements, properties, parameters). */
export function previousSiblingEnd(cx: Translator, node: ts.Node): number | undefined {
  const p = node.parent as unknown as Record<string, unknown> | undefined;
  if (!p) return undefined;
  for (const key of ["arguments", "elements", "properties", "parameters"]) {
    const list = p[key];
    if (Array.isArray(list)) {
      const i = (list as ts.Node[]).indexOf(node);
      if (i > 0) return (list as ts.Node[])[i - 1]!.getEnd();
      if (i === 0) return undefined;
    }
  }
  return undefined;
}

/** Did the source write the list's elements on their own lines? */
export function multiline(cx: Translator, list: ts.NodeArray<ts.Node> | undefined): boolean {
  const first = list?.[0];
  if (!list || !first) return false;
  const sf = first.getSourceFile();
  return sf.getLineAndCharacterOfPosition(first.getStart(sf)).line > sf.getLineAndCharacterOfPosition(list.pos).line;
}

/** A docstring from a node's JSDoc (tags: @input as "Input:", @param as "Args:"), or undefined. */
export function docstring(cx: Translator, node: ts.Node, indent: number, extra: string[] = []): Lines {
  const docs = (ts.getJSDocCommentsAndTags(node) as readonly ts.Node[]).filter(ts.isJSDoc);
  const last = docs[docs.length - 1];
  const paragraphs: string[] = [];
  if (last) {
    const text = ts.getTextOfJSDocComment(last.comment)?.trim();
    if (text) paragraphs.push(text);
    const params: string[] = [];
    const inputs: string[] = [];
    const others: string[] = [];
    for (const tag of last.tags ?? []) {
      const comment = (ts.getTextOfJSDocComment(tag.comment) ?? "").trim();
      const tn = tag.tagName.text;
      if (tn === "input") inputs.push(comment);
      else if (ts.isJSDocParameterTag(tag)) params.push(`${safeName(snake(tag.name.getText()))}: ${comment.replace(/^-\s*/, "")}`);
      else if (tn === "returns" || tn === "return") others.push(`Returns: ${comment}`);
      else others.push(`@${tn}${comment ? ` ${comment}` : ""}`);
    }
    if (inputs.length) paragraphs.push(inputs.map((i) => `Input: ${i}`).join("\n"));
    if (params.length) paragraphs.push(["Args:", ...params.map((p) => `    ${p}`)].join("\n"));
    if (others.length) paragraphs.push(others.join("\n"));
  }
  paragraphs.push(...extra);
  if (!paragraphs.length) return [];
  const pad = " ".repeat(indent);
  const text = docstringText(paragraphs.join("\n\n")).replace(/^"/, '\\"');
  const lines = text.split("\n");
  if (lines.length === 1 && indent + text.length + 6 <= 100) return [`${pad}"""${text}${text.endsWith('"') ? " " : ""}"""`];
  return [`${pad}"""${lines[0]}`, ...lines.slice(1).map((l) => (l ? `${pad}${l}` : "")), `${pad}"""`];
}

// ---- output helpers -------------------------------------------------------------------------

export function emit(cx: Translator, ctx: Ctx, py: Py, prefix = "", suffix = ""): Lines {
  const e = prefix || suffix ? seq([atom(prefix), py, atom(suffix)], P.lambda) : py;
  const pad = " ".repeat(ctx.indent);
  return (pad + render(e, ctx.indent, ctx.indent)).split("\n");
}

export function sub(cx: Translator, ctx: Ctx, extra: Partial<Ctx> = {}): Ctx {
  return { ...ctx, indent: ctx.indent + 4, pre: ctx.pre, ...extra };
}

/** Is there an empty line before the node in the source (kept for readability)? */
export function blankBefore(cx: Translator, n: ts.Node): boolean {
  const sf = n.getSourceFile();
  return /\n[ \t]*\r?\n/.test(sf.text.slice(n.getFullStart(), n.getStart(sf)));
}

export function simple(cx: Translator, s: ts.Node, lines: Lines): Lines {
  const c = trailingComment(cx, s);
  if (c !== undefined && lines.length) lines[lines.length - 1] += `  ${c}`;
  return lines;
}
