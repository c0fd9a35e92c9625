/**
 * Text from model files (names, keys, paths, messages quoting them) must not act on the terminal:
 * an ESC can rewrite the screen, a BEL rings, a CR overwrites the line, U+2028 and bidi overrides
 * reorder or hide what is shown. Such characters are written as `\uXXXX` escapes (what JSON uses,
 * so a `--json` document stays valid and means the same).
 */

/** C0 controls, DEL, C1 controls, U+2028/U+2029 and the bidirectional embeddings, overrides and isolates. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same, sparing the line feeds and tabs of multi-line output. */
const CONTROLS_IN_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** A name or value shown on one line (a table cell): every control character escaped, newlines too. */
export function escapeControls(s: string): string {
  return s.replace(CONTROLS, escape);
}

/** Whole output (lines of a table, messages): control characters escaped, line feeds and tabs kept. */
export function terminalText(s: string): string {
  return s.replace(CONTROLS_IN_TEXT, escape);
}
