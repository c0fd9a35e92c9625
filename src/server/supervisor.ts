import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { TextDocument } from "vscode-languageserver-textdocument";
import {
  ErrorCodes,
  Message,
  type MessageWriter,
  type NotificationMessage,
  type RequestMessage,
  type ResponseMessage,
} from "vscode-languageserver/node";
import { AnalysisRequest } from "../shared/lsp";
import { codeCacheFile, WORKER_BOOTSTRAP } from "./codeCache";
import { routeConsoleToStderr } from "./quietConsole";
import { trace } from "./trace";
import { clientProcessId, openTransport } from "./transport";
import { HEARTBEAT_MS, isWorkerStatus, quarantineKey, type WorkerData } from "./workerProtocol";

/**
 * The server process's main thread: relays LSP messages between the client and the language
 * server, which runs in a worker thread, and keeps the promise that the server answers every
 * request promptly and never dies with the user's code.
 *
 * - A request unanswered after `requestDeadlineMs` (default 900) is answered with an empty
 *   result; the worker's late answer is dropped. (`cnnStudio/analysis` gets a longer deadline and
 *   an error instead.)
 * - A worker that stops responding for `hangMs` (default 15 s) is terminated; one that crashes or
 *   runs out of memory exits. Either way a fresh worker takes over with the same initialisation,
 *   settings and open documents, and the text being analysed when it happened is quarantined:
 *   not analysed again until it changes (a warning on the file says so).
 * - `exit` ends the process; so does the client process going away.
 */

export interface SupervisorOptions {
  requestDeadlineMs: number;
  analysisDeadlineMs: number;
  hangMs: number;
}

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

export function defaultSupervisorOptions(): SupervisorOptions {
  return {
    requestDeadlineMs: envNumber("CNN_STUDIO_REQUEST_DEADLINE_MS", 900),
    analysisDeadlineMs: envNumber("CNN_STUDIO_ANALYSIS_DEADLINE_MS", 10_000),
    hangMs: envNumber("CNN_STUDIO_HANG_MS", 15_000),
  };
}

type Id = number | string;

interface Pending {
  method: string;
  timer: NodeJS.Timeout;
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
  private watchdog: NodeJS.Timeout | undefined;

  constructor(
    private readonly entry: string,
    private readonly writer: MessageWriter,
    private readonly options: SupervisorOptions,
    private readonly cacheFile: string | undefined,
  ) {}

  start(): void {
    trace("supervisor: starting worker");
    this.spawn();
    this.watchdog = setInterval(() => this.checkHealth(), Math.min(HEARTBEAT_MS * 2, this.options.hangMs));
  }

  // ---- client → worker ----------------------------------------------------------------------

  fromClient(msg: Message): void {
    if (Message.isRequest(msg)) {
      if (msg.method === "initialize") {
        this.initializeParams = msg.params;
        this.watchParent(msg.params);
      }
      if (msg.method === "shutdown") this.shutdownReceived = true;
      const deadline = msg.method === "initialize" || msg.method === "shutdown" ? undefined : msg.method === AnalysisRequest.method ? this.options.analysisDeadlineMs : this.options.requestDeadlineMs;
      const timer = setTimeout(() => this.expire(msg.id!), deadline ?? 60_000);
      if (deadline === undefined) timer.unref();
      if (msg.id !== null) this.pending.set(msg.id, { method: msg.method, timer, message: msg });
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
    const p = msg.params as Record<string, unknown> | undefined;
    switch (msg.method) {
      case "initialized":
        this.initialized = true;
        break;
      case "workspace/didChangeConfiguration":
        this.configuration = msg;
        break;
      case "textDocument/didOpen": {
        const td = p?.["textDocument"] as { uri: string; languageId: string; version: number; text: string } | undefined;
        if (td) this.documents.set(td.uri, TextDocument.create(td.uri, td.languageId, td.version, td.text));
        break;
      }
      case "textDocument/didChange": {
        const td = p?.["textDocument"] as { uri: string; version: number } | undefined;
        const doc = td && this.documents.get(td.uri);
        const changes = p?.["contentChanges"];
        if (doc && td && Array.isArray(changes)) TextDocument.update(doc, changes, td.version);
        break;
      }
      case "textDocument/didClose": {
        const td = p?.["textDocument"] as { uri: string } | undefined;
        if (td) this.documents.delete(td.uri);
        break;
      }
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
      clearTimeout(p.timer);
      this.pending.delete(id);
      void this.writer.write(m);
    } else if (Message.isRequest(m)) {
      const key = `s${++this.outgoingSeq}`;
      this.outgoing.set(key, { id: m.id!, generation });
      void this.writer.write({ ...m, id: key } as RequestMessage);
    } else {
      void this.writer.write(m);
    }
  }

  private expire(id: Id): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.answerEmpty(id, p.method);
  }

  private answerEmpty(id: Id, method: string): void {
    const response: ResponseMessage =
      method === AnalysisRequest.method
        ? { jsonrpc: "2.0", id, error: { code: ErrorCodes.InternalError, message: "CNN Studio's analysis did not finish in time" } }
        : { jsonrpc: "2.0", id, result: EMPTY_RESULTS[method] ?? null };
    void this.writer.write(response);
  }

  // ---- worker lifecycle ---------------------------------------------------------------------

  private spawn(): void {
    const generation = ++this.generation;
    const channel = new MessageChannel();
    const data: WorkerData = { rpcPort: channel.port2, quarantined: [...this.quarantined], boot: { entry: this.entry, cacheFile: this.cacheFile } };
    const worker = new Worker(WORKER_BOOTSTRAP, {
      eval: true,
      workerData: data,
      transferList: [channel.port2],
      resourceLimits: { maxOldGenerationSizeMb: 2048 },
      stdout: false,
      stderr: false,
    });
    this.worker = worker;
    this.port = channel.port1;
    this.lastHeartbeat = Date.now();
    this.analysing = undefined;
    channel.port1.on("message", (msg: unknown) => this.fromWorker(generation, msg));
    worker.on("message", (status: unknown) => {
      if (generation !== this.generation || !isWorkerStatus(status)) return;
      this.lastHeartbeat = Date.now();
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
    else if (this.initializeParams !== undefined) this.toWorker({ jsonrpc: "2.0", id: `replay-${this.generation}`, method: "initialize", params: this.initializeParams } as RequestMessage);
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
    process.stderr.write(`CNN Studio language server worker ${why}; starting a new one\n`);
    if (this.analysing) this.quarantined.add(quarantineKey(this.analysing.file, this.analysing.hash));
    const old = this.worker;
    this.worker = undefined;
    this.port?.close();
    this.port = undefined;
    // Requests the old worker held: answer them now (an initialize is replayed instead).
    for (const [id, p] of [...this.pending]) {
      if (p.method === "initialize") continue;
      clearTimeout(p.timer);
      this.pending.delete(id);
      this.answerEmpty(id, p.method);
    }
    this.spawn();
    void old?.terminate().catch(() => undefined);
  }

  private checkHealth(): void {
    if (!this.worker) return;
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

export function runSupervisor(entry: string): void {
  const argv = process.argv.slice(2);
  const transport = openTransport(argv);
  if (transport.kind === "stdio") routeConsoleToStderr();
  const supervisor = new Supervisor(entry, transport.writer, defaultSupervisorOptions(), codeCacheFile(entry, argv));
  supervisor.start();
  transport.reader.listen((msg) => supervisor.fromClient(msg));
  transport.reader.onClose(() => process.exit(1));
  transport.writer.onClose(() => process.exit(1));
  const parent = clientProcessId(argv);
  if (parent !== undefined) watchProcess(parent, () => false);
}
