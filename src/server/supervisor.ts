import type { MessagePort, Worker } from "node:worker_threads";
import { TextDocument } from "vscode-languageserver-textdocument";
import { LSPErrorCodes, Message, type MessageWriter, type NotificationMessage, type RequestMessage, type ResponseMessage } from "vscode-languageserver/node";
import { AnalysisRequest, DidAnalyzeNotification } from "../shared/lsp";
import { routeConsoleToStderr } from "./quietConsole";
import { trace } from "./trace";
import { clientProcessId, openTransport } from "./transport";
import { defaultSupervisorOptions, launchWorker, type LaunchedWorker, type LaunchOptions, type SupervisorOptions } from "./workerLauncher";
import { heartbeatInterval, isWorkerStatus, quarantineKey } from "./workerProtocol";

/**
 * The server process's main thread: relays LSP messages between the client and the language
 * server, which runs in a worker thread, and keeps the promise that the server answers every
 * request promptly and never dies with the user's code.
 *
 * - A request unanswered after `requestDeadlineMs` (default 750) is answered with an empty
 *   result (`cnnStudio/analysis`: the error ServerCancelled; `cnnStudio/didAnalyze` tells when to
 *   ask again); the worker's late answer is dropped.
 * - A worker that stops responding for `hangMs` (default 15 s) is terminated; one that crashes or
 *   runs out of memory exits. Either way a fresh worker takes over with the same initialisation,
 *   settings and open documents, and the text being analysed when it happened is quarantined:
 *   not analysed again until it changes (a warning on the file says so).
 * - Diagnostics (and `cnnStudio/didAnalyze`) for a document version the client has already edited
 *   past are dropped: the analysis of the newer text follows.
 * - `exit` ends the process; so does the client process going away.
 */

type Id = number | string;

const MAX_FAILED_BOOTS = 3;

interface Pending {
  method: string;
  /** The deadline (none for `initialize`, which a fresh worker is given again instead). */
  timer: NodeJS.Timeout | undefined;
  message: RequestMessage;
}

/** Requests whose empty answer is not `null`. */
const EMPTY_RESULTS: Record<string, unknown[]> = {
  "textDocument/inlayHint": [],
  "textDocument/codeLens": [],
  "textDocument/codeAction": [],
  "textDocument/documentSymbol": [],
};

export class Supervisor {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private generation = 0;
  private readonly pending = new Map<Id, Pending>();
  /** Requests the worker sent to the client: supervisor id → the worker's id and generation. */
  private readonly outgoing = new Map<string, { id: Id; generation: number }>();
  private outgoingSeq = 0;
  private initializeParams: unknown;
  private initialized = false;
  private configuration: NotificationMessage | undefined;
  private readonly documents = new Map<string, TextDocument>();
  private readonly quarantined = new Set<string>();
  private analysing: { file: string; hash: string } | undefined;
  private lastHeartbeat = Date.now();
  private shutdownReceived = false;
  /** Whether the current worker has said anything yet (a booting worker is not judged hung). */
  private booted = false;
  /** Workers in a row that died before they booted: the program itself is broken. */
  private failedBoots = 0;

  constructor(
    private readonly launch: LaunchOptions,
    private readonly writer: MessageWriter,
    private readonly options: SupervisorOptions,
  ) {}

  /** Takes over the first worker (started early by main.ts) and watches it. */
  start(first: LaunchedWorker): void {
    this.adopt(first);
    setInterval(() => this.checkHealth(), heartbeatInterval(this.options.hangMs) * 2).unref();
  }

  // ---- client → worker ----------------------------------------------------------------------

  fromClient(msg: Message): void {
    if (Message.isRequest(msg)) {
      if (msg.method === "initialize") {
        this.initializeParams = msg.params;
        this.watchParent(msg.params);
      }
      if (msg.method === "shutdown") this.shutdownReceived = true;
      const id = msg.id;
      if (id === null) return; // not a valid request: there is no one to answer
      const timer = msg.method === "initialize" ? undefined : setTimeout(() => this.expire(id), this.options.requestDeadlineMs);
      this.pending.set(id, { method: msg.method, timer, message: msg });
      this.toWorker(msg);
    } else if (Message.isNotification(msg)) {
      if (msg.method === "exit") {
        process.exit(this.shutdownReceived ? 0 : 1);
      }
      this.track(msg);
      this.toWorker(msg);
    } else if (Message.isResponse(msg)) {
      const key = typeof msg.id === "string" ? msg.id : undefined;
      const target = key === undefined ? undefined : this.outgoing.get(key);
      if (!target || key === undefined) return;
      this.outgoing.delete(key);
      if (target.generation === this.generation) this.toWorker({ ...msg, id: target.id } as ResponseMessage);
    }
  }

  /** Keeps what a fresh worker needs to take over: settings and open documents. */
  private track(msg: NotificationMessage): void {
    const td = textDocumentOf(msg.params);
    try {
      switch (msg.method) {
        case "initialized":
          this.initialized = true;
          break;
        case "workspace/didChangeConfiguration":
          this.configuration = msg;
          break;
        case "textDocument/didOpen":
          if (td && typeof td.languageId === "string" && typeof td.version === "number" && typeof td.text === "string") {
            this.documents.set(td.uri, TextDocument.create(td.uri, td.languageId, td.version, td.text));
          }
          break;
        case "textDocument/didChange": {
          const doc = td && this.documents.get(td.uri);
          const changes = (msg.params as { contentChanges?: unknown } | undefined)?.contentChanges;
          if (doc && td && typeof td.version === "number" && Array.isArray(changes)) TextDocument.update(doc, changes, td.version);
          break;
        }
        case "textDocument/didClose":
          if (td) this.documents.delete(td.uri);
          break;
      }
    } catch {
      // A malformed notification: the worker ignores it too; a replay just lacks it.
    }
  }

  private toWorker(msg: Message): void {
    try {
      this.port?.postMessage(msg);
    } catch {
      // The worker is being replaced; replay covers documents, deadlines cover requests.
    }
  }

  // ---- worker → client ----------------------------------------------------------------------

  private fromWorker(generation: number, msg: unknown): void {
    if (generation !== this.generation || typeof msg !== "object" || msg === null) return;
    const m = msg as Message;
    if (Message.isResponse(m)) {
      const id = m.id;
      if (id === null) return;
      const p = this.pending.get(id);
      if (!p) return; // answered at its deadline already, or a replayed initialize
      if (p.timer) clearTimeout(p.timer);
      this.pending.delete(id);
      void this.writer.write(m);
    } else if (Message.isRequest(m)) {
      const key = `s${++this.outgoingSeq}`;
      this.outgoing.set(key, { id: m.id!, generation });
      void this.writer.write({ ...m, id: key } as RequestMessage);
    } else if (Message.isNotification(m) && this.isStale(m)) {
      // Results for a version the client has already edited past: a newer analysis is on its way.
    } else {
      void this.writer.write(m);
    }
  }

  /** Diagnostics or an analysis notice for a document version older than the client's latest. */
  private isStale(m: NotificationMessage): boolean {
    if (m.method !== "textDocument/publishDiagnostics" && m.method !== DidAnalyzeNotification.method) return false;
    const p = m.params as { uri?: unknown; version?: unknown } | undefined;
    if (typeof p?.uri !== "string" || typeof p.version !== "number") return false;
    const latest = this.documents.get(p.uri)?.version;
    return latest !== undefined && latest > p.version;
  }

  private expire(id: Id): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    process.stderr.write(`CNN Studio: ${p.method} unanswered at its deadline; answered empty\n`);
    this.answerEmpty(id, p.method);
  }

  private answerEmpty(id: Id, method: string): void {
    const response: ResponseMessage =
      method === AnalysisRequest.method
        ? { jsonrpc: "2.0", id, error: { code: LSPErrorCodes.ServerCancelled, message: "CNN Studio is still analysing; ask again after cnnStudio/didAnalyze" } }
        : { jsonrpc: "2.0", id, result: EMPTY_RESULTS[method] ?? null };
    void this.writer.write(response);
  }

  // ---- worker lifecycle ---------------------------------------------------------------------

  private spawn(): void {
    this.adopt(launchWorker({ ...this.launch, hangMs: this.options.hangMs, quarantined: [...this.quarantined] }));
  }

  private adopt({ worker, port }: LaunchedWorker): void {
    const generation = ++this.generation;
    this.worker = worker;
    this.port = port;
    this.lastHeartbeat = Date.now();
    this.analysing = undefined;
    this.booted = false;
    port.on("message", (msg: unknown) => this.fromWorker(generation, msg));
    worker.on("message", (status: unknown) => {
      if (generation !== this.generation || !isWorkerStatus(status)) return;
      this.lastHeartbeat = Date.now();
      this.booted = true;
      this.failedBoots = 0;
      if (status.type === "analysis-start") this.analysing = { file: status.file, hash: status.hash };
      else if (status.type === "analysis-end") this.analysing = undefined;
    });
    worker.on("error", (e) => process.stderr.write(`CNN Studio language server worker failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));
    worker.on("exit", () => {
      if (generation === this.generation) this.replace("exited");
    });
    if (generation > 1) this.replay();
  }

  /** A fresh worker gets the client's initialisation, settings and open documents again. */
  private replay(): void {
    const initialize = [...this.pending.values()].find((p) => p.method === "initialize");
    if (initialize) this.toWorker(initialize.message);
    else if (this.initializeParams !== undefined)
      this.toWorker({ jsonrpc: "2.0", id: `replay-${this.generation}`, method: "initialize", params: this.initializeParams } as RequestMessage);
    if (this.initialized) this.toWorker({ jsonrpc: "2.0", method: "initialized", params: {} } as NotificationMessage);
    if (this.configuration) this.toWorker(this.configuration);
    for (const doc of this.documents.values()) {
      this.toWorker({
        jsonrpc: "2.0",
        method: "textDocument/didOpen",
        params: { textDocument: { uri: doc.uri, languageId: doc.languageId, version: doc.version, text: doc.getText() } },
      } as NotificationMessage);
    }
  }

  private replace(why: string): void {
    if (!this.booted && ++this.failedBoots >= MAX_FAILED_BOOTS) {
      process.stderr.write(`CNN Studio language server worker ${why} before it started, ${this.failedBoots} times in a row; giving up\n`);
      process.exit(1);
    }
    process.stderr.write(`CNN Studio language server worker ${why}; starting a new one\n`);
    if (this.analysing) this.quarantined.add(quarantineKey(this.analysing.file, this.analysing.hash));
    const old = this.worker;
    this.worker = undefined;
    this.port?.close();
    this.port = undefined;
    // Requests the old worker held: answer them now (an initialize is replayed instead).
    for (const [id, p] of [...this.pending]) {
      if (p.method === "initialize") continue;
      if (p.timer) clearTimeout(p.timer);
      this.pending.delete(id);
      this.answerEmpty(id, p.method);
    }
    this.spawn();
    void old?.terminate().catch(() => undefined);
  }

  private checkHealth(): void {
    if (!this.worker || !this.booted) return;
    if (Date.now() - this.lastHeartbeat > this.options.hangMs) {
      const worker = this.worker;
      this.replace("stopped responding");
      void worker.terminate().catch(() => undefined);
    }
  }

  private watchParent(params: unknown): void {
    const pid = typeof params === "object" && params !== null ? (params as { processId?: unknown }).processId : undefined;
    if (typeof pid === "number") watchProcess(pid, () => this.shutdownReceived);
  }
}

/** `params.textDocument` of a document notification, if it has a URI. */
function textDocumentOf(params: unknown): ({ uri: string } & Record<string, unknown>) | undefined {
  if (typeof params !== "object" || params === null) return undefined;
  const td = (params as { textDocument?: unknown }).textDocument;
  if (typeof td !== "object" || td === null || typeof (td as { uri?: unknown }).uri !== "string") return undefined;
  return td as { uri: string } & Record<string, unknown>;
}

/** Exits when process `pid` is gone (the editor crashed or was killed). */
function watchProcess(pid: number, shutdownReceived: () => boolean): void {
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch {
      process.exit(shutdownReceived() ? 0 : 1);
    }
  }, 3000);
  timer.unref();
}

/** Runs the supervisor over the command line's transport, with the worker main.ts started. */
export function runSupervisor(first: LaunchedWorker, launch: LaunchOptions): void {
  const argv = process.argv.slice(2);
  const transport = openTransport(argv);
  if (transport.kind === "stdio") routeConsoleToStderr();
  const supervisor = new Supervisor(launch, transport.writer, defaultSupervisorOptions());
  supervisor.start(first);
  trace("supervisor: listening");
  transport.reader.listen((msg) => {
    try {
      supervisor.fromClient(msg);
    } catch (e) {
      process.stderr.write(`CNN Studio: could not relay a message: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  });
  // A message that cannot be read leaves the stream out of step: say why and exit, so that the
  // client restarts the server (rather than staying alive and deaf).
  transport.reader.onError((e) => {
    process.stderr.write(`CNN Studio language server: cannot read a message from the client (${e.message}); exiting so that the client restarts the server\n`);
    process.exit(1);
  });
  transport.reader.onClose(() => process.exit(1));
  transport.writer.onClose(() => process.exit(1));
  const parent = clientProcessId(argv);
  if (parent !== undefined) watchProcess(parent, () => false);
}
