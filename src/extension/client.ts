import * as vscode from "vscode";
import * as path from "node:path";
import type { createLanguageClient, LanguageClient } from "./languageClient";
import {
  AnalysisRequest,
  DidAnalyzeNotification,
  SETTINGS_SECTION,
  type AnalysisResult,
  type DidAnalyzeParams,
  type InitializationOptions,
} from "../shared/lsp";
import { serverSettings } from "./config";

/**
 * The language client of CNN Studio's language server (`dist/server.js`, a separate Node process).
 *
 * Started lazily, so that activation stays cheap and a TypeScript project that has no model
 * files never starts a server: on the first open model file (a TypeScript document that mentions
 * "cnn-studio"), or when something asks for an analysis (the Models view, a command).
 */

const MODEL_HINT = "cnn-studio";
/** LSP's ServerCancelled and RequestCancelled error codes. */
const SERVER_CANCELLED = -32802;
const REQUEST_CANCELLED = -32800;
/** How long `analysis` keeps asking a busy server. */
const ANALYSIS_PATIENCE_MS = 60_000;

export function mentionsCnnStudio(doc: vscode.TextDocument): boolean {
  return doc.languageId === "typescript" && doc.getText().includes(MODEL_HINT);
}

export class AnalysisClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private failed = false;
  private readonly analyzed = new vscode.EventEmitter<DidAnalyzeParams>();
  private readonly started = new vscode.EventEmitter<void>();
  /** After every analysis of an open model file (live while typing). */
  readonly onDidAnalyze = this.analyzed.event;
  /** When the server has started (also after a restart). */
  readonly onDidStart = this.started.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly output: vscode.OutputChannel,
  ) {
    // Start as soon as a model file is open or becomes one; until then, a substring test per event.
    const check = (doc: vscode.TextDocument): void => {
      if (!this.client && !this.starting && mentionsCnnStudio(doc)) setTimeout(() => void this.start(), 0);
    };
    let pending: NodeJS.Timeout | undefined;
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument(check),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.client || this.starting || e.document.languageId !== "typescript") return;
        clearTimeout(pending);
        pending = setTimeout(() => check(e.document), 400);
      }),
      { dispose: () => clearTimeout(pending) },
    );
    // After activation returns: starting the client compiles its library and spawns the server.
    const initial = setTimeout(() => {
      for (const doc of vscode.workspace.textDocuments) check(doc);
    }, 0);
    this.disposables.push({ dispose: () => clearTimeout(initial) });
  }

  get isRunning(): boolean {
    return this.client?.isRunning() ?? false;
  }

  /** Starts the server if it is not running; resolves to the client, or undefined if it cannot start. */
  start(): Promise<LanguageClient | undefined> {
    if (this.client) return Promise.resolve(this.client);
    if (this.failed) return Promise.resolve(undefined);
    this.starting ??= this.create().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async create(): Promise<LanguageClient | undefined> {
    // Loaded here, not at activation: the client library is most of the extension's code. A
    // computed path, so that the bundler leaves it to `dist/languageClient.js` (or, for the
    // tests, the transpiled module next to this one).
    let create: typeof createLanguageClient;
    try {
      create = (require(path.join(__dirname, "languageClient.js")) as typeof import("./languageClient")).createLanguageClient;
    } catch (e) {
      this.failed = true;
      this.output.appendLine(`CNN Studio: cannot load the language client: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    const initializationOptions: InitializationOptions = { settings: serverSettings() };
    const client = create({
      serverModule: this.context.asAbsolutePath(path.join("dist", "server.js")),
      documentSelector: [
        { scheme: "file", language: "typescript" },
        { scheme: "untitled", language: "typescript" },
      ],
      configurationSection: SETTINGS_SECTION,
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{ts,mts,cts}"),
      initializationOptions,
      outputChannel: this.output,
    });
    try {
      await client.start();
    } catch (e) {
      this.failed = true;
      const message = e instanceof Error ? e.message : String(e);
      this.output.appendLine(`CNN Studio: the language server did not start: ${message}`);
      void vscode.window.showErrorMessage(
        `CNN Studio: the language server did not start (${message}). Shapes and errors are unavailable; see the “CNN Studio” output.`,
      );
      return undefined;
    }
    client.onNotification(DidAnalyzeNotification.method, (params: DidAnalyzeParams) => this.analyzed.fire(params));
    this.client = client;
    this.started.fire();
    return client;
  }

  /**
   * The whole analysis of a file (its open buffer, or the file on disk); null when it is not a
   * model file or the server is unavailable. While the server is busy it answers "cancelled"
   * (ServerCancelled); then this asks again after its next `cnnStudio/didAnalyze` (or a second).
   */
  async analysis(uri: vscode.Uri, token?: vscode.CancellationToken): Promise<AnalysisResult | null> {
    const deadline = Date.now() + ANALYSIS_PATIENCE_MS;
    for (;;) {
      const client = await this.start();
      if (!client) return null;
      try {
        const params = { textDocument: { uri: uri.toString() } };
        // An explicit `undefined` token would travel as a second positional parameter.
        const result = token
          ? await client.sendRequest<AnalysisResult | null>(AnalysisRequest.method, params, token)
          : await client.sendRequest<AnalysisResult | null>(AnalysisRequest.method, params);
        return result ?? null;
      } catch (e) {
        const code = typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined;
        const busy = code === SERVER_CANCELLED || code === REQUEST_CANCELLED;
        if (busy && !token?.isCancellationRequested && Date.now() < deadline) {
          await this.nextAnalysisOrTimeout(1000);
          continue;
        }
        if (!token?.isCancellationRequested)
          this.output.appendLine(`CNN Studio: analysis of ${uri.fsPath} failed: ${e instanceof Error ? e.message : String(e)}`);
        return null;
      }
    }
  }

  private nextAnalysisOrTimeout(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sub = this.analyzed.event(() => done());
      const timer = setTimeout(() => done(), ms);
      function done(): void {
        clearTimeout(timer);
        sub.dispose();
        resolve();
      }
    });
  }

  async restart(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.failed = false;
    if (client) await client.stop().catch(() => undefined);
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.stop(2000).catch(() => undefined);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.analyzed.dispose();
    this.started.dispose();
    void this.stop();
  }
}
