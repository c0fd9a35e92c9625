/**
 * A small reader of the repository's Markdown for the documentation tests: headings with their
 * sections, GitHub's heading anchors, code spans, fenced blocks, table rows and links.
 */

export interface Section {
  level: number;
  /** The heading as written, without the leading `#`s. */
  title: string;
  /** The lines after the heading up to the next heading of any level. */
  body: string;
}

export interface Fence {
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
}

/** The text with fenced code blocks blanked out (line numbers kept), so prose checks skip them. */
export function withoutFences(md: string): string {
  let inFence = false;
  return md
    .split("\n")
    .map((line) => {
      if (/^\s*```/.test(line)) {
        inFence = !inFence;
        return "";
      }
      return inFence ? "" : line;
    })
    .join("\n");
}

export function fences(md: string): Fence[] {
  const out: Fence[] = [];
  let open: { lang: string; line: number; lines: string[] } | undefined;
  md.split("\n").forEach((line, i) => {
    const m = /^\s*```(\S*)/.exec(line);
    if (m && !open) open = { lang: m[1] ?? "", line: i + 1, lines: [] };
    else if (m && open) {
      out.push({ lang: open.lang, code: open.lines.join("\n"), line: open.line });
      open = undefined;
    } else open?.lines.push(line);
  });
  return out;
}

export function sections(md: string): Section[] {
  const out: Section[] = [];
  let current: { level: number; title: string; lines: string[] } | undefined;
  for (const line of withoutFences(md).split("\n")) {
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      if (current) out.push({ level: current.level, title: current.title, body: current.lines.join("\n") });
      current = { level: h[1]!.length, title: h[2]!, lines: [] };
    } else current?.lines.push(line);
  }
  if (current) out.push({ level: current.level, title: current.title, body: current.lines.join("\n") });
  return out;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, duplicates numbered. */
export function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const s of sections(md)) {
    const base = s.title
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The contents of the inline code spans (`x`) of prose (fenced blocks excluded). */
export function codeSpans(md: string): string[] {
  const text = withoutFences(md);
  const out: string[] = [];
  for (const m of text.matchAll(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g)) out.push(m[2]!.trim());
  return out;
}

/** The cells of each table row (header and separator rows included; the caller filters). */
export function tableRows(body: string): string[][] {
  return body
    .split("\n")
    .filter((l) => /^\s*\|.*\|\s*$/.test(l))
    .map((l) =>
      l
        .trim()
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
}

/** Inline links and images `[text](target)` of prose: the targets, with their 1-based lines. */
export function links(md: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  withoutFences(md)
    .split("\n")
    .forEach((line, i) => {
      const prose = line.replace(/(`+)[^`]*?\1/g, "");
      for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ target: m[1]!, line: i + 1 });
    });
  return out;
}

/** The text of a code span with its backticks removed: `` `1` `` → `1`. */
export function unquote(cell: string): string {
  return cell.replace(/`/g, "").trim();
}
