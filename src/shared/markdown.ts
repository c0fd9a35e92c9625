import { isWholeInput, type Count, type ModelAnalysis, type OutputShape, type ReceptiveField, type Shape } from "./analysis";
import { outputText } from "./outputs";
import { countNumber, product, toCount } from "./count";
import { formatBytes, formatCount, formatField, formatMetric, formatShapeText } from "./format";

/**
 * Markdown pieces for hovers and tooltips (the server's hovers, the extension's Models and Train
 * views). Only structure (bold, code, tables, line breaks), no colours or HTML, so it reads the
 * same in light, dark and high-contrast themes.
 */

/** Escapes text for use outside code spans. */
export function escape(text: string): string {
  return text.replace(/[\\`*_[\]|<>]/g, (c) => `\\${c}`);
}

/** A code span that survives backticks in its content. */
export function code(text: string): string {
  const fence = text.includes("`") ? "``" : "`";
  return `${fence}${text.includes("`") ? ` ${text} ` : text}${fence}`;
}

/** `[N, 64, 56, 56]`; several outputs are listed, named ones as an object; null (analysis stopped) is `?`. */
export function shapeText(shape: OutputShape | null): string {
  if (shape === null) return "?";
  return outputText(shape, (s) => formatShapeText(s));
}

/** `[N, 3, 224, 224] → [N, 64, 112, 112]`; several inputs are parenthesised. */
export function transition(inputs: readonly (Shape | null)[], output: OutputShape | null): string {
  const ins = inputs.length === 0 ? "?" : inputs.length === 1 ? shapeText(inputs[0]!) : `(${inputs.map((s) => shapeText(s)).join(", ")})`;
  return `${ins} → ${shapeText(output)}`;
}

/** A fenced block for the shape line: monospace, readable in every theme. */
export function shapeBlock(text: string): string {
  return "```text\n" + text + "\n```";
}

/** `118.01M (118,013,952)`, or just the count below a thousand. */
export function macsText(macs: Count): string {
  return countNumber(macs) >= 1000 ? `${formatMetric(macs)} (${formatCount(macs)})` : formatCount(macs);
}

/** Bytes of a float32 tensor of this shape (a symbolic batch counts as 1, like the analyzer). */
export function tensorBytes(shape: Shape): Count {
  return toCount(4n * product(...shape.map((d) => (typeof d === "number" ? d : 1))));
}

/** "per sample" for a symbolic batch, "for a batch of 8" for a numeric one. */
export function batchNote(model: ModelAnalysis): string {
  const batch = model.inputs[0]?.[0];
  return typeof batch === "number" ? `for a batch of ${batch}` : "per sample";
}

export function memoryText(bytes: Count, model: ModelAnalysis): string {
  return `${formatBytes(bytes)} ${batchNote(model)}`;
}

export function fieldText(rf: ReceptiveField | null): string | undefined {
  return rf ? formatField(rf) : undefined;
}

/** The span of receptive-field sizes over several instances: `43×43 … 427×427`. */
export function fieldRangeText(fields: readonly (ReceptiveField | null)[]): string | undefined {
  const known = fields.filter((f): f is ReceptiveField => f !== null);
  if (known.length === 0) return undefined;
  const texts = [...new Set(known.map((f) => formatField(f)))];
  if (texts.length === 1) return texts[0];
  // A field over the whole input is the widest of all.
  const area = (f: ReceptiveField): number => (isWholeInput(f) ? Infinity : f.size[0] * f.size[1]);
  const bySize = [...known].sort((a, b) => (area(a) === area(b) ? 0 : area(a) < area(b) ? -1 : 1));
  return `${formatField(bySize[0]!)} … ${formatField(bySize[bySize.length - 1]!)}`;
}

/** `Label: value` lines joined with hard line breaks. */
export function facts(lines: readonly (readonly [string, string | undefined])[]): string {
  return lines
    .filter((l): l is readonly [string, string] => l[1] !== undefined)
    .map(([k, v]) => `${k}: ${v}`)
    .join("  \n");
}

export function table(header: readonly string[], align: readonly ("l" | "r")[], rows: readonly (readonly string[])[]): string {
  const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  return [
    `| ${header.map(cell).join(" | ")} |`,
    `|${align.map((a) => (a === "r" ? "---:" : ":---")).join("|")}|`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");
}

/** `a, b, c (+4 more)`. */
export function listSome(items: readonly string[], max: number): string {
  if (items.length <= max) return items.join(", ");
  return `${items.slice(0, max).join(", ")} (+${items.length - max} more)`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

export { formatCount, formatMetric };
