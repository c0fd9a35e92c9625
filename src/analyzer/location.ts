import type * as ts from "typescript";
import type { Diagnostic, EditFix, Location, Severity, TextFix } from "../shared/analysis";

/**
 * The locations computed during the analysis under way, per node: a block's layers are called once
 * per instance (ResNet-152 calls Bottleneck's `this.conv1(x)` 50 times), and each call's location
 * is the same. The analysis's locations may share objects (whoever moves them, moves each once).
 */
let locations: Map<ts.Node, Location> | undefined;

/** Runs one analysis with its own location cache (nodes of another parse never meet it). */
export function withLocationCache<T>(run: () => T): T {
  const outer = locations;
  locations = new Map();
  try {
    return run();
  } finally {
    locations = outer;
  }
}

export function toLocation(node: ts.Node): Location {
  const hit = locations?.get(node);
  if (hit) return hit;
  const sf = node.getSourceFile();
  const start = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  const end = sf.getLineAndCharacterOfPosition(node.getEnd());
  const location = { file: sf.fileName, range: { start, end } };
  locations?.set(node, location);
  return location;
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
