import type { Count, Diagnostic, FileAnalysis, ModelAnalysis } from "../shared/analysis";

/**
 * The `summary --json` document, exactly the contract's schema (model-language.md, "The command line").
 * Counts above 2^53 are decimal strings (a `Count` already is).
 */

export interface SummaryJson {
  file: string;
  models: {
    name: string;
    /** Present (false) only when the forward pass stopped at an error: layers, macs and activationBytes are partial. */
    complete?: false;
    inputs: ModelAnalysis["inputs"];
    output: ModelAnalysis["output"];
    params: Count;
    trainableParams: Count;
    macs: Count;
    paramBytes: Count;
    activationBytes: Count;
    layers: {
      path: string;
      type: string;
      output: ModelAnalysis["layers"][number]["output"];
      /** A custom leaf whose forward returns several tensors: all of them. */
      outputs?: ModelAnalysis["layers"][number]["outputs"];
      params: Count;
      macs: Count;
      receptiveField: ModelAnalysis["layers"][number]["receptiveField"];
    }[];
  }[];
  diagnostics: { severity: Diagnostic["severity"]; message: string; line: number; column: number; file?: string }[];
}

export function summaryJson(displayFile: string, analysis: FileAnalysis, models: readonly ModelAnalysis[]): SummaryJson {
  return {
    file: displayFile,
    models: models.map((m) => ({
      name: m.name,
      ...(m.complete ? {} : { complete: false as const }),
      inputs: m.inputs,
      output: m.output,
      params: m.params,
      trainableParams: m.trainableParams,
      macs: m.macs,
      paramBytes: m.paramBytes,
      activationBytes: m.activationBytes,
      layers: m.layers.map((l) => ({
        path: l.path,
        type: l.type,
        output: l.output,
        ...(l.outputs !== undefined ? { outputs: l.outputs } : {}),
        params: l.params,
        macs: l.macs,
        receptiveField: l.receptiveField,
      })),
    })),
    diagnostics: analysis.diagnostics.map((d) => ({
      severity: d.severity,
      message: d.message,
      line: d.location.range.start.line + 1,
      column: d.location.range.start.character + 1,
      ...(d.location.file !== analysis.file ? { file: d.location.file } : {}),
    })),
  };
}
