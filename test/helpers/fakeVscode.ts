import * as fs from "node:fs";
import * as path from "node:path";
import Module = require("node:module");

/**
 * The one stand-in for the `vscode` module in tests; `installFakeVscode(api)` makes
 * `require("vscode")` return it. Two flavours share its classes (Uri, EventEmitter, Disposable, …):
 * - `createFakeVscode(extensionPath)`: enough to load the extension bundle and run `activate`
 *   outside VS Code; it records registered commands, views, providers and context keys, and
 *   answers everything else with inert objects (the activation test and benchmark, unit tests);
 * - `createFake()`: the panels' host side: webview panels that record what is posted and let the
 *   test deliver webview messages, dialogs with scripted answers, an output channel that keeps its
 *   lines (the panel and tensor-service tests).
 */

export interface FakeRecord {
  commands: Map<string, (...args: unknown[]) => unknown>;
  treeViews: string[];
  webviewViews: string[];
  contentProviders: string[];
  serializers: string[];
  contexts: Map<string, unknown>;
  messages: { level: string; text: string }[];
  output: string[];
}

export class Emitter<T> {
  private listeners: ((e: T) => unknown)[] = [];
  event = (listener: (e: T) => unknown): { dispose(): void } => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(e: T): void {
    void this.fireAndWait(e);
  }
  /** Fires, then waits for the promises listeners return (the panel host's message handling). */
  async fireAndWait(e: T): Promise<void> {
    await Promise.all([...this.listeners].map((l) => l(e)));
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Disposable {
  constructor(private readonly fn: () => void) {}
  static from(...ds: { dispose(): void }[]): Disposable {
    return new Disposable(() => ds.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
    readonly query = "",
    readonly fragment = "",
  ) {}
  static file(p: string): Uri {
    return new Uri("file", path.resolve(p));
  }
  static parse(s: string): Uri {
    const m = /^([a-z][\w+.-]*):(?:\/\/[^/]*)?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/i.exec(s);
    return m ? new Uri(m[1]!, decodeURIComponent(m[2] ?? ""), m[3] ?? "", m[4] ?? "") : new Uri("file", s);
  }
  static from(c: { scheme: string; path?: string; query?: string; fragment?: string }): Uri {
    return new Uri(c.scheme, c.path ?? "", c.query ?? "", c.fragment ?? "");
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, path.join(base.path, ...parts));
  }
  get fsPath(): string {
    return this.path;
  }
  with(c: { path?: string }): Uri {
    return new Uri(this.scheme, c.path ?? this.path, this.query, this.fragment);
  }
  toString(): string {
    return `${this.scheme}://${this.path}${this.query ? `?${this.query}` : ""}${this.fragment ? `#${this.fragment}` : ""}`;
  }
}

class ThemeIcon {
  static File = new ThemeIcon("file");
  static Folder = new ThemeIcon("folder");
  constructor(
    readonly id: string,
    readonly color?: unknown,
  ) {}
}

class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}
class Range {
  constructor(
    readonly start: Position | number,
    readonly end: Position | number,
    readonly c?: number,
    readonly d?: number,
  ) {}
}

function inert(): Record<string, unknown> {
  return new Proxy(
    {},
    {
      get: (_t, p) => {
        if (p === "then") return undefined;
        if (p === "dispose") return () => undefined;
        if (p === "event" || (typeof p === "string" && p.startsWith("onDid"))) return () => ({ dispose: () => undefined });
        return () => inert();
      },
      set: () => true,
    },
  );
}

export function createFakeVscode(extensionPath: string): { api: Record<string, unknown>; record: FakeRecord; context: Record<string, unknown> } {
  const record: FakeRecord = {
    commands: new Map(),
    treeViews: [],
    webviewViews: [],
    contentProviders: [],
    serializers: [],
    contexts: new Map(),
    messages: [],
    output: [],
  };
  const config = { get: <T>(_key: string, fallback: T): T => fallback, has: () => false, inspect: () => undefined, update: async () => undefined };
  const api: Record<string, unknown> = {
    Uri,
    Disposable,
    EventEmitter: Emitter,
    ThemeIcon,
    ThemeColor: class {
      constructor(readonly id: string) {}
    },
    Position,
    Range,
    Selection: Range,
    MarkdownString: class {
      value = "";
      constructor(v?: string) {
        this.value = v ?? "";
      }
      appendMarkdown(s: string): this {
        this.value += s;
        return this;
      }
      appendText(s: string): this {
        this.value += s;
        return this;
      }
    },
    TreeItem: class {
      constructor(
        readonly label: string,
        readonly collapsibleState?: number,
      ) {}
    },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ViewColumn: { Active: -1, Beside: -2, One: 1 },
    RelativePattern: class {
      constructor(
        readonly base: unknown,
        readonly pattern: string,
      ) {}
    },
    TaskScope: { Global: 1, Workspace: 2 },
    TaskRevealKind: { Always: 1 },
    TaskPanelKind: { Dedicated: 2 },
    commands: {
      registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
        record.commands.set(id, fn);
        return new Disposable(() => record.commands.delete(id));
      },
      executeCommand: async (id: string, ...args: unknown[]) => {
        if (id === "setContext") record.contexts.set(String(args[0]), args[1]);
        return undefined;
      },
      getCommands: async () => [...record.commands.keys()],
    },
    window: {
      createOutputChannel: () => ({
        appendLine: (s: string) => record.output.push(s),
        append: () => undefined,
        show: () => undefined,
        dispose: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
      }),
      createTreeView: (id: string) => {
        record.treeViews.push(id);
        return { dispose: () => undefined, message: undefined, visible: false, onDidChangeVisibility: () => ({ dispose: () => undefined }) };
      },
      registerTreeDataProvider: (id: string) => {
        record.treeViews.push(id);
        return new Disposable(() => undefined);
      },
      registerWebviewViewProvider: (id: string) => {
        record.webviewViews.push(id);
        return new Disposable(() => undefined);
      },
      registerWebviewPanelSerializer: (id: string) => {
        record.serializers.push(id);
        return new Disposable(() => undefined);
      },
      createStatusBarItem: () => ({
        show: () => undefined,
        hide: () => undefined,
        dispose: () => undefined,
        text: "",
        tooltip: undefined,
        command: undefined,
        name: "",
      }),
      showInformationMessage: async (text: string) => void record.messages.push({ level: "info", text }),
      showWarningMessage: async (text: string) => void record.messages.push({ level: "warning", text }),
      showErrorMessage: async (text: string) => void record.messages.push({ level: "error", text }),
      onDidChangeActiveTextEditor: () => new Disposable(() => undefined),
      activeTextEditor: undefined,
      visibleTextEditors: [],
    },
    workspace: {
      isTrusted: true,
      workspaceFolders: undefined,
      textDocuments: [],
      getConfiguration: () => config,
      onDidOpenTextDocument: () => new Disposable(() => undefined),
      onDidChangeTextDocument: () => new Disposable(() => undefined),
      onDidCloseTextDocument: () => new Disposable(() => undefined),
      onDidChangeConfiguration: () => new Disposable(() => undefined),
      onDidChangeWorkspaceFolders: () => new Disposable(() => undefined),
      onDidGrantWorkspaceTrust: () => new Disposable(() => undefined),
      registerTextDocumentContentProvider: (scheme: string) => {
        record.contentProviders.push(scheme);
        return new Disposable(() => undefined);
      },
      createFileSystemWatcher: () => inert(),
      findFiles: async () => [],
      fs: inert(),
    },
    languages: inert(),
    env: { clipboard: inert(), uiKind: 1, remoteName: undefined },
    extensions: { getExtension: () => undefined, all: [] },
    tasks: inert(),
    l10n: { t: (s: string) => s },
  };
  const root = Uri.file(extensionPath);
  const memento = (): Record<string, unknown> => {
    const m = new Map<string, unknown>();
    return { get: (k: string, d?: unknown) => (m.has(k) ? m.get(k) : d), update: async (k: string, v: unknown) => void m.set(k, v), keys: () => [...m.keys()] };
  };
  const context: Record<string, unknown> = {
    subscriptions: [] as { dispose(): void }[],
    extensionPath,
    extensionUri: root,
    asAbsolutePath: (p: string) => path.join(extensionPath, p),
    globalStorageUri: Uri.file(path.join(extensionPath, ".fake-global-storage")),
    storageUri: undefined,
    logUri: Uri.file(path.join(extensionPath, ".fake-log")),
    workspaceState: memento(),
    globalState: memento(),
    extension: { packageJSON: { version: "test" }, id: "cnn-studio.cnn-studio" },
  };
  return { api, record, context };
}

/** Makes `require("vscode")` return `api` (for this process). */
export function installFakeVscode(api: Record<string, unknown>): void {
  const m = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = m._resolveFilename;
  m._resolveFilename = function (request: string, ...rest: unknown[]): string {
    if (request === "vscode") return "vscode";
    return original.call(this, request, ...rest);
  };
  const cache = (Module as unknown as { _cache: Record<string, unknown> })._cache;
  cache["vscode"] = { id: "vscode", filename: "vscode", loaded: true, exports: api } as unknown;
}

// ---- the panels' host side ---------------------------------------------------------------------

export interface FakePanel {
  viewType: string;
  title: string;
  visible: boolean;
  options: unknown;
  webview: {
    html: string;
    options: { enableScripts?: boolean; localResourceRoots?: Uri[]; enableCommandUris?: boolean };
    cspSource: string;
    asWebviewUri(u: Uri): { toString(): string };
    postMessage(m: unknown): Promise<boolean>;
    onDidReceiveMessage(l: (v: unknown) => void): { dispose(): void };
  };
  onDidDispose(l: (v: void) => void): { dispose(): void };
  onDidChangeViewState(l: (v: { webviewPanel: FakePanel }) => void): { dispose(): void };
  reveal(column?: number, preserveFocus?: boolean): void;
  dispose(): void;
  /** Where it was shown: the column asked for (Beside: the one after the active editor's, 1) and whether the focus stayed where it was. */
  viewColumn: number | undefined;
  preserveFocus: boolean | undefined;
  /** Test side: what the host posted, and delivering a message from the webview. */
  posted: unknown[];
  receive(m: unknown): Promise<void>;
  revealed: number;
}

export const CSP_SOURCE = "https://*.vscode-cdn.net";

export function makePanel(viewType: string, title: string, options: unknown): FakePanel {
  const received = new Emitter<unknown>();
  const disposed = new Emitter<void>();
  const viewState = new Emitter<{ webviewPanel: FakePanel }>();
  let isDisposed = false;
  const panel: FakePanel = {
    viewType,
    title,
    visible: true,
    options,
    webview: {
      html: "",
      options: {},
      cspSource: CSP_SOURCE,
      asWebviewUri: (u) => ({ toString: () => `https://file%2B.vscode-resource.vscode-cdn.net${u.fsPath}` }),
      postMessage: async (m) => {
        panel.posted.push(m);
        return true;
      },
      onDidReceiveMessage: (l) => received.event(l),
    },
    onDidDispose: (l) => disposed.event(l),
    onDidChangeViewState: (l) => viewState.event(l),
    reveal: (_column, preserveFocus) => {
      panel.revealed++;
      panel.preserveFocus = preserveFocus;
    },
    viewColumn: undefined,
    preserveFocus: undefined,
    dispose: () => {
      if (isDisposed) return;
      isDisposed = true;
      disposed.fire();
    },
    posted: [],
    revealed: 0,
    receive: async (m) => {
      await received.fireAndWait(m);
      // let the host's async handlers run
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    },
  };
  return panel;
}

export interface Fake {
  panels: FakePanel[];
  logs: string[];
  shown: { file: string; selection: unknown }[];
  serializers: Map<string, { deserializeWebviewPanel(panel: FakePanel, state: unknown): Promise<void> }>;
  answers: { open: Uri[] | undefined; save: Uri | undefined };
  api: Record<string, unknown>;
}

export function createFake(): Fake {
  const f: Fake = { panels: [], logs: [], shown: [], serializers: new Map(), answers: { open: undefined, save: undefined }, api: {} };
  const channel = {
    info: (m: string) => f.logs.push(`info ${m}`),
    warn: (m: string) => f.logs.push(`warn ${m}`),
    error: (m: string) => f.logs.push(`error ${m}`),
    appendLine: (m: string) => f.logs.push(m),
  };
  f.api = {
    ViewColumn: { One: 1, Two: 2, Beside: -2, Active: -1 },
    Uri,
    Disposable: Disposable,
    Range: class {
      constructor(
        readonly startLine: number,
        readonly startCharacter: number,
        readonly endLine: number,
        readonly endCharacter: number,
      ) {}
    },
    window: {
      createWebviewPanel: (viewType: string, title: string, show: { viewColumn?: number; preserveFocus?: boolean } | number | undefined, options: unknown) => {
        const p = makePanel(viewType, title, options);
        const column = typeof show === "number" ? show : show?.viewColumn;
        p.viewColumn = column === undefined || column < 0 ? 2 : column;
        p.preserveFocus = typeof show === "object" ? show.preserveFocus : undefined;
        f.panels.push(p);
        return p;
      },
      createOutputChannel: () => channel,
      showOpenDialog: async () => f.answers.open,
      showSaveDialog: async () => f.answers.save,
      showWarningMessage: async (m: string) => {
        f.logs.push(`warning message ${m}`);
        return undefined;
      },
      showTextDocument: async (doc: { uri: Uri }, opts: { selection: unknown }) => {
        f.shown.push({ file: doc.uri.fsPath, selection: opts.selection });
      },
      registerWebviewPanelSerializer: (viewType: string, s: { deserializeWebviewPanel(panel: FakePanel, state: unknown): Promise<void> }) => {
        f.serializers.set(viewType, s);
        return new Disposable(() => f.serializers.delete(viewType));
      },
    },
    workspace: {
      fs: { writeFile: async (u: Uri, data: Uint8Array) => fs.writeFileSync(u.fsPath, data) },
      openTextDocument: async (u: Uri) => ({ uri: u }),
      workspaceFolders: undefined,
    },
  };
  return f;
}

/** Makes `require("vscode")` return the panels' fake (for the modules loaded after this call). */
export function install(fake: Fake): void {
  installFakeVscode(fake.api);
}

export function fakeContext(extensionPath: string): { extensionUri: Uri; subscriptions: { dispose(): void }[] } {
  return { extensionUri: Uri.file(extensionPath), subscriptions: [] };
}
