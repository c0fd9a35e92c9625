import type ts = require("typescript");
import type { FileAnalysis } from "../shared/analysis";
import { AnalysisIndex } from "./analysisIndex";
import { positionsIn, syntaxFingerprint, type HeldPositions, type SyntaxFingerprint } from "./analysisReuse";

/** What an analysis read: each file's text, or undefined for a file looked for in vain. */
export type ReadTexts = ReadonlyMap<string, string | undefined>;

/** One analysis of one document: the text analysed, its syntax tree, the result, and lookups into it. */
export class Snapshot {
  private index_: AnalysisIndex | undefined;
  private fingerprint_: SyntaxFingerprint | null | undefined;
  private positions_: HeldPositions | undefined;

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

  /**
   * Reads now what reusing this analysis after an edit needs of its syntax tree, which the
   * analyzer is about to re-parse incrementally (moving its nodes): the fingerprint (only when the
   * edit may be reused, see mayChangeOnlyTrivia; otherwise this analysis is never reused) and the lines.
   */
  freeze(mayReuse: boolean): void {
    if (mayReuse) void this.fingerprint;
    else this.fingerprint_ ??= null;
    this.sourceFile.getLineStarts();
  }

  /** The positions in this file that the analysis holds (collected once, when an edit moves them). */
  get positions(): HeldPositions {
    this.positions_ ??= positionsIn(this.analysis, this.file);
    return this.positions_;
  }

  /**
   * The snapshot of an edit that changed no syntax, holding `previous`'s analysis with its positions
   * moved: it takes over the lookups built on it (they hold the same, moved, ranges).
   */
  takeOver(previous: Snapshot, fingerprint: SyntaxFingerprint): this {
    this.fingerprint_ = fingerprint;
    this.positions_ = previous.positions;
    this.index_ = previous.index_;
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
