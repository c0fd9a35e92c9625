import type * as ts from "typescript";
import type { Diagnostic, EditFix, Location, Severity, TextFix } from "../shared/analysis";

export function toLocation(node: ts.Node): Location {
  const sf = node.getSourceFile();
  const start = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  const end = sf.getLineAndCharacterOfPosition(node.getEnd());
  return { file: sf.fileName, range: { start, end } };
}

/** Related information: a node, or a location already computed (e.g. from the graph). */
export interface Related {
  at: ts.Node | Location;
  message: string;
}

function isLocation(x: ts.Node | Location): x is Location {
  return "file" in x && "range" in x;
}

/** Collects diagnostics, dropping exact duplicates (a helper analysed for two models reports once). */
export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  report(severity: Severity, node: ts.Node, message: string, code: string, related: readonly Related[] = [], fix?: TextFix, producerFix?: EditFix): void {
    this.reportAt(severity, toLocation(node), message, code, related, fix, producerFix);
  }

  reportAt(
    severity: Severity,
    location: Location,
    message: string,
    code: string,
    related: readonly Related[] = [],
    fix?: TextFix,
    producerFix?: EditFix,
  ): void {
    const key = `${location.file}:${location.range.start.line}:${location.range.start.character}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const d: Diagnostic = {
      severity,
      message,
      code,
      location,
      related: related.map((r) => ({ message: r.message, location: isLocation(r.at) ? r.at : toLocation(r.at) })),
    };
    if (fix) d.fix = fix;
    if (producerFix) d.producerFix = producerFix;
    this.diagnostics.push(d);
  }
}
