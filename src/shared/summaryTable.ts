import type { ModelAnalysis } from "./analysis";
import { formatCount, formatMB, formatMetric, formatShapeText } from "./format";

/** A torchinfo-like table of one model: a row per leaf-module call, then totals and memory. */

interface Column {
  title: string;
  align: "left" | "right";
  cell: (l: ModelAnalysis["layers"][number]) => string;
}

const COLUMNS: Column[] = [
  { title: "Layer (path)", align: "left", cell: (l) => l.path },
  { title: "Type", align: "left", cell: (l) => l.type },
  { title: "Output shape", align: "left", cell: (l) => formatShapeText(l.output) },
  { title: "Param #", align: "right", cell: (l) => (l.params ? formatCount(l.params) : "--") },
  { title: "MACs", align: "right", cell: (l) => (l.macs ? formatCount(l.macs) : "--") },
  { title: "RF", align: "right", cell: (l) => (l.receptiveField ? `${l.receptiveField.size[0]}×${l.receptiveField.size[1]}/${l.receptiveField.jump[0]}` : "--") },
];

export function summaryTable(m: ModelAnalysis): string {
  const rows = m.layers.map((l) => COLUMNS.map((c) => c.cell(l)));
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((s, i) => (COLUMNS[i]!.align === "left" ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join("  ").trimEnd();
  const width = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  const thin = "─".repeat(width);
  const thick = "═".repeat(width);
  const out: string[] = [];
  out.push(thick, `Model: ${m.name}`, thin, line(COLUMNS.map((c) => c.title)), thin);
  for (const r of rows) out.push(line(r));
  out.push(thick);
  const outShape = m.output === null ? "(not computed: see the errors)" : Array.isArray(m.output[0]) ? (m.output as (string | number)[][]).map((s) => formatShapeText(s)).join(", ") : formatShapeText(m.output as (string | number)[]);
  out.push(`Input: ${m.inputs.map((s) => formatShapeText(s)).join(", ")}    Output: ${outShape}`);
  out.push(`Total params: ${formatCount(m.params)}`);
  out.push(`Trainable params: ${formatCount(m.trainableParams)}`);
  out.push(`Non-trainable params: ${formatCount(m.params - m.trainableParams)}`);
  out.push(`Buffers (e.g. BatchNorm running statistics): ${formatCount(m.buffers)}`);
  const batchNote = m.inputs.some((s) => typeof s[0] === "string") ? " per sample" : "";
  out.push(`MACs${batchNote}: ${formatMetric(m.macs)} (${formatCount(m.macs)})`);
  out.push(thin);
  const inputBytes = m.inputs.reduce((a, s) => a + 4 * s.reduce<number>((p, d) => p * (typeof d === "number" ? d : 1), 1), 0);
  out.push(`Input size (MB): ${formatMB(inputBytes)}`);
  out.push(`Forward activations size (MB${batchNote}): ${formatMB(m.activationBytes)}`);
  out.push(`Params size (MB): ${formatMB(m.paramBytes)}`);
  out.push(`Buffers size (MB): ${formatMB(m.bufferBytes)}`);
  out.push(`Estimated total for inference (MB): ${formatMB(inputBytes + m.activationBytes + m.paramBytes + m.bufferBytes)}`);
  // Training keeps the activations for backward, a gradient per parameter and Adam's two moments.
  const training = inputBytes + 2 * m.activationBytes + 4 * m.paramBytes + m.bufferBytes;
  out.push(`Estimated total for training with Adam (MB${batchNote}): ${formatMB(training)}`);
  out.push(thick);
  return out.join("\n");
}
