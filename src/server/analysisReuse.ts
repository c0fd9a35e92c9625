import ts = require("typescript");
import type { FileAnalysis, Position } from "../shared/analysis";

/**
 * Reusing an analysis after an edit that cannot change it: the edit touched only whitespace or
 * comments (not JSDoc, which carries `@input`). The two texts then have the same syntax: the same
 * nodes, in the same order, with the same tokens. Their only difference is where each token
 * starts, so the previous analysis holds once its positions in the edited file move with the
 * tokens they point at.
 *
 * A text's syntax is fingerprinted by its tokens in document order: the exact text of every leaf
 * node (identifiers, literals, keywords, operators), the punctuation between child nodes, and the
 * text of every JSDoc comment, each with the node kinds around them. Whitespace and other comments
 * are left out. The start of each token is an anchor: a position in the old text moves by the
 * distance its nearest anchor at or before it moved.
 */

export interface SyntaxFingerprint {
  /** Node kinds and token texts, in document order; equal keys mean equal syntax. */
  readonly key: string;
  /** Where each token of the key starts, ascending. */
  readonly anchors: readonly number[];
}

/**
 * The fingerprint of a parse, or undefined when it cannot be trusted: the parser reported syntax
 * errors (its recovery depends on more than tokens) or the text was changed before parsing
 * (src/analyzer/parseGuard.ts rewrites some comments).
 */
export function syntaxFingerprint(sf: ts.SourceFile, text: string): SyntaxFingerprint | undefined {
  if (sf.text !== text) return undefined;
  const parsed = (sf as unknown as { parseDiagnostics?: readonly unknown[] }).parseDiagnostics;
  if (parsed && parsed.length > 0) return undefined;
  const parts: string[] = [];
  const anchors: number[] = [];
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, /*skipTrivia*/ false, ts.LanguageVariant.Standard, text);
  /** Tokens between children: punctuation and keywords the tree holds no node for, and JSDoc. */
  const gap = (from: number, to: number, jsDocOnly: boolean): void => {
    if (from >= to) return;
    scanner.resetTokenState(from);
    for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken && scanner.getTokenStart() < to; kind = scanner.scan()) {
      const start = scanner.getTokenStart();
      const tokenText = text.slice(start, Math.min(scanner.getTokenEnd(), to));
      const jsDoc = kind === ts.SyntaxKind.MultiLineCommentTrivia && tokenText.startsWith("/**");
      if (!jsDoc && (jsDocOnly || isTrivia(kind))) continue;
      anchors.push(start);
      parts.push(tokenText);
    }
  };
  const visit = (node: ts.Node): void => {
    parts.push(`<${node.kind}`);
    let cursor = node.pos;
    let leaf = true;
    const child = (c: ts.Node): void => {
      leaf = false;
      gap(cursor, c.pos, false);
      visit(c);
      cursor = c.end;
    };
    ts.forEachChild(node, child, (list) => {
      parts.push(`[${list.length}${list.hasTrailingComma ? "," : ""}`);
      list.forEach(child);
    });
    if (leaf) {
      // A leaf's token as written (a regular expression or a template part is one token).
      const start = node.getStart(sf);
      gap(node.pos, start, true);
      anchors.push(start);
      parts.push(text.slice(start, node.end));
    } else gap(cursor, node.end, false);
    parts.push(">");
  };
  visit(sf);
  return { key: parts.join("\u0000"), anchors };
}

function isTrivia(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstTriviaToken && kind <= ts.SyntaxKind.LastTriviaToken;
}

/** Maps offsets of the old text to the new one; undefined when the fingerprints differ. */
export function offsetMap(before: SyntaxFingerprint, after: SyntaxFingerprint): ((offset: number) => number) | undefined {
  if (before.key !== after.key || before.anchors.length !== after.anchors.length) return undefined;
  const from = before.anchors;
  const to = after.anchors;
  return (offset) => {
    // The last anchor at or before the offset (binary search).
    let lo = 0;
    let hi = from.length - 1;
    if (hi < 0 || offset < from[0]!) return offset;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (from[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return to[lo]! + (offset - from[lo]!);
  };
}

/** The offsets of `before` that differ from `after` (the edit, as the smallest single replacement). */
export function changedSpan(before: string, after: string): { start: number; end: number } {
  let start = 0;
  const n = Math.min(before.length, after.length);
  while (start < n && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = before.length;
  let endAfter = after.length;
  while (end > start && endAfter > start && before.charCodeAt(end - 1) === after.charCodeAt(endAfter - 1)) {
    end--;
    endAfter--;
  }
  return { start, end };
}

/**
 * Whether a diagnostic in `file` covers the changed span: its message may quote the source
 * (`'nn . Conv2d' is not callable`), comments and spacing included, so it must be recomputed.
 */
export function diagnosticsCover(analysis: FileAnalysis, file: string, oldSf: ts.SourceFile, span: { start: number; end: number }): boolean {
  const covers = (loc: { file: string; range: { start: Position; end: Position } }): boolean => {
    if (loc.file !== file) return false;
    const s = oldSf.getPositionOfLineAndCharacter(loc.range.start.line, loc.range.start.character);
    const e = oldSf.getPositionOfLineAndCharacter(loc.range.end.line, loc.range.end.character);
    return s <= span.end && e >= span.start;
  };
  return analysis.diagnostics.some((d) => covers(d.location) || d.related.some((r) => covers(r.location)));
}

/**
 * The position objects of every location in `file` that `analysis` holds (each once, even where
 * locations share them): what an edit of comments or whitespace moves.
 */
export function positionsIn(analysis: FileAnalysis, file: string): Position[] {
  const seen = new Set<object>();
  const out = new Set<Position>();
  const walk = (value: unknown): void => {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === "object") walk(item);
      return;
    }
    const source = value as Record<string, unknown>;
    const range = source["range"];
    if (source["file"] === file && isRange(range)) {
      out.add(range.start);
      out.add(range.end);
      return;
    }
    for (const key in source) walk(source[key]);
  };
  walk(analysis);
  return [...out];
}

/**
 * Moves positions of `oldSf` to where their tokens are in `newSf` (`map`: offsets of the old text
 * to the new one), in place. Positions before the edit's start do not move. The analysis holding
 * them becomes the new text's: the snapshot of the old text must not be read again.
 */
export function movePositions(
  positions: readonly Position[],
  oldSf: ts.SourceFile,
  newSf: ts.SourceFile,
  map: (offset: number) => number,
  editStart: number,
): void {
  const first = oldSf.getLineAndCharacterOfPosition(editStart);
  const moved = positions
    .filter((p) => p.line > first.line || (p.line === first.line && p.character >= first.character))
    .map((p) => ({ p, to: newSf.getLineAndCharacterOfPosition(map(oldSf.getPositionOfLineAndCharacter(p.line, p.character))) }));
  for (const { p, to } of moved) {
    p.line = to.line;
    p.character = to.character;
  }
}

function isRange(x: unknown): x is { start: Position; end: Position } {
  if (typeof x !== "object" || x === null) return false;
  const r = x as { start?: unknown; end?: unknown };
  return isPosition(r.start) && isPosition(r.end);
}

function isPosition(x: unknown): x is Position {
  return typeof x === "object" && x !== null && typeof (x as Position).line === "number" && typeof (x as Position).character === "number";
}
