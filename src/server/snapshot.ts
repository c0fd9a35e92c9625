import type ts = require("typescript");
import type { FileAnalysis } from "../shared/analysis";
import { AnalysisIndex } from "./analysisIndex";
import { syntaxFingerprint, type SyntaxFingerprint } from "./analysisReuse";

/** What an analysis read: each file's text, or undefined for a file looked for in vain. */
export type ReadTexts = ReadonlyMap<string, string | undefined>;

/** One analysis of one document: the text analysed, its syntax tree, the result, and lookups into it. */
export class Snapshot {
  private index_: AnalysisIndex | undefined;
  private fingerprint_: SyntaxFingerprint | null | undefined;

  constructor(
    readonly file: string,
    readonly uri: string,
    /** The document version analysed; null for a file read from disk. */
    readonly version: number | null,
    readonly sourceFile: ts.SourceFile,
    readonly analysis: FileAnalysis,
    readonly analysisMs: number,
    /** The texts the analysis read, when it may be reused after an edit (see analysisReuse.ts). */
    readonly reads?: ReadTexts,
  ) {}

  /** The syntax of the text analysed (computed once, when an edit asks whether it changed). */
  get fingerprint(): SyntaxFingerprint | undefined {
    if (this.fingerprint_ === undefined) {
      const text = this.reads?.get(this.file);
      this.fingerprint_ = (text !== undefined && syntaxFingerprint(this.sourceFile, text)) || null;
    }
    return this.fingerprint_ ?? undefined;
  }

  /** Sets the fingerprint when it is known already (computed to decide a reuse). */
  withFingerprint(f: SyntaxFingerprint | undefined): this {
    this.fingerprint_ = f ?? null;
    return this;
  }

  get index(): AnalysisIndex {
    this.index_ ??= new AnalysisIndex(this.analysis);
    return this.index_;
  }

  /** Whether the analysis read `file` (the document itself or one of its imports). */
  dependsOn(file: string): boolean {
    return this.analysis.dependencies.includes(file);
  }
}
