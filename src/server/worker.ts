import { parentPort, workerData } from "node:worker_threads";
import { createConnection, PortMessageReader, PortMessageWriter } from "vscode-languageserver/node";
import { writeCodeCacheOnce } from "./codeCache";
import { startLanguageServer } from "./languageServer";
import { trace } from "./trace";
import { routeConsoleToStderr } from "./quietConsole";
import type { WorkerData, WorkerStatus } from "./workerProtocol";

const CODE_CACHE_DELAY_MS = 1500;

/** The language server's thread: LSP over a MessagePort from the supervisor, plus status messages. */
export function runWorker(): void {
  routeConsoleToStderr();
  const data = workerData as WorkerData;
  const port = parentPort;
  if (!port) throw new Error("runWorker must run in a worker thread");
  const status = (s: WorkerStatus): void => port.postMessage(s);
  const connection = createConnection(new PortMessageReader(data.rpcPort), new PortMessageWriter(data.rpcPort));
  let cacheScheduled = false;
  startLanguageServer(connection, {
    analysisStarted: (file, hash) => status({ type: "analysis-start", file, hash }),
    analysisFinished: () => {
      status({ type: "analysis-end" });
      if (!cacheScheduled) {
        cacheScheduled = true;
        // Once the first analysis (and its hover and hints) compiled what typing needs.
        setTimeout(writeCodeCacheOnce, CODE_CACHE_DELAY_MS);
      }
    },
    quarantined: new Set(data.quarantined),
  });
  setInterval(() => status({ type: "heartbeat" }), data.heartbeatMs);
  trace("worker: listening");
}
