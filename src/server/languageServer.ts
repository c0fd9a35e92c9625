import { TextDocumentSyncKind, type CancellationToken, type Connection, type InitializeParams, type InitializeResult } from "vscode-languageserver/node";
import {
  AnalysisRequest,
  DEFAULT_SETTINGS,
  DidAnalyzeNotification,
  SETTINGS_SECTION,
  type AnalysisParams,
  type AnalysisResult,
  type ServerSettings,
} from "../shared/lsp";
import { analysisResult } from "./analysisRequest";
import { codeActions } from "./codeActions";
import { codeLenses } from "./codeLens";
import { definition } from "./definition";
import { documentSymbols } from "./documentSymbols";
import { OpenDocuments } from "./documents";
import { hover } from "./hover";
import { inlayHints } from "./inlayHints";
import { AnalysisSession, type SessionEvents } from "./session";
import { resolveSettings, settingsSection } from "./settings";
import { uriToPath } from "./uris";

/**
 * The language server proper: document sync, the analysis session and every feature handler,
 * on any LSP connection (a worker's message port, or stdio/IPC when run in-process). Handlers
 * never throw: a failure is logged and answered with an empty result.
 */

export interface ServerHooks {
  analysisStarted?: SessionEvents["analysisStarted"];
  analysisFinished?: SessionEvents["analysisFinished"];
  /** Texts not to analyse again (their analysis hung in an earlier worker). */
  quarantined?: ReadonlySet<string>;
}

export const SERVER_NAME = "CNN Studio";

export function startLanguageServer(connection: Connection, hooks: ServerHooks = {}): void {
  const docs = new OpenDocuments();
  let settings: ServerSettings = DEFAULT_SETTINGS;
  let inlayRefresh = false;
  let lensRefresh = false;

  const log = (message: string): void => connection.console.error(message);
  const session = new AnalysisSession(
    docs,
    {
      publish: (uri, diagnostics, version) => void connection.sendDiagnostics(version === undefined ? { uri, diagnostics } : { uri, diagnostics, version }),
      analysed: (params) => void connection.sendNotification(DidAnalyzeNotification.method, params),
      viewsChanged: () => {
        if (inlayRefresh) void connection.languages.inlayHint.refresh().catch(() => undefined);
        if (lensRefresh) void connection.sendRequest("workspace/codeLens/refresh").catch(() => undefined);
      },
      log,
      ...(hooks.analysisStarted ? { analysisStarted: hooks.analysisStarted } : {}),
      ...(hooks.analysisFinished ? { analysisFinished: hooks.analysisFinished } : {}),
    },
    { settings: () => settings, ...(hooks.quarantined ? { quarantined: hooks.quarantined } : {}) },
  );

  /** Wraps a handler: cancelled or failing requests get `fallback`, never an exception. */
  function guard<P, R>(name: string, fallback: R, fn: (params: P) => R): (params: P, token: CancellationToken) => R {
    return (params, token) => {
      if (token.isCancellationRequested) return fallback;
      try {
        return fn(params);
      } catch (e) {
        log(`CNN Studio: ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return fallback;
      }
    };
  }

  function safely(name: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      log(`CNN Studio: ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const options: unknown = params.initializationOptions;
    settings = resolveSettings(typeof options === "object" && options !== null ? (options as { settings?: unknown }).settings : undefined);
    inlayRefresh = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
    lensRefresh = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        inlayHintProvider: { resolveProvider: false },
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: ["quickfix", "refactor.rewrite"] },
        documentSymbolProvider: { label: SERVER_NAME },
        definitionProvider: true,
      },
      serverInfo: { name: SERVER_NAME, version: "0.1.0" },
    };
  });

  connection.onDidChangeConfiguration((params) =>
    safely("configuration", () => {
      const section = settingsSection(params, SETTINGS_SECTION);
      if (section === undefined) return;
      const before = JSON.stringify(settings.inlayHints);
      settings = resolveSettings(section, settings);
      if (JSON.stringify(settings.inlayHints) !== before && inlayRefresh) void connection.languages.inlayHint.refresh().catch(() => undefined);
    }),
  );

  connection.onDidOpenTextDocument((p) =>
    safely("didOpen", () => session.opened(docs.open(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text))),
  );
  connection.onDidChangeTextDocument((p) =>
    safely("didChange", () => {
      const doc = docs.change(p.textDocument.uri, p.textDocument.version, p.contentChanges);
      if (doc) session.changed(doc);
    }),
  );
  connection.onDidCloseTextDocument((p) =>
    safely("didClose", () => {
      const doc = docs.close(p.textDocument.uri);
      if (doc) session.closed(doc);
    }),
  );
  connection.onDidChangeWatchedFiles((p) =>
    safely("didChangeWatchedFiles", () =>
      session.diskChanged(p.changes.map((c) => ({ file: uriToPath(c.uri), kind: c.type === 1 ? "created" : c.type === 3 ? "deleted" : "changed" }))),
    ),
  );

  connection.onHover(guard("hover", null, (p) => hover(session, uriToPath(p.textDocument.uri), p.position)));
  connection.languages.inlayHint.on(guard("inlayHint", [], (p) => inlayHints(session, uriToPath(p.textDocument.uri), p.range, settings.inlayHints)));
  connection.onCodeLens(
    guard("codeLens", [], (p) => {
      const s = session.snapshot(uriToPath(p.textDocument.uri));
      return s ? codeLenses(s) : [];
    }),
  );
  connection.onCodeAction(guard("codeAction", [], (p) => codeActions(session, uriToPath(p.textDocument.uri), p.range, p.context)));
  connection.onDocumentSymbol(
    guard("documentSymbol", [], (p) => {
      const s = session.snapshot(uriToPath(p.textDocument.uri));
      return s ? documentSymbols(s) : [];
    }),
  );
  connection.onDefinition(guard("definition", null, (p) => definition(session, uriToPath(p.textDocument.uri), p.position)));
  connection.onRequest(
    AnalysisRequest.method,
    guard<AnalysisParams, AnalysisResult | null>("cnnStudio/analysis", null, (p) => (isAnalysisParams(p) ? analysisResult(session, docs, p) : null)),
  );
  connection.onShutdown(() => session.dispose());
  connection.listen();
}

function isAnalysisParams(p: unknown): p is AnalysisParams {
  if (typeof p !== "object" || p === null) return false;
  const td = (p as { textDocument?: unknown }).textDocument;
  return typeof td === "object" && td !== null && typeof (td as { uri?: unknown }).uri === "string";
}
