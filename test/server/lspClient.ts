/**
 * A real LSP client for the server tests and the benchmark: starts `dist/server.js --stdio` in a
 * child process and talks JSON-RPC to it (vscode-jsonrpc over the child's stdio). Nothing of the
 * server is mocked; this is what an editor does.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import type {
  CodeAction,
  CodeLens,
  Diagnostic,
  DocumentSymbol,
  Hover,
  InlayHint,
  LocationLink,
  Position,
  Range,
  TextEdit,
  WorkspaceEdit,
} from "vscode-languageserver-types";
import { AnalysisRequest, DidAnalyzeNotification, type AnalysisResult, type DidAnalyzeParams, type PartialServerSettings } from "../../src/shared/lsp";

export const ROOT = path.resolve(__dirname, "../../..");
export const SERVER = path.join(ROOT, "dist", "server.js");
export const EXAMPLES = path.join(ROOT, "examples");
export const FIXTURES = path.join(ROOT, "test", "fixtures", "diagnostics");

export interface Published {
  uri: string;
  version: number | undefined;
  diagnostics: Diagnostic[];
  at: number;
}

export interface StartOptions {
  settings?: PartialServerSettings;
  env?: Record<string, string>;
  args?: string[];
  /** Client capabilities to announce (default: inlay-hint and code-lens refresh support). */
  capabilities?: object;
  /** The workspace's folders (absolute paths) announced in `initialize`. */
  workspaceFolders?: string[];
  /** Another build's server script instead of this tree's dist/server.js (a benchmark's baseline). */
  server?: string;
}

/**
 * For tests of what the server answers (not how fast): the supervisor's deadline (750 ms, then an
 * empty answer) raised, so that a busy test machine does not turn answers into empty ones.
 * The robustness test keeps the real deadline.
 */
export const PATIENT: Record<string, string> = { CNN_STUDIO_REQUEST_DEADLINE_MS: "20000" };

export function uriOf(file: string): string {
  return pathToFileURL(file).href;
}

interface Waiter {
  test: (p: Published) => boolean;
  resolve: (p: Published) => void;
}

export class LspClient {
  /** Latest publishDiagnostics per URI. */
  readonly diagnostics = new Map<string, Published>();
  readonly analysed: DidAnalyzeParams[] = [];
  readonly refreshRequests: string[] = [];
  readonly stderr: string[] = [];
  /** `window/logMessage` texts (the server logs handler failures there). */
  readonly logs: string[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();
  private exited = false;

  private constructor(
    readonly child: ChildProcess,
    readonly connection: MessageConnection,
  ) {
    connection.onNotification("textDocument/publishDiagnostics", (p: { uri: string; version?: number; diagnostics: Diagnostic[] }) => {
      const published: Published = { uri: p.uri, version: p.version, diagnostics: p.diagnostics, at: performance.now() };
      this.diagnostics.set(p.uri, published);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i]!;
        if (w.test(published)) {
          this.waiters.splice(i, 1);
          w.resolve(published);
        }
      }
    });
    connection.onNotification(DidAnalyzeNotification.method, (p: DidAnalyzeParams) => {
      this.analysed.push(p);
    });
    connection.onNotification("window/logMessage", (p: { message: string }) => {
      this.logs.push(p.message);
    });
    for (const method of ["workspace/inlayHint/refresh", "workspace/codeLens/refresh"]) {
      connection.onRequest(method, () => {
        this.refreshRequests.push(method);
        return null;
      });
    }
    child.stderr?.on("data", (d: Buffer) => this.stderr.push(d.toString()));
    child.on("exit", () => {
      this.exited = true;
      // Rejects whatever is still waiting for an answer: a test fails instead of hanging.
      setTimeout(() => connection.dispose(), 100);
    });
  }

  static async start(options: StartOptions = {}): Promise<LspClient> {
    const child = spawn(process.execPath, [options.server ?? SERVER, "--stdio", ...(options.args ?? [])], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, ...options.env },
    });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(child, connection);
    connection.listen();
    const initialized = connection.sendRequest("initialize", {
      processId: process.pid,
      rootUri: uriOf(ROOT),
      ...(options.workspaceFolders ? { workspaceFolders: options.workspaceFolders.map((f) => ({ uri: uriOf(f), name: path.basename(f) })) } : {}),
      capabilities: options.capabilities ?? { workspace: { inlayHint: { refreshSupport: true }, codeLens: { refreshSupport: true } } },
      initializationOptions: options.settings ? { settings: options.settings } : {},
    });
    await failOnExitOrTimeout(child, initialized, 30_000, () => client.stderr.join(""));
    connection.sendNotification("initialized", {});
    return client;
  }

  get alive(): boolean {
    return !this.exited && this.child.exitCode === null;
  }

  // ---- documents ----------------------------------------------------------------------------

  open(file: string, text = fs.readFileSync(file, "utf8"), languageId = "typescript"): string {
    const uri = uriOf(file);
    this.versions.set(uri, 1);
    this.texts.set(uri, text);
    this.connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId, version: 1, text } });
    return uri;
  }

  /** Replaces the whole text (one full-document change). */
  replace(uri: string, text: string): number {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    this.connection.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  /** An incremental edit: replace `range` by `newText`. */
  edit(uri: string, range: Range, newText: string): number {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, applyEdits(this.texts.get(uri) ?? "", [{ range, newText }]));
    this.connection.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ range, text: newText }] });
    return version;
  }

  close(uri: string): void {
    this.connection.sendNotification("textDocument/didClose", { textDocument: { uri } });
  }

  text(uri: string): string {
    return this.texts.get(uri) ?? "";
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  configure(settings: PartialServerSettings): void {
    this.connection.sendNotification("workspace/didChangeConfiguration", { settings: { cnnStudio: settings } });
  }

  // ---- diagnostics --------------------------------------------------------------------------

  /** The next publishDiagnostics for `uri` (at `version` or later when given), or the current one if it already matches. */
  waitForDiagnostics(uri: string, version?: number, timeoutMs = 10_000): Promise<Published> {
    const test = (p: Published): boolean => p.uri === uri && (version === undefined || (p.version !== undefined && p.version >= version));
    const current = this.diagnostics.get(uri);
    if (current && version !== undefined && test(current)) return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no diagnostics for ${uri} (version ${version}) within ${timeoutMs} ms; stderr: ${this.stderr.join("")}`)),
        timeoutMs,
      );
      this.waiters.push({
        test,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
  }

  /** The next publishDiagnostics for `uri` that satisfies `test` (or the current one if it does). */
  waitForDiagnosticsWhere(uri: string, test: (p: Published) => boolean, timeoutMs = 10_000): Promise<Published> {
    const current = this.diagnostics.get(uri);
    if (current && test(current)) return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        test: (p) => p.uri === uri && test(p),
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
  }

  // ---- requests -----------------------------------------------------------------------------

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest("textDocument/hover", { textDocument: { uri }, position });
  }

  inlayHints(uri: string, range: Range = WHOLE): Promise<InlayHint[] | null> {
    return this.connection.sendRequest("textDocument/inlayHint", { textDocument: { uri }, range });
  }

  codeLenses(uri: string): Promise<CodeLens[] | null> {
    return this.connection.sendRequest("textDocument/codeLens", { textDocument: { uri } });
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[] = []): Promise<CodeAction[] | null> {
    return this.connection.sendRequest("textDocument/codeAction", { textDocument: { uri }, range, context: { diagnostics } });
  }

  symbols(uri: string): Promise<DocumentSymbol[] | null> {
    return this.connection.sendRequest("textDocument/documentSymbol", { textDocument: { uri } });
  }

  definition(uri: string, position: Position): Promise<LocationLink[] | null> {
    return this.connection.sendRequest("textDocument/definition", { textDocument: { uri }, position });
  }

  analysis(uri: string): Promise<AnalysisResult | null> {
    return this.connection.sendRequest(AnalysisRequest.method, { textDocument: { uri } });
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    try {
      await this.connection.sendRequest("shutdown");
      this.connection.sendNotification("exit");
    } catch {
      this.child.kill();
    }
    const timer = setTimeout(() => this.child.kill(), 3000);
    await exited;
    clearTimeout(timer);
    this.connection.dispose();
  }
}

export const WHOLE: Range = { start: { line: 0, character: 0 }, end: { line: 100_000, character: 0 } };

/** Position of the `n`-th occurrence (0-based) of `needle` in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, n = 0, delta = 0): Position {
  let at = -1;
  for (let i = 0; i <= n; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" (occurrence ${n}) not found`);
  }
  return offsetToPosition(text, at + delta);
}

export function offsetToPosition(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split("\n").length - 1;
  return { line, character: offset - (before.lastIndexOf("\n") + 1) };
}

export function positionToOffset(text: string, p: Position): number {
  const lines = text.split("\n");
  let offset = 0;
  for (let i = 0; i < p.line && i < lines.length; i++) offset += lines[i]!.length + 1;
  return Math.min(text.length, offset + p.character);
}

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => positionToOffset(text, b.range.start) - positionToOffset(text, a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, positionToOffset(out, e.range.start)) + e.newText + out.slice(positionToOffset(out, e.range.end));
  return out;
}

/** The edits of a workspace edit for one URI. */
export function editsFor(edit: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  return edit?.changes?.[uri] ?? [];
}

/** `line:character` (1-based), as the fixture headers write positions. */
export function at(p: Position): string {
  return `${p.line + 1}:${p.character + 1}`;
}

/** The text a range covers. */
export function textIn(text: string, r: Range): string {
  return text.slice(positionToOffset(text, r.start), positionToOffset(text, r.end));
}

/** `promise`, or a rejection when the process exits first or the time runs out (so a test fails instead of hanging). */
export function failOnExitOrTimeout<T>(child: ChildProcess, promise: Promise<T>, timeoutMs: number, stderr: () => string = () => ""): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onExit = (code: number | null): void => done(() => reject(new Error(`the server exited (${code}) before answering; stderr: ${stderr()}`)));
    const timer = setTimeout(() => done(() => reject(new Error(`no answer within ${timeoutMs} ms; stderr: ${stderr()}`))), timeoutMs);
    function done(settle: () => void): void {
      clearTimeout(timer);
      child.off("exit", onExit);
      settle();
    }
    child.on("exit", onExit);
    promise.then(
      (v) => done(() => resolve(v)),
      (e: unknown) => done(() => reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}
