import ts = require("typescript");
import { textChange, type TextChange } from "../analyzer/incrementalParse";
import type { FileAnalysis, Position } from "../shared/analysis";
import { offsetAt } from "./treeQueries";

/**
 * Reusing an analysis after an edit that cannot change it: the edit touched only whitespace or
 * comments (not JSDoc, which carries `@input`). The two texts then have the same syntax: the same
 * nodes, in the same order, with the same tokens. Their only difference is where the tokens after
 * the edit start, so the previous analysis holds once its positions after the edit move with them.
 *
 * A text's syntax is fingerprinted by its tokens in document order: the exact text of every leaf
 * node (identifiers, literals, keywords, operators), the punctuation between child nodes, and the
 * text of every JSDoc comment, each with the node kinds around them. Whitespace and other comments
 * are left out.
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
      const jsDoc = kind === ts.SyntaxKind.MultiLineCommentTrivia && text.startsWith("/**", start);
      if (!jsDoc && (jsDocOnly || isTrivia(kind))) continue;
      anchors.push(start);
      parts.push(text.slice(start, Math.min(scanner.getTokenEnd(), to)));
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

/**
 * A quick look at the text of an edit: false when it cannot be of whitespace or comments only (it
 * changed other characters, outside any comment), so that no fingerprint is computed for it. Only
 * a shortcut: an edit it lets through is reused only if the fingerprints say so.
 */
export function mayChangeOnlyTrivia(before: string, after: string, c: TextChange = textChange(before, after)): boolean {
  const edited = before.slice(c.start, c.end) + after.slice(c.start, c.newEnd);
  if (/^\s*$/.test(edited) || /[/*]/.test(edited)) return true;
  const lineStart = before.lastIndexOf("\n", c.start - 1) + 1;
  if (before.slice(lineStart, c.start).includes("//")) return true;
  return before.lastIndexOf("/*", c.start) > before.lastIndexOf("*/", c.start);
}

/**
 * Whether a diagnostic in `file` covers the changed span: its message may quote the source
 * (`'nn . Conv2d' is not callable`), comments and spacing included, so it must be recomputed.
 */
export function diagnosticsCover(analysis: FileAnalysis, file: string, oldSf: ts.SourceFile, span: { start: number; end: number }): boolean {
  const covers = (loc: { file: string; range: { start: Position; end: Position } }): boolean => {
    if (loc.file !== file) return false;
    return offsetAt(oldSf, loc.range.start) <= span.end && offsetAt(oldSf, loc.range.end) >= span.start;
  };
  return analysis.diagnostics.some((d) => covers(d.location) || d.related.some((r) => covers(r.location)));
}

/**
 * The position objects of every location in `file` that `analysis` holds (each once, even where
 * locations share them), as range starts (where a token starts) and range ends (where one ends):
 * what an edit of comments or whitespace moves.
 */
export interface HeldPositions {
  /** Range starts only. */
  readonly starts: readonly Position[];
  /** Range ends only. */
  readonly ends: readonly Position[];
  /** Objects that are the start of one range and the end of another. */
  readonly both: readonly Position[];
}

export function positionsIn(analysis: FileAnalysis, file: string): HeldPositions {
  const seen = new Set<object>();
  const starts = new Set<Position>();
  const ends = new Set<Position>();
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
      starts.add(range.start);
      ends.add(range.end);
      return;
    }
    for (const key in source) walk(source[key]);
  };
  walk(analysis);
  return { starts: [...starts].filter((p) => !ends.has(p)), ends: [...ends].filter((p) => !starts.has(p)), both: [...starts].filter((p) => ends.has(p)) };
}

/** The two parses of a trivia-only edit: the old text's and the new one's, with their fingerprints (equal keys). */
export interface TriviaEdit {
  readonly oldSf: ts.SourceFile;
  readonly newSf: ts.SourceFile;
  readonly before: SyntaxFingerprint;
  readonly after: SyntaxFingerprint;
  readonly change: TextChange;
}

/**
 * Moves positions of the old text to where their tokens are in the new one, in place, or returns
 * false (moving nothing) when a position's token cannot be told. A range start moves with the
 * token starting at or before it, a range end with the token starting before it (the token it
 * ends), both by the distance that token moved; the tokens are the same in both texts (equal
 * fingerprints). Positions before the edit stay. After the edit, once every token has moved by the
 * edit's length (checked once), a position moves by whole lines, and only those on the edit's last
 * line need their column recomputed. The analysis holding them becomes the new text's: the
 * snapshot of the old text must not be read again.
 */
export function movePositions(held: HeldPositions, e: TriviaEdit): boolean {
  const from = e.before.anchors;
  const to = e.after.anchors;
  if (from.length !== to.length) return false;
  const { change } = e;
  const delta = change.newEnd - change.end;
  const oldLines = e.oldSf.getLineStarts();
  const lastLine = e.oldSf.getLineAndCharacterOfPosition(change.end).line;
  const lineDelta = e.newSf.getLineAndCharacterOfPosition(change.newEnd).line - lastLine;
  const shiftedFrom = firstShifted(from, to, change.end, delta);
  const moves: { p: Position; to: Position }[] = [];
  const target = (offset: number, strictly: boolean): number => {
    if (offset < change.start || (strictly && offset === change.start)) return offset;
    if (offset > shiftedFrom || (!strictly && offset === shiftedFrom)) return offset + delta;
    const i = lastAnchor(from, offset, strictly);
    return i < 0 ? offset : to[i]! + (offset - from[i]!);
  };
  const plan = (p: Position, asStart: boolean, asEnd: boolean): boolean => {
    const offset = oldLines[p.line]! + p.character;
    const s = asStart ? target(offset, false) : undefined;
    const n = asEnd ? target(offset, true) : s;
    if (s !== undefined && n !== s) return false;
    if (n === undefined || n === offset) return true;
    const far = n - offset === delta && offset >= change.end && p.line > lastLine;
    moves.push({ p, to: far ? { line: p.line + lineDelta, character: p.character } : e.newSf.getLineAndCharacterOfPosition(n) });
    return true;
  };
  for (const p of held.starts) if (!plan(p, true, false)) return false;
  for (const p of held.ends) if (!plan(p, false, true)) return false;
  for (const p of held.both) if (!plan(p, true, true)) return false;
  for (const m of moves) {
    m.p.line = m.to.line;
    m.p.character = m.to.character;
  }
  return true;
}

/** The first old anchor from which every token, to the last, moved by exactly `delta` and lies after the edit (Infinity if none). */
function firstShifted(from: readonly number[], to: readonly number[], end: number, delta: number): number {
  let k = from.length;
  while (k > 0 && from[k - 1]! >= end && to[k - 1]! - from[k - 1]! === delta) k--;
  return k < from.length ? from[k]! : Infinity;
}

/** The index of the last anchor at or before `offset` (strictly before when `strictly`), or -1. */
function lastAnchor(anchors: readonly number[], offset: number, strictly: boolean): number {
  let lo = 0;
  let hi = anchors.length - 1;
  const fits = (a: number): boolean => (strictly ? a < offset : a <= offset);
  if (hi < 0 || !fits(anchors[0]!)) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (fits(anchors[mid]!)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function isRange(x: unknown): x is { start: Position; end: Position } {
  if (typeof x !== "object" || x === null) return false;
  const r = x as { start?: unknown; end?: unknown };
  return isPosition(r.start) && isPosition(r.end);
}

function isPosition(x: unknown): x is Position {
  return typeof x === "object" && x !== null && typeof (x as Position).line === "number" && typeof (x as Position).character === "number";
}
