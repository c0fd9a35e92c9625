import { createHash } from "node:crypto";
import * as fs from "node:fs";
import type ts = require("typescript");
import { Analyzer, type AnalyzerHost } from "../analyzer/index";
import type { Diagnostic, FileAnalysis } from "../shared/analysis";
import type { DidAnalyzeParams, ServerSettings } from "../shared/lsp";
import { DiagnosticsPublisher, type PublishTarget } from "./diagnosticsPublisher";
import type { OpenDocument, OpenDocuments } from "./documents";
import { textChange } from "../analyzer/incrementalParse";
import { diagnosticsCover, mayChangeOnlyTrivia, movePositions, syntaxFingerprint, type SyntaxFingerprint } from "./analysisReuse";
import { Snapshot, type ReadTexts } from "./snapshot";
import { quarantineKey } from "./workerProtocol";
import { pathToUri } from "./uris";

/**
 * Keeps every open model file analysed against the latest text of everything it reads.
 *
 * - An edit schedules re-analysis after `debounceMs` of quiet; a newer edit cancels the pending
 *   one, so only the latest text is ever analysed and published.
 * - A request (hover, hints, …) never waits for the debounce: it analyses a stale document at once.
 *   Results are tagged with the version they analysed and a result older than the document is
 *   never used.
 * - When a file changes (open buffer or disk), open model files whose last analysis read it are
 *   re-analysed too (debounced), and the client is asked to refresh hints and lenses.
 */

export interface SessionEvents {
  publish: PublishTarget["send"];
  analysed(params: DidAnalyzeParams): void;
  /** Hints and lenses of documents changed without an edit of theirs (a dependency changed). */
  viewsChanged(): void;
  log(message: string): void;
  /** Around each analysis, for the supervisor's watchdog. */
  analysisStarted?(file: string, textHash: string): void;
  analysisFinished?(): void;
}

export interface SessionOptions {
  settings(): ServerSettings;
  /** Texts (file + hash) whose analysis hung before: not analysed again until they change. */
  quarantined?: ReadonlySet<string>;
}

export function hashText(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

export class AnalysisSession {
  private readonly analyzer: Analyzer;
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Open model files whose snapshot no longer matches what they read. */
  private readonly stale = new Set<string>();
  /** Stale because a file they import changed: the client's hints and lenses need a refresh. */
  private readonly staleByDependency = new Set<string>();
  private readonly publisher: DiagnosticsPublisher;
  private viewsTimer: NodeJS.Timeout | undefined;
  /** The texts the analysis under way has read (for reusing it after an edit of comments). */
  private reads: Map<string, string | undefined> | undefined;
  /** Analyses run and analyses reused after an edit that changed no syntax (for tests). */
  readonly stats = { analysed: 0, reused: 0 };

  constructor(
    private readonly docs: OpenDocuments,
    private readonly events: SessionEvents,
    private readonly options: SessionOptions,
  ) {
    const host: AnalyzerHost = {
      readFile: (file) => {
        const text = this.readFile(file);
        this.reads?.set(file, text);
        return text;
      },
      willReparse: (file, previous, text) => {
        const s = this.snapshots.get(file);
        const before = s?.reads?.get(file);
        if (s?.sourceFile === previous) s.freeze(before !== undefined && mayChangeOnlyTrivia(before, text));
      },
    };
    this.analyzer = new Analyzer(host);
    this.publisher = new DiagnosticsPublisher({
      uriOf: (p) => this.uriOf(p),
      versionOf: (p) => this.docs.getByPath(p)?.document.version,
      send: (uri, diagnostics, version) => this.events.publish(uri, diagnostics, version),
    });
  }

  /** The text of a file: the open buffer, else the disk. */
  readFile(file: string): string | undefined {
    const open = this.docs.getByPath(file);
    if (open) return open.document.getText();
    try {
      return fs.readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
  }

  uriOf(file: string): string {
    return this.docs.getByPath(file)?.uri ?? pathToUri(file);
  }

  /** The syntax tree of a file's current text (the analyzer's cached parse when unchanged). */
  sourceFile(file: string): ts.SourceFile | undefined {
    const text = this.readFile(file);
    return text === undefined ? undefined : this.analyzer.parse(file, text);
  }

  // ---- document events ----------------------------------------------------------------------

  /** A newly opened model file is analysed at once: there is no typing to wait out. */
  opened(doc: OpenDocument): void {
    if (doc.isModelFile) this.markStale(doc.path, 0);
    this.markDependentsStale(doc.path);
  }

  changed(doc: OpenDocument): void {
    if (doc.isModelFile) this.markStale(doc.path);
    else this.forget(doc.path);
    this.markDependentsStale(doc.path);
  }

  closed(doc: OpenDocument): void {
    this.forget(doc.path);
    // Dependents now read the file from disk, which may differ from the closed buffer.
    this.markDependentsStale(doc.path);
  }

  /**
   * Files changed on disk (`workspace/didChangeWatchedFiles`). A created or deleted file may be
   * one an import looked for in vain (or found), which no analysis lists: every model is redone.
   */
  diskChanged(changes: readonly { file: string; kind: "created" | "changed" | "deleted" }[]): void {
    for (const c of changes) {
      if (this.docs.getByPath(c.file)) continue; // its open buffer is what counts
      if (c.kind === "changed") this.markDependentsStale(c.file);
      else {
        for (const s of this.snapshots.values()) {
          if (s.file === c.file) continue;
          this.staleByDependency.add(s.file);
          this.markStale(s.file);
        }
      }
    }
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    if (this.viewsTimer) clearTimeout(this.viewsTimer);
  }

  private forget(file: string): void {
    this.cancelTimer(file);
    this.stale.delete(file);
    this.staleByDependency.delete(file);
    if (this.snapshots.delete(file)) this.publisher.update(file, null);
  }

  private markStale(file: string, delay = this.options.settings().debounceMs): void {
    this.stale.add(file);
    this.cancelTimer(file);
    const timer = setTimeout(() => {
      this.timers.delete(file);
      this.guarded(() => {
        if (this.stale.has(file)) this.analyze(file);
      });
    }, delay);
    this.timers.set(file, timer);
  }

  private markDependentsStale(file: string): void {
    for (const s of this.snapshots.values()) {
      if (s.file !== file && s.dependsOn(file)) {
        this.staleByDependency.add(s.file);
        this.markStale(s.file);
      }
    }
  }

  private cancelTimer(file: string): void {
    const t = this.timers.get(file);
    if (t) {
      clearTimeout(t);
      this.timers.delete(file);
    }
  }

  private guarded(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.events.log(`CNN Studio: analysis failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }

  /** The diagnostics currently published for a file, from every analysis reporting into it. */
  diagnosticsOf(file: string): Diagnostic[] {
    return this.publisher.diagnosticsOf(file);
  }

  // ---- snapshots ----------------------------------------------------------------------------

  /** The up-to-date analysis of an open model file, analysing it now if an edit is pending. */
  snapshot(file: string): Snapshot | undefined {
    const doc = this.docs.getByPath(file);
    if (!doc?.isModelFile) return undefined;
    const s = this.snapshots.get(file);
    if (s && !this.stale.has(file) && s.version === doc.document.version) return s;
    return this.analyze(file);
  }

  /**
   * Analyses that know about `file`: its own (if it is an open model file), then those of open
   * model files that import it, all brought up to date.
   */
  snapshotsFor(file: string): Snapshot[] {
    const out: Snapshot[] = [];
    const own = this.snapshot(file);
    if (own) out.push(own);
    for (const s of [...this.snapshots.values()]) {
      if (s.file === file || !s.dependsOn(file)) continue;
      const fresh = this.snapshot(s.file);
      if (fresh) out.push(fresh);
    }
    return out;
  }

  /** An analysis of a file that is not open (for `cnnStudio/analysis`), from disk; not kept. */
  analyseClosed(file: string): Snapshot | undefined {
    const text = this.readFile(file);
    if (text === undefined) return undefined;
    const t0 = performance.now();
    const analysis = this.runAnalyzer(file, text);
    return new Snapshot(file, this.uriOf(file), null, this.analyzer.parse(file, text), analysis, performance.now() - t0);
  }

  private analyze(file: string): Snapshot | undefined {
    this.cancelTimer(file);
    this.stale.delete(file);
    const byDependency = this.staleByDependency.delete(file);
    const doc = this.docs.getByPath(file);
    if (!doc?.isModelFile) return undefined;
    const text = doc.document.getText();
    const version = doc.document.version;
    const t0 = performance.now();
    const previous = this.snapshots.get(file);
    const sourceFile = this.analyzer.parse(file, text);
    const reused = previous && !byDependency ? this.reuse(previous, text, sourceFile) : undefined;
    let snapshot: Snapshot;
    if (reused) {
      this.stats.reused++;
      snapshot = new Snapshot(file, doc.uri, version, sourceFile, reused.previous.analysis, performance.now() - t0, reused.reads);
      snapshot.takeOver(reused.previous, reused.fingerprint);
    } else {
      this.stats.analysed++;
      this.reads = new Map();
      let reads: ReadTexts | undefined;
      let analysis: FileAnalysis;
      try {
        analysis = this.runAnalyzer(file, text);
        reads = this.reads;
      } finally {
        this.reads = undefined;
      }
      const reusable = analysis.diagnostics.every((d) => d.code !== "analysis-timeout" && d.code !== "internal-error");
      snapshot = new Snapshot(file, doc.uri, version, sourceFile, analysis, performance.now() - t0, reusable ? reads : undefined);
    }
    const analysis = snapshot.analysis;
    this.snapshots.set(file, snapshot);
    this.events.analysed(summarise(snapshot));
    this.publisher.update(file, analysis.diagnostics);
    if (byDependency) this.scheduleViewsChanged();
    return snapshot;
  }

  /**
   * The previous analysis of a file, its positions moved with the edit, when the edit changed only
   * whitespace or comments (not JSDoc) and nothing else the analysis read has changed; otherwise
   * undefined (see analysisReuse.ts). The previous snapshot's analysis is moved in place: the
   * snapshot is replaced at once and never read again.
   */
  private reuse(
    previous: Snapshot,
    text: string,
    sourceFile: ts.SourceFile,
  ): { previous: Snapshot; reads: ReadTexts; fingerprint: SyntaxFingerprint } | undefined {
    const file = previous.file;
    const reads = previous.reads;
    const before = reads?.get(file);
    if (!reads || before === undefined) return undefined;
    // the cheap test first: most edits change code, and then nothing below is needed
    const change = textChange(before, text);
    if (!mayChangeOnlyTrivia(before, text, change)) return undefined;
    for (const [f, t] of reads) if (f !== file && this.readFile(f) !== t) return undefined;
    if (this.options.quarantined?.has(quarantineKey(file, hashText(text)))) return undefined;
    const old = previous.fingerprint;
    const fingerprint = old && syntaxFingerprint(sourceFile, text);
    if (!old || !fingerprint || old.key !== fingerprint.key) return undefined;
    if (diagnosticsCover(previous.analysis, file, previous.sourceFile, change)) return undefined;
    if (!movePositions(previous.positions, { oldSf: previous.sourceFile, newSf: sourceFile, before: old, after: fingerprint, change })) return undefined;
    return { previous, reads: new Map(reads).set(file, text), fingerprint };
  }

  /**
   * Analyses `file` as if its text were `text` (everything else as it is), keeping nothing: for
   * "what if" questions such as which `@input` makes a model work.
   */
  probe(file: string, text: string, analysed: string = file): FileAnalysis {
    const host: AnalyzerHost = { readFile: (f) => (f === file ? text : this.readFile(f)) };
    return this.runAnalyzer(analysed, analysed === file ? text : (this.readFile(analysed) ?? ""), new Analyzer(host));
  }

  /** Every analysis goes through here: the watchdog hears of it, a quarantined text is skipped. */
  private runAnalyzer(file: string, text: string, analyzer: Analyzer = this.analyzer): FileAnalysis {
    const hash = hashText(text);
    if (this.options.quarantined?.has(quarantineKey(file, hash))) return quarantinedAnalysis(file);
    this.events.analysisStarted?.(file, hash);
    try {
      return analyzer.analyzeFile(file);
    } finally {
      this.events.analysisFinished?.();
    }
  }

  private scheduleViewsChanged(): void {
    if (this.viewsTimer) return;
    this.viewsTimer = setTimeout(() => {
      this.viewsTimer = undefined;
      this.events.viewsChanged();
    }, 50);
  }
}

function quarantinedAnalysis(file: string): FileAnalysis {
  return {
    file,
    models: [],
    diagnostics: [
      {
        severity: "warning",
        code: "analysis-timeout",
        message: "CNN Studio stopped analysing this file because its analysis did not finish in time; edit the file to try again",
        location: { file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
        related: [],
      },
    ],
    dependencies: [file],
  };
}

export function summarise(s: Snapshot): DidAnalyzeParams {
  const d = s.analysis.diagnostics;
  return {
    uri: s.uri,
    version: s.version,
    models: s.analysis.models.map((m) => ({
      name: m.name,
      location: m.location,
      inputs: m.inputs,
      output: m.output,
      params: m.params,
      trainableParams: m.trainableParams,
      macs: m.macs,
      layers: m.layers.length,
      complete: m.complete,
    })),
    errors: d.filter((x) => x.severity === "error").length,
    warnings: d.filter((x) => x.severity === "warning").length,
    analysisMs: Math.round(s.analysisMs * 100) / 100,
  };
}
