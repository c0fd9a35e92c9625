import * as vscode from "vscode";
import { PANEL_VIEW_TYPES, type PanelKind } from "../../shared/webview/common";
import type { Checked } from "../../shared/validate";
import { makeNonce, panelHtml, type WebviewName } from "./html";

/**
 * The host side of one webview panel: creates (or adopts, when VS Code restores it) the
 * `WebviewPanel` with a strict CSP and `localResourceRoots` limited to the extension's
 * `dist/webview` and `media` folders; checks every message in both directions with the panel's
 * validators; answers `ready` with a snapshot (the webview sends it whenever it is (re)loaded:
 * first shown, shown again after being hidden, after a reload); forwards the webview's `log`
 * messages to the "CNN Studio Panels" output channel.
 */

export interface PanelHostOptions<In extends { type: string }, Out extends { type: string }> {
  kind: PanelKind;
  title: string;
  validateToHost(v: unknown): Checked<In>;
  validateToWebview(v: unknown): Checked<Out>;
  /** The messages that bring a freshly loaded webview up to date. */
  snapshot(): Promise<Out[]>;
  /** Every message but `ready` and `log`. */
  onMessage(msg: Exclude<In, { type: "ready" } | { type: "log" }>): void | Promise<void>;
  /** Where to open (default: `panelColumn()`, the area CNN Studio's panels share). */
  column?: vscode.ViewColumn;
  /** A panel VS Code restored (from `registerWebviewPanelSerializer`); a new one is created otherwise. */
  panel?: vscode.WebviewPanel;
}

let channel: vscode.LogOutputChannel | undefined;

// ---- the one area beside the code that CNN Studio's panels share ---------------------------------

const livePanels = new Set<vscode.WebviewPanel>();
let lastPanel: vscode.WebviewPanel | undefined;

/**
 * Where a new CNN Studio panel opens: the column of the CNN Studio panel shown or focused last (or
 * of any still open), so that panels stack as tabs in one area beside the code instead of each
 * taking a new column; beside the active editor when none is open.
 */
export function panelColumn(): vscode.ViewColumn {
  for (const p of [lastPanel, ...[...livePanels].reverse()]) {
    if (p && livePanels.has(p) && p.viewColumn !== undefined) return p.viewColumn;
  }
  return vscode.ViewColumn.Beside;
}

/**
 * Counts a webview panel (CNN Studio's own, whether made by `PanelHost` or not) in the shared
 * area: its column is where the next panel opens while it is the last one shown.
 */
export function trackPanelArea(panel: vscode.WebviewPanel): vscode.Disposable {
  livePanels.add(panel);
  lastPanel = panel;
  const seen = panel.onDidChangeViewState((e) => {
    if (e.webviewPanel.visible || e.webviewPanel.active) lastPanel = e.webviewPanel;
  });
  return new vscode.Disposable(() => {
    seen.dispose();
    livePanels.delete(panel);
    if (lastPanel === panel) lastPanel = undefined;
  });
}

/** Creates a CNN Studio webview panel in the shared area, leaving the focus where it is (on the code). */
export function createAreaPanel(
  viewType: string,
  title: string,
  options: vscode.WebviewPanelOptions & vscode.WebviewOptions,
  column?: vscode.ViewColumn,
): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(viewType, title, { viewColumn: column ?? panelColumn(), preserveFocus: true }, options);
}

export function panelLog(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel("CNN Studio Panels", { log: true });
  return channel;
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    enableForms: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, "dist", "webview"), vscode.Uri.joinPath(extensionUri, "media")],
    // State survives hiding through getState/setState and a snapshot on `ready`.
    retainContextWhenHidden: false,
  };
}

/**
 * Gives a webview (a panel's or a view's) its page: the options above and the HTML that loads
 * `dist/webview/<name>.js` and `.css` under the nonce-only policy (html.ts).
 */
export function loadPage(webview: vscode.Webview, extensionUri: vscode.Uri, name: WebviewName, title: string): void {
  webview.options = webviewOptions(extensionUri);
  const asset = (ext: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", "webview", `${name}.${ext}`)).toString();
  webview.html = panelHtml({ panel: name, title, scriptUri: asset("js"), styleUri: asset("css"), cspSource: webview.cspSource, nonce: makeNonce() });
}

/** A message from a webview, checked; a bad one is logged with the validator's message (naming it) and refused (undefined). */
export function acceptFromWebview<T>(name: WebviewName, validate: (v: unknown) => Checked<T>, m: unknown): T | undefined {
  const r = validate(m);
  if (r.ok) return r.value;
  panelLog().warn(`[${name}] ignored a message from the webview: ${r.error}`);
  return undefined;
}

/** Sends a message after checking it (a failing check is a bug of the host: it is logged, not sent). */
export function postChecked<T>(webview: vscode.Webview, name: WebviewName, validate: (v: unknown) => Checked<T>, msg: T): boolean {
  const r = validate(msg);
  if (!r.ok) {
    panelLog().error(`[${name}] not sent: ${r.error}`);
    return false;
  }
  void webview.postMessage(r.value).then(undefined, () => undefined);
  return true;
}

export interface WebviewLog {
  level: "info" | "warning" | "error";
  message: string;
}

/** A webview's `log` message, in the "CNN Studio Panels" output channel. */
export function logFromWebview(name: WebviewName, { level, message }: WebviewLog): void {
  const log = panelLog();
  (level === "error" ? log.error : level === "warning" ? log.warn : log.info).call(log, `[${name}] ${message}`);
}

export class PanelHost<In extends { type: string }, Out extends { type: string }> implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly onDisposeCallbacks: (() => void)[] = [];
  private disposed = false;

  constructor(
    context: vscode.ExtensionContext,
    private readonly o: PanelHostOptions<In, Out>,
  ) {
    const viewType = PANEL_VIEW_TYPES[o.kind];
    this.panel = o.panel ?? createAreaPanel(viewType, o.title, webviewOptions(context.extensionUri), o.column);
    this.disposables.push(trackPanelArea(this.panel));
    const webview = this.panel.webview;
    this.panel.title = o.title;
    loadPage(webview, context.extensionUri, o.kind, o.title);
    this.disposables.push(
      // (the promise is for tests; VS Code ignores what listeners return)
      webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      this.panel.onDidChangeViewState((e) => {
        // A hidden webview is torn down (no retained context); it sends `ready` again when shown.
        if (!e.webviewPanel.visible) this.ready = false;
      }),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  get visible(): boolean {
    return this.panel.visible;
  }

  /** True after `ready` while the webview is loaded (messages sent otherwise are dropped: the next snapshot has them). */
  get isReady(): boolean {
    return this.ready && !this.disposed;
  }

  /** Sends a message after checking it (a failing check is a bug here: it is logged, not sent). */
  post(msg: Out): boolean {
    if (!this.isReady) return false;
    return postChecked(this.panel.webview, this.o.kind, this.o.validateToWebview, msg);
  }

  /** Sends the snapshot again (after the data changed wholesale). */
  async refresh(): Promise<void> {
    if (!this.isReady) return;
    for (const m of await this.safeSnapshot()) this.post(m);
  }

  /** Shows the panel where it is (one panel per kind and model: opening it again comes here), leaving the focus on the code. */
  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  setTitle(title: string): void {
    this.panel.title = title;
  }

  onDispose(f: () => void): void {
    this.onDisposeCallbacks.push(f);
  }

  track(...d: vscode.Disposable[]): void {
    this.disposables.push(...d);
  }

  private async safeSnapshot(): Promise<Out[]> {
    try {
      return await this.o.snapshot();
    } catch (e) {
      panelLog().error(`[${this.o.kind}] snapshot failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return [];
    }
  }

  private async receive(m: unknown): Promise<void> {
    const msg = acceptFromWebview(this.o.kind, this.o.validateToHost, m);
    if (msg === undefined) return;
    if (msg.type === "ready") {
      this.ready = true;
      for (const s of await this.safeSnapshot()) this.post(s);
      return;
    }
    if (msg.type === "log") {
      logFromWebview(this.o.kind, msg as unknown as WebviewLog);
      return;
    }
    try {
      await this.o.onMessage(msg as Exclude<In, { type: "ready" } | { type: "log" }>);
    } catch (e) {
      panelLog().error(`[${this.o.kind}] ${msg.type} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const f of this.onDisposeCallbacks) f();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function toDisposable(d: { dispose(): void }): vscode.Disposable {
  return new vscode.Disposable(() => d.dispose());
}
