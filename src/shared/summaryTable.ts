import type { ModelAnalysis } from "./analysis";
import { countBig, product, toCount } from "./count";
import { formatCount, formatFieldShort, formatMB, formatMetric, formatShapeText } from "./format";
import { outputText } from "./outputs";
import { escapeControls } from "./terminal";

/** A torchinfo-like table of one model: a row per leaf-module call, then totals and memory. */

interface Column {
  title: string;
  align: "left" | "right";
  cell: (l: ModelAnalysis["layers"][number]) => string;
}

const COLUMNS: Column[] = [
  { title: "Layer (path)", align: "left", cell: (l) => escapeControls(l.path) },
  { title: "Type", align: "left", cell: (l) => escapeControls(l.type) },
  { title: "Output shape", align: "left", cell: (l) => formatShapeText(l.output) },
  { title: "Param #", align: "right", cell: (l) => (l.params ? formatCount(l.params) : "--") },
  { title: "MACs", align: "right", cell: (l) => (l.macs ? formatCount(l.macs) : "--") },
  {
    title: "RF",
    align: "right",
    cell: (l) => (l.receptiveField ? formatFieldShort(l.receptiveField) : "--"),
  },
];

/** Said under the model's name when its forward pass stopped at an error. */
export const INCOMPLETE_NOTE = "INCOMPLETE: analysis stopped at an error (see below); the layers, MACs and activation sizes cover only the part analysed";

export function summaryTable(m: ModelAnalysis): string {
  const rows = m.layers.map((l) => COLUMNS.map((c) => c.cell(l)));
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((s, i) => (COLUMNS[i]!.align === "left" ? s.padEnd(widths[i]!) : s.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  const width = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  const thin = "─".repeat(width);
  const thick = "═".repeat(width);
  const out: string[] = [];
  out.push(thick, `Model: ${escapeControls(m.name)}`);
  if (!m.complete) out.push(INCOMPLETE_NOTE);
  out.push(thin, line(COLUMNS.map((c) => c.title)), thin);
  for (const r of rows) out.push(line(r));
  out.push(thick);
  const outShape = m.output === null ? "(not computed: see the errors)" : outputText(m.output, (s) => formatShapeText(s));
  out.push(`Input: ${m.inputs.map((s) => formatShapeText(s)).join(", ")}    Output: ${outShape}`);
  out.push(`Total params: ${formatCount(m.params)}`);
  out.push(`Trainable params: ${formatCount(m.trainableParams)}`);
  out.push(`Non-trainable params: ${formatCount(toCount(countBig(m.params) - countBig(m.trainableParams)))}`);
  out.push(`Buffers (e.g. BatchNorm running statistics): ${formatCount(m.buffers)}`);
  const batchNote = m.inputs.some((s) => typeof s[0] === "string") ? " per sample" : "";
  // partial figures: only the part of the forward pass analysed before the error
  const atLeast = m.complete ? "" : "at least ";
  out.push(`MACs${batchNote}: ${atLeast}${formatMetric(m.macs)} (${formatCount(m.macs)})`);
  out.push(thin);
  // Exact (bigint) sums: counts may exceed 2^53.
  const inputBytes = m.inputs.reduce((a, s) => a + 4n * product(...s.map((d) => (typeof d === "number" ? d : 1))), 0n);
  const [activations, params, buffers] = [m.activationBytes, m.paramBytes, m.bufferBytes].map(countBig) as [bigint, bigint, bigint];
  out.push(`Input size (MB): ${formatMB(toCount(inputBytes))}`);
  out.push(`Forward activations size (MB${batchNote}): ${atLeast}${formatMB(m.activationBytes)}`);
  out.push(`Params size (MB): ${formatMB(m.paramBytes)}`);
  out.push(`Buffers size (MB): ${formatMB(m.bufferBytes)}`);
  out.push(`Estimated total for inference (MB): ${atLeast}${formatMB(toCount(inputBytes + activations + params + buffers))}`);
  // Training keeps the activations for backward, a gradient per parameter and Adam's two moments.
  const training = inputBytes + 2n * activations + 4n * params + buffers;
  out.push(`Estimated total for training with Adam (MB${batchNote}): ${atLeast}${formatMB(toCount(training))}`);
  out.push(thick);
  return out.join("\n");
}
