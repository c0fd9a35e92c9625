import ts = require("typescript");

/**
 * Re-parsing after an edit with TypeScript's incremental parser (`ts.updateSourceFile`): the nodes
 * the edit cannot have changed are taken over from the previous tree, so a keystroke costs a
 * fraction of a full parse. The previous tree must not be read after this: TypeScript moves and
 * marks its nodes in place (see AnalyzerHost.willReparse).
 */

/** The edit between two texts as the smallest single replacement: `before[start, end)` became `after[start, newEnd)`. */
export interface TextChange {
  readonly start: number;
  readonly end: number;
  readonly newEnd: number;
}

export function textChange(before: string, after: string): TextChange {
  let start = 0;
  const n = Math.min(before.length, after.length);
  while (start < n && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = before.length;
  let newEnd = after.length;
  while (end > start && newEnd > start && before.charCodeAt(end - 1) === after.charCodeAt(newEnd - 1)) {
    end--;
    newEnd--;
  }
  return { start, end, newEnd };
}

/** The tree of `text` (already guarded, see parseGuard.ts), re-parsed from `previous`'s. */
export function reparse(previous: ts.SourceFile, text: string): ts.SourceFile {
  const c = textChange(previous.text, text);
  const range: ts.TextChangeRange = { span: { start: c.start, length: c.end - c.start }, newLength: c.newEnd - c.start };
  return ts.updateSourceFile(previous, text, range);
}
