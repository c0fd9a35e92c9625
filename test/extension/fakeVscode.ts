import * as path from "node:path";
import Module = require("node:module");

/**
 * A stand-in for the `vscode` module, enough to load the extension bundle and run `activate`
 * outside VS Code: it records registered commands, views, providers and context keys, and
 * answers everything else with inert objects. Used by the activation test and benchmark.
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

class Emitter<T> {
  private listeners: ((e: T) => void)[] = [];
  event = (listener: (e: T) => void): { dispose(): void } => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

class Disposable {
  constructor(private readonly fn: () => void) {}
  static from(...ds: { dispose(): void }[]): Disposable {
    return new Disposable(() => ds.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

class Uri {
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
  const record: FakeRecord = { commands: new Map(), treeViews: [], webviewViews: [], contentProviders: [], serializers: [], contexts: new Map(), messages: [], output: [] };
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
    },
    window: {
      createOutputChannel: () => ({ appendLine: (s: string) => record.output.push(s), append: () => undefined, show: () => undefined, dispose: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined }),
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
      createStatusBarItem: () => ({ show: () => undefined, hide: () => undefined, dispose: () => undefined, text: "", tooltip: undefined, command: undefined, name: "" }),
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
