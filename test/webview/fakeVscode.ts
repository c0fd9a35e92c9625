import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";

/**
 * Just enough of the `vscode` API for the panels' host side to run under `node --test`: webview
 * panels that record what is posted and let the test deliver webview messages, dialogs with
 * scripted answers, an output channel that keeps its lines. `install()` makes `require("vscode")`
 * return it.
 */

type Listener<T> = (v: T) => unknown;

export class Emitter<T> {
  private listeners: Listener<T>[] = [];
  event = (l: Listener<T>): { dispose(): void } => {
    this.listeners.push(l);
    return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  fire(v: T): void {
    void this.fireAndWait(v);
  }
  /** Fires, then waits for the promises listeners return (the panel host's message handling). */
  async fireAndWait(v: T): Promise<void> {
    await Promise.all([...this.listeners].map((l) => l(v)));
  }
}

export class FakeUri {
  constructor(readonly fsPath: string) {}
  get path(): string {
    return this.fsPath;
  }
  readonly scheme = "file";
  toString(): string {
    return `file://${this.fsPath}`;
  }
}

export class FakeDisposable {
  constructor(private readonly f: () => void) {}
  dispose(): void {
    this.f();
  }
  static from(...ds: { dispose(): void }[]): FakeDisposable {
    return new FakeDisposable(() => ds.forEach((d) => d.dispose()));
  }
}

export interface FakePanel {
  viewType: string;
  title: string;
  visible: boolean;
  options: unknown;
  webview: {
    html: string;
    options: { enableScripts?: boolean; localResourceRoots?: FakeUri[]; enableCommandUris?: boolean };
    cspSource: string;
    asWebviewUri(u: FakeUri): { toString(): string };
    postMessage(m: unknown): Promise<boolean>;
    onDidReceiveMessage(l: Listener<unknown>): { dispose(): void };
  };
  onDidDispose(l: Listener<void>): { dispose(): void };
  onDidChangeViewState(l: Listener<{ webviewPanel: FakePanel }>): { dispose(): void };
  reveal(): void;
  dispose(): void;
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
    reveal: () => {
      panel.revealed++;
    },
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
  answers: { open: FakeUri[] | undefined; save: FakeUri | undefined };
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
    Uri: { file: (p: string) => new FakeUri(p), joinPath: (u: FakeUri, ...parts: string[]) => new FakeUri(path.join(u.fsPath, ...parts)), parse: (s: string) => new FakeUri(s.replace(/^file:\/\//, "")) },
    Disposable: FakeDisposable,
    Range: class {
      constructor(
        readonly startLine: number,
        readonly startCharacter: number,
        readonly endLine: number,
        readonly endCharacter: number,
      ) {}
    },
    window: {
      createWebviewPanel: (viewType: string, title: string, _column: unknown, options: unknown) => {
        const p = makePanel(viewType, title, options);
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
      showTextDocument: async (doc: { uri: FakeUri }, opts: { selection: unknown }) => {
        f.shown.push({ file: doc.uri.fsPath, selection: opts.selection });
      },
      registerWebviewPanelSerializer: (viewType: string, s: { deserializeWebviewPanel(panel: FakePanel, state: unknown): Promise<void> }) => {
        f.serializers.set(viewType, s);
        return new FakeDisposable(() => f.serializers.delete(viewType));
      },
    },
    workspace: {
      fs: { writeFile: async (u: FakeUri, data: Uint8Array) => fs.writeFileSync(u.fsPath, data) },
      openTextDocument: async (u: FakeUri) => ({ uri: u }),
      workspaceFolders: undefined,
    },
  };
  return f;
}

/** Makes `require("vscode")` return the fake (for the modules loaded after this call). */
export function install(fake: Fake): void {
  const M = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const original = M._load;
  M._load = function (request: string, parent: unknown, isMain: boolean): unknown {
    if (request === "vscode") return fake.api;
    return original.call(this, request, parent, isMain);
  };
}

export function fakeContext(extensionPath: string): { extensionUri: FakeUri; subscriptions: { dispose(): void }[] } {
  return { extensionUri: new FakeUri(extensionPath), subscriptions: [] };
}
