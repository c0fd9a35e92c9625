import type { Diagnostic as LspDiagnostic, DiagnosticSeverity } from "vscode-languageserver";
import type { Diagnostic, Severity } from "../shared/analysis";

/**
 * Publishes the analyzer's diagnostics to the file each one is located in. Several analyses may
 * point into one file (an open model and the open file it imports both report a problem in the
 * import), so the diagnostics of a file are the union of every analysis' contribution, without
 * duplicates; a file that no analysis points into any more is cleared.
 */

/** The data a published diagnostic carries for `textDocument/codeAction` (LSP keeps `data`). */
export interface DiagnosticData {
  fix?: { title: string; uri: string; range: LspDiagnostic["range"]; newText: string };
}

export interface PublishTarget {
  uriOf(path: string): string;
  /** The version of an open document (diagnostics for it are tagged with it), else undefined. */
  versionOf(path: string): number | undefined;
  send(uri: string, diagnostics: LspDiagnostic[], version: number | undefined): void;
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = { error: 1, warning: 2, info: 3 };

export const DIAGNOSTIC_SOURCE = "CNN Studio";

export function toLspDiagnostic(d: Diagnostic, uriOf: (path: string) => string): LspDiagnostic {
  const out: LspDiagnostic = {
    range: d.location.range,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: DIAGNOSTIC_SOURCE,
    message: d.message,
  };
  if (d.related.length)
    out.relatedInformation = d.related.map((r) => ({ location: { uri: uriOf(r.location.file), range: r.location.range }, message: r.message }));
  if (d.fix) {
    const data: DiagnosticData = { fix: { title: d.fix.title, uri: uriOf(d.fix.location.file), range: d.fix.location.range, newText: d.fix.newText } };
    out.data = data;
  }
  return out;
}

function keyOf(d: Diagnostic): string {
  const r = d.location.range;
  return `${d.severity}|${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}|${d.code}|${d.message}`;
}

export class DiagnosticsPublisher {
  /** source (analysed file) → target file → its diagnostics located there. */
  private readonly contributions = new Map<string, Map<string, Diagnostic[]>>();
  /** What was last sent per target, to skip sending the same list again. */
  private readonly lastSent = new Map<string, string>();

  constructor(private readonly target: PublishTarget) {}

  /** Replaces what the analysis of `source` contributes (null: it contributes nothing any more). */
  update(source: string, diagnostics: readonly Diagnostic[] | null): void {
    const before = this.contributions.get(source);
    const targets = new Set<string>(before ? before.keys() : []);
    if (diagnostics === null) this.contributions.delete(source);
    else {
      const byTarget = new Map<string, Diagnostic[]>();
      for (const d of diagnostics) {
        const list = byTarget.get(d.location.file);
        if (list) list.push(d);
        else byTarget.set(d.location.file, [d]);
        targets.add(d.location.file);
      }
      this.contributions.set(source, byTarget);
    }
    // Other files first: when the analysed file's own list arrives, everything it caused is there.
    for (const t of targets) if (t !== source) this.publish(t, false);
    this.publish(source, true);
  }

  /** Diagnostics currently published for a file (the analyzer's form). */
  diagnosticsOf(file: string): Diagnostic[] {
    const seen = new Set<string>();
    const out: Diagnostic[] = [];
    for (const byTarget of this.contributions.values()) {
      for (const d of byTarget.get(file) ?? []) {
        const k = keyOf(d);
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(d);
      }
    }
    return out;
  }

  private publish(file: string, always: boolean): void {
    const list = this.diagnosticsOf(file);
    const key = list.map(keyOf).join("\n");
    if (!always && this.lastSent.get(file) === key) return;
    if (list.length === 0 && !this.lastSent.has(file) && !always) return;
    if (list.length === 0) this.lastSent.delete(file);
    else this.lastSent.set(file, key);
    const uriOf = (p: string): string => this.target.uriOf(p);
    this.target.send(
      uriOf(file),
      list.map((d) => toLspDiagnostic(d, uriOf)),
      this.target.versionOf(file),
    );
  }
}
