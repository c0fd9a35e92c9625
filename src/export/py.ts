/**
 * A small model of Python expressions for the exporter, and a printer that lays them out like
 * Black: an expression stays on one line when it fits, otherwise its last bracket breaks with one
 * item per line and a trailing comma. Comments attached to bracket items force the break.
 */

/** Python operator precedences, lowest first (the Python reference's table). */
export const P = {
  lambda: 1,
  ifElse: 2,
  or: 3,
  and: 4,
  not: 5,
  compare: 6,
  bitOr: 7,
  bitXor: 8,
  bitAnd: 9,
  shift: 10,
  sum: 11,
  term: 12,
  unary: 13,
  power: 14,
  primary: 16,
  atom: 17,
} as const;

export interface Atom {
  readonly k: "atom";
  readonly s: string;
  readonly p: number;
}

export interface Seq {
  readonly k: "seq";
  readonly parts: readonly Py[];
  readonly p: number;
}

export interface Item {
  readonly py: Py;
  /** A comment after the item (`  # …`), from the source. */
  readonly comment?: string;
  /** Comment lines before the item, from the source. */
  readonly leading?: readonly string[];
  /** In the source, the item starts on the line where the previous one ends: keep them on one line. */
  readonly sameLine?: boolean;
}

/** Brackets around items separated by commas. */
export interface Group {
  readonly k: "group";
  readonly open: string;
  readonly close: string;
  readonly items: readonly Item[];
  /** `trailing`: a comma after the last item when broken; `none`: never (subscripts, parentheses); `always`: 1-tuples. */
  readonly comma: "trailing" | "none" | "always";
  readonly p: number;
  /** The source wrote the items on their own lines: keep the brackets broken (Black's magic trailing comma). */
  readonly multiline?: boolean;
}

/**
 * Operands joined by operators (`a if c else b`, `a and b and c`): when it does not fit, each
 * line goes on its own line inside parentheses, Black-style.
 */
export interface Chain {
  readonly k: "chain";
  readonly lines: readonly Py[];
  readonly p: number;
}

export type Py = Atom | Seq | Group | Chain;

export const atom = (s: string, p: number = P.atom): Atom => ({ k: "atom", s, p });
export const seq = (parts: readonly Py[], p: number): Seq => ({ k: "seq", parts, p });
export const group = (
  open: string,
  items: readonly (Item | Py)[],
  close: string,
  comma: Group["comma"] = "trailing",
  p: number = P.atom,
  multiline = false,
): Group => ({
  k: "group",
  open,
  close,
  items: items.map(toItem),
  comma,
  p,
  ...(multiline ? { multiline } : {}),
});

/** The same brackets, kept broken as in the source. */
export function asMultiline(e: Py, multiline: boolean): Py {
  if (!multiline) return e;
  if (e.k === "group") return { ...e, multiline: true };
  if (e.k === "seq") {
    const last = e.parts[e.parts.length - 1];
    if (last && last.k === "group") return { ...e, parts: [...e.parts.slice(0, -1), { ...last, multiline: true }] };
  }
  return e;
}

function toItem(x: Item | Py): Item {
  return "py" in x ? x : { py: x };
}

/** Parenthesises `e` when its precedence is below `min`. */
export function wrap(e: Py, min: number): Py {
  return e.p >= min ? e : group("(", [e], ")", "none");
}

/**
 * The names context: what the exporter writes as a Python name (a variable, an attribute, a keyword
 * argument) is made of identifier characters only, whatever the model file held (`a-b\nc` → `a_b_c`);
 * a name that needed this is also reported where it is made (safeName, fieldName).
 */
export function identifierChars(n: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) return n;
  const s = n.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[A-Za-z_]/.test(s) ? s : `_${s}`;
}

export const name = (s: string): Atom => atom(identifierChars(s));
export const attr = (obj: Py, n: string): Py => seq([wrap(obj, P.primary), atom(`.${identifierChars(n)}`)], P.primary);
export const call = (callee: Py, args: readonly (Item | Py)[]): Py => seq([wrap(callee, P.primary), group("(", args, ")")], P.primary);
export const subscript = (obj: Py, index: Py): Py => seq([wrap(obj, P.primary), group("[", [index], "]", "none")], P.primary);
export const kwarg = (k: string, v: Py): Py => seq([atom(`${identifierChars(k)}=`), wrap(v, P.lambda)], P.lambda);
export const star = (v: Py, stars = "*"): Py => seq([atom(stars), wrap(v, P.bitOr)], P.lambda);
export const list = (items: readonly (Item | Py)[]): Py => group("[", items, "]");
export const tuple = (items: readonly (Item | Py)[]): Py => group("(", items, ")", items.length === 1 ? "always" : "trailing");
export const dict = (entries: readonly (Item | Py)[]): Py => group("{", entries, "}");
export const entry = (k: Py, v: Py): Py => seq([k, atom(": "), wrap(v, P.lambda)], P.lambda);

const NON_ASSOC = new Set<number>([P.compare, P.power]);

/** `l op r` with the precedence `p`; left-associative except comparisons (never chained) and `**`. */
export function binary(l: Py, op: string, r: Py, p: number): Py {
  const lmin = p === P.power ? p + 1 : NON_ASSOC.has(p) ? p + 1 : p;
  const rmin = p === P.power ? p : p + 1;
  return seq([wrap(l, lmin), atom(` ${op} `), wrap(r, rmin)], p);
}

export function unary(op: string, v: Py): Py {
  if (op === "not") return seq([atom("not "), wrap(v, P.not)], P.not);
  return seq([atom(op), wrap(v, P.unary)], P.unary);
}

export function ifElse(cond: Py, a: Py, b: Py): Py {
  return {
    k: "chain",
    lines: [wrap(a, P.ifElse + 1), seq([atom("if "), wrap(cond, P.ifElse + 1)], P.ifElse), seq([atom("else "), wrap(b, P.ifElse)], P.ifElse)],
    p: P.ifElse,
  };
}

/** `a and b`, `a or b`: a chain, flattening operands that are the same operator's chains. */
export function logical(l: Py, op: "and" | "or", r: Py): Py {
  const p = op === "and" ? P.and : P.or;
  const ops = (x: Py): Py[] => (x.k === "chain" && x.p === p ? [...x.lines] : [wrap(x, p + (x === r ? 1 : 0))]);
  const left = ops(l);
  const right = r.k === "chain" && r.p === p ? [wrap(r, p + 1)] : [wrap(r, p + 1)];
  return { k: "chain", lines: [...left, ...right.map((x) => seq([atom(`${op} `), x], p))], p };
}

// ---------------------------------------------------------------------------------------------
// Literals

/**
 * Line terminators of any reader of the exported file: Python's tokenizer (`\r\n`, `\r`, `\n`),
 * TypeScript (also U+2028, U+2029), and `str.splitlines()` and editors (also `\v`, `\f`, `\x1c`–`\x1e`,
 * U+0085). Text from a model file that holds one of these must never reach the output raw.
 */
export const LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;
const LINE_BREAKS = new RegExp(LINE_BREAK.source, "g");

/** Characters that are not written raw in Python source: C0 and C1 controls, DEL, U+2028, U+2029, lone surrogates (tab is kept). */
const UNSAFE_CHAR = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The Python escape of one unsafe character (`\x0b`, `\u2028`). */
function escapeChar(ch: string): string {
  const c = ch.codePointAt(0)!;
  if (ch === "\n") return "\\n";
  if (ch === "\r") return "\\r";
  return c < 0x100 ? `\\x${c.toString(16).padStart(2, "0")}` : `\\u${c.toString(16).padStart(4, "0")}`;
}

/** A Python string literal with the given quote (double by default). */
export function pyString(s: string, quote: '"' | "'" = '"'): string {
  let out = quote;
  for (const ch of s) {
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === "\t") out += "\\t";
    else out += ch.replace(UNSAFE_CHAR, escapeChar);
  }
  return out + quote;
}

/**
 * Text from the model file as the lines of a Python comment (`# …` each): every line terminator
 * starts a new comment line, other control characters are written as escapes.
 */
export function commentLines(text: string): string[] {
  return splitLines(text).map(commentLine);
}

/** Text split at every line terminator of LINE_BREAK. */
export function splitLines(text: string): string[] {
  return text.split(LINE_BREAKS);
}

/** One Python comment line (`# …`) for text that must stay on one line: line terminators are escaped too. */
export function commentLine(text: string): string {
  return `# ${commentBody(text)}`.trimEnd();
}

/** Text for inside a comment: no line terminator and no control character survives raw. */
export function commentBody(text: string): string {
  return text.replace(UNSAFE_CHAR, escapeChar);
}

/**
 * The first line of a Python file as a comment. Python reads an encoding declaration on it
 * (`coding: utf-7`, PEP 263) that would decode the rest of the file differently from how it was
 * escaped: a `coding` followed by `:` or `=` in the text is written `coding\x3a`.
 */
export function firstLineComment(text: string): string {
  return commentLine(text).replace(/coding([:=])/g, (_m, c: string) => `coding\\x${c.charCodeAt(0).toString(16)}`);
}

/**
 * The text of a (non-raw) Python docstring: backslashes and `"""` escaped, every line terminator
 * a `\n`, other control characters escapes. `oneLine` escapes line terminators instead (names).
 */
export function docstringText(text: string, oneLine = false): string {
  const escaped = text.replace(/\\/g, "\\\\").replace(/"""/g, '\\"\\"\\"');
  if (oneLine) return escaped.replace(UNSAFE_CHAR, escapeChar);
  return splitLines(escaped)
    .map((l) => l.replace(UNSAFE_CHAR, escapeChar))
    .join("\n");
}

// ---------------------------------------------------------------------------------------------
// Layout

export const WIDTH = 120;

/** The expression on one line, or null when a comment forces it onto several. */
export function flat(e: Py): string | null {
  switch (e.k) {
    case "atom":
      return e.s;
    case "seq": {
      let s = "";
      for (const p of e.parts) {
        const f = flat(p);
        if (f === null) return null;
        s += f;
      }
      return s;
    }
    case "chain": {
      const parts: string[] = [];
      for (const l of e.lines) {
        const f = flat(l);
        if (f === null) return null;
        parts.push(f);
      }
      return parts.join(" ");
    }
    case "group": {
      if (e.multiline && e.items.length > 0) return null;
      const items: string[] = [];
      for (const it of e.items) {
        if (it.comment !== undefined || (it.leading && it.leading.length > 0)) return null;
        const f = flat(it.py);
        if (f === null) return null;
        items.push(f);
      }
      const comma = e.comma === "always" && items.length === 1 ? "," : "";
      return `${e.open}${items.join(", ")}${comma}${e.close}`;
    }
  }
}

function breakable(e: Py): boolean {
  if (e.k === "group") return e.items.length > 0;
  if (e.k === "seq") return e.parts.some(breakable);
  return e.k === "chain";
}

function breakChain(c: Chain, indent: number, width: number): string {
  const inner = indent + 4;
  const pad = " ".repeat(inner);
  const lines = c.lines.map((l) => pad + render(l, inner, inner, 0, width));
  return `(\n${lines.join("\n")}\n${" ".repeat(indent)})`;
}

function lastLineLength(s: string, col: number): number {
  const i = s.lastIndexOf("\n");
  return i < 0 ? col + s.length : s.length - i - 1;
}

/**
 * Lays out `e` starting at column `col` of a line indented by `indent`, leaving `reserve`
 * characters for what follows it on the same line.
 */
export function render(e: Py, indent: number, col: number, reserve = 0, width = WIDTH): string {
  const f = flat(e);
  if (f !== null && col + f.length + reserve <= width) return f;
  if (e.k === "chain") return breakChain(e, indent, width);
  if (e.k === "group") {
    const only = e.items.length === 1 ? e.items[0] : undefined;
    if (only && e.open === "(" && e.comma === "none" && only.py.k === "chain" && !only.comment && !only.leading?.length)
      return breakChain(only.py, indent, width);
    // hug a single bracket argument: f([ … ]) rather than f(\n [ … ]\n)
    if (only && !e.multiline && e.comma !== "always" && only.py.k === "group" && only.py.items.length > 0 && !only.comment && !only.leading?.length) {
      return `${e.open}${render(only.py, indent, col + e.open.length, reserve + e.close.length, width)}${e.close}`;
    }
    return breakGroup(e, indent, width);
  }
  if (e.k === "seq") {
    let target = -1;
    for (let i = e.parts.length - 1; i >= 0; i--) {
      if (breakable(e.parts[i]!)) {
        target = i;
        break;
      }
    }
    if (target >= 0) {
      let out = "";
      let c = col;
      for (let i = 0; i < e.parts.length; i++) {
        const part = e.parts[i]!;
        let s: string;
        if (i < target) s = flat(part) ?? render(part, indent, c, 0, width);
        else if (i === target) {
          const rest = e.parts
            .slice(i + 1)
            .map((p) => flat(p) ?? "")
            .join("");
          s = render(part, indent, c, reserve + rest.length, width);
        } else s = render(part, indent, c, 0, width);
        out += s;
        c = lastLineLength(s, c);
      }
      return out;
    }
  }
  return f ?? "";
}

function breakGroup(g: Group, indent: number, width: number): string {
  const inner = indent + 4;
  const pad = " ".repeat(inner);
  const lines: string[] = [];
  /** The line being filled with items the source wrote on one line, while it has no comment. */
  let open = false;
  g.items.forEach((it, i) => {
    const last = i === g.items.length - 1;
    const comma = !last || g.comma !== "none" ? "," : "";
    const f = flat(it.py);
    const prev = lines.length ? lines[lines.length - 1]! : "";
    if (open && it.sameLine && !it.leading?.length && f !== null && prev.length + 1 + f.length + comma.length <= width) {
      lines[lines.length - 1] = `${prev} ${f}${comma}${it.comment !== undefined ? `  ${it.comment}` : ""}`;
      open = it.comment === undefined;
      return;
    }
    for (const l of it.leading ?? []) lines.push(`${pad}${l}`);
    const body = render(it.py, inner, inner, comma.length, width);
    lines.push(`${pad}${body}${comma}${it.comment !== undefined ? `  ${it.comment}` : ""}`);
    open = it.comment === undefined && !body.includes("\n");
  });
  return `${g.open}\n${lines.join("\n")}\n${" ".repeat(indent)}${g.close}`;
}

// ---------------------------------------------------------------------------------------------
// Names

export const PY_KEYWORDS = new Set([
  "False",
  "None",
  "True",
  "and",
  "as",
  "assert",
  "async",
  "await",
  "break",
  "class",
  "continue",
  "def",
  "del",
  "elif",
  "else",
  "except",
  "finally",
  "for",
  "from",
  "global",
  "if",
  "import",
  "in",
  "is",
  "lambda",
  "nonlocal",
  "not",
  "or",
  "pass",
  "raise",
  "return",
  "try",
  "while",
  "with",
  "yield",
]);

/** Names the generated code itself uses: user names never shadow them. */
export const RESERVED_NAMES = new Set([
  "self",
  "cls",
  "super",
  "len",
  "range",
  "max",
  "min",
  "sum",
  "int",
  "float",
  "str",
  "bool",
  "abs",
  "list",
  "dict",
  "tuple",
  "enumerate",
  "isinstance",
  "callable",
  "getattr",
  "setattr",
  "any",
  "all",
  "zip",
  "print",
  "ValueError",
  "TypeError",
  "math",
  "functools",
  "re",
  "torch",
  "nn",
  "F",
  "Tensor",
  "OrderedDict",
  "List",
  "Optional",
  "Union",
  "Callable",
  "Type",
  "MODELS",
  "INPUTS",
  "annotations",
  "_kwargs",
  "object",
  "datetime",
  "json",
  "os",
  "struct",
  "zlib",
  "load_checkpoint",
  "save_checkpoint",
  "copy",
  // ---- export: Version 2 ----
  "set",
  "scaled_dot_product_attention",
  // ---- checkpoints: the state_dict of a checkpoint of either format ----
  "checkpoint_state_dict",
]);

/** `inChannels` → `in_channels`, `_makeLayer` → `_make_layer`, `efficientnetB0` → `efficientnet_b0`; CONSTANTS stay. */
export function snake(n: string): string {
  const clean = n.replace(/\$/g, "_");
  if (/^[A-Z0-9_]+$/.test(clean) && /[A-Z]/.test(clean) && clean.length > 1) return clean;
  return clean
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/** A valid Python identifier for a user name (never a keyword nor a reserved name). */
export function safeName(n: string): string {
  let s = n.replace(/[^A-Za-z0-9_]/g, "_");
  if (/^[0-9]/.test(s)) s = `_${s}`;
  while (PY_KEYWORDS.has(s) || RESERVED_NAMES.has(s)) s = `${s}_`;
  return s;
}

export const isIdentifier = (s: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) && !PY_KEYWORDS.has(s);
