import * as vscode from "vscode";
import type { AnalysisResult, ModelGraph } from "../../shared/lsp";
// The server's own test of a model file's text, so this lists what the server analyses.
import { importsCnnStudio, isModelFileLocation } from "../../shared/modelFile";
import type { AnalysisClient } from "../client";

/**
 * Every model file of the workspace and its latest analysis, for the Models view, the Train view
 * and the commands' pickers. Model files are found by a substring test on the `.ts` files of the
 * workspace; their analyses come from the language server (`cnnStudio/analysis`), which reads
 * closed files from disk. Kept current from the server's `cnnStudio/didAnalyze` notifications
 * (open files, as they are edited) and a file watcher (files changed on disk, created, deleted,
 * and the files that import them).
 */

const INCLUDE = "**/*.{ts,mts,cts}";
const EXCLUDE = "{**/node_modules/**,**/*.d.ts,**/.git/**,**/dist/**,**/out/**}";
const MAX_FILES = 5000;

export interface ModelFileEntry {
  uri: vscode.Uri;
  /** Undefined until the first analysis arrives. */
  result: AnalysisResult | undefined;
}

export interface ModelRef {
  uri: vscode.Uri;
  model: ModelGraph;
}

export class ModelStore implements vscode.Disposable {
  private readonly files = new Map<string, ModelFileEntry>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private scanned: Promise<void> | undefined;
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];
  private fireTimer: NodeJS.Timeout | undefined;
  private scanning = false;
  /** The scan under way: model files found, and how many of them are analysed (issue 19.10). */
  private progress = { found: 0, analysed: 0 };
  private readonly scanStarted = new vscode.EventEmitter<Promise<void>>();
  /** A scan starts (the promise settles when it ends): the Models view shows its progress. */
  readonly onDidStartScan = this.scanStarted.event;

  constructor(private readonly client: AnalysisClient) {
    this.disposables.push(
      client.onDidAnalyze((p) => this.schedule(vscode.Uri.parse(p.uri), 60)),
      client.onDidStart(() => {
        if (this.scanned) for (const e of this.files.values()) this.schedule(e.uri, 0);
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rescan()),
    );
  }

  /** While a scan runs: the model files it found so far, and how many are analysed. */
  get scanProgress(): { found: number; analysed: number } | undefined {
    return this.scanning ? { ...this.progress } : undefined;
  }

  /** Scans the workspace once (later calls wait for the same scan). */
  ensureScanned(): Promise<void> {
    if (!this.scanned) {
      this.scanned = this.scan();
      this.scanStarted.fire(this.scanned);
      const watcher = vscode.workspace.createFileSystemWatcher(INCLUDE);
      this.disposables.push(
        watcher,
        watcher.onDidCreate((u) => this.schedule(u, 300)),
        watcher.onDidChange((u) => this.diskChanged(u)),
        watcher.onDidDelete((u) => this.deleted(u)),
      );
    }
    return this.scanned;
  }

  rescan(): Promise<void> {
    if (!this.scanned) return this.ensureScanned();
    this.scanned = this.scan();
    this.scanStarted.fire(this.scanned);
    return this.scanned;
  }

  entries(): ModelFileEntry[] {
    return [...this.files.values()].sort((a, b) => a.uri.fsPath.localeCompare(b.uri.fsPath));
  }

  entry(uri: vscode.Uri): ModelFileEntry | undefined {
    return this.files.get(uri.toString());
  }

  /** Every analysed model, in file order. */
  models(): ModelRef[] {
    return this.entries().flatMap((e) => (e.result?.models ?? []).filter((m) => m.location.file === e.result?.file).map((model) => ({ uri: e.uri, model })));
  }

  /** The analysis of one file now (asks the server, also for a file not known yet). */
  async refreshFile(uri: vscode.Uri): Promise<AnalysisResult | null> {
    const result = await this.client.analysis(uri);
    this.apply(uri, result);
    return result;
  }

  private async scan(): Promise<void> {
    this.scanning = true;
    this.progress = { found: 0, analysed: 0 };
    this.fire();
    try {
      const uris = await vscode.workspace.findFiles(INCLUDE, EXCLUDE, MAX_FILES);
      const found = new Set<string>();
      await forEachLimit(uris, 8, async (uri) => {
        if (await this.looksLikeModelFile(uri)) {
          found.add(uri.toString());
          this.progress.found = found.size;
          if (!this.files.has(uri.toString())) this.files.set(uri.toString(), { uri, result: undefined });
        }
      });
      for (const key of [...this.files.keys()]) if (!found.has(key)) this.files.delete(key);
      this.fire();
      // Analyses one after another: the server analyses on one thread anyway.
      await forEachLimit(this.entries(), 2, async (e) => {
        this.apply(e.uri, await this.client.analysis(e.uri));
        this.progress.analysed++;
      });
    } finally {
      this.scanning = false;
      this.fire();
    }
  }

  private async looksLikeModelFile(uri: vscode.Uri): Promise<boolean> {
    if (!isListable(uri)) return false;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return importsCnnStudio(open.getText());
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      if (bytes.byteLength > 2_000_000) return false;
      return importsCnnStudio(Buffer.from(bytes).toString("utf8"));
    } catch {
      return false;
    }
  }

  private apply(uri: vscode.Uri, result: AnalysisResult | null): void {
    const key = uri.toString();
    if (!result || !result.isModelFile || !isListable(uri)) {
      if (this.files.delete(key)) this.fire();
      return;
    }
    this.files.set(key, { uri, result });
    this.fire();
  }

  /** Re-analyses `uri` after `delay` ms (coalescing bursts of events). */
  private schedule(uri: vscode.Uri, delay: number): void {
    if (!this.scanned) return;
    const key = uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        void this.refreshFile(uri);
      }, delay),
    );
  }

  private diskChanged(uri: vscode.Uri): void {
    this.schedule(uri, 300);
    // Files that import the changed one see it through their analysis' dependencies.
    for (const e of this.files.values()) {
      if (e.uri.toString() !== uri.toString() && e.result?.dependencies.includes(uri.fsPath)) this.schedule(e.uri, 350);
    }
  }

  private deleted(uri: vscode.Uri): void {
    if (this.files.delete(uri.toString())) this.fire();
    for (const e of this.files.values()) if (e.result?.dependencies.includes(uri.fsPath)) this.schedule(e.uri, 350);
  }

  private fire(): void {
    if (this.fireTimer) return;
    this.fireTimer = setTimeout(() => {
      this.fireTimer = undefined;
      this.changed.fire();
    }, 50);
  }

  dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    clearTimeout(this.fireTimer);
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
    this.scanStarted.dispose();
  }
}

/**
 * Not a declaration file, not in node_modules (issue 19.6): what the server analyses too. A model
 * file opened from outside the workspace stays listable (its Train lens must find it).
 */
function isListable(uri: vscode.Uri): boolean {
  return isModelFileLocation(uri.toString());
}

async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
