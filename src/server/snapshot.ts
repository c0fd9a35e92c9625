import type ts = require("typescript");
import type { FileAnalysis } from "../shared/analysis";
import { AnalysisIndex } from "./analysisIndex";

/** One analysis of one document: the text analysed, its syntax tree, the result, and lookups into it. */
export class Snapshot {
  private index_: AnalysisIndex | undefined;

  constructor(
    readonly file: string,
    readonly uri: string,
    /** The document version analysed; null for a file read from disk. */
    readonly version: number | null,
    readonly sourceFile: ts.SourceFile,
    readonly analysis: FileAnalysis,
    readonly analysisMs: number,
  ) {}

  get index(): AnalysisIndex {
    this.index_ ??= new AnalysisIndex(this.analysis);
    return this.index_;
  }

  /** Whether the analysis read `file` (the document itself or one of its imports). */
  dependsOn(file: string): boolean {
    return this.analysis.dependencies.includes(file);
  }
}
