import { parentPort, workerData } from "node:worker_threads";
import { createConnection, PortMessageReader, PortMessageWriter } from "vscode-languageserver/node";
import { startLanguageServer } from "./languageServer";
import { routeConsoleToStderr } from "./quietConsole";
import { HEARTBEAT_MS, type WorkerData, type WorkerStatus } from "./workerProtocol";

/** The language server's thread: LSP over a MessagePort from the supervisor, plus status messages. */
export function runWorker(): void {
  routeConsoleToStderr();
  const data = workerData as WorkerData;
  const port = parentPort;
  if (!port) throw new Error("runWorker must run in a worker thread");
  const status = (s: WorkerStatus): void => port.postMessage(s);
  const connection = createConnection(new PortMessageReader(data.rpcPort), new PortMessageWriter(data.rpcPort));
  startLanguageServer(connection, {
    analysisStarted: (file, hash) => status({ type: "analysis-start", file, hash }),
    analysisFinished: () => status({ type: "analysis-end" }),
    quarantined: new Set(data.quarantined),
  });
  setInterval(() => status({ type: "heartbeat" }), HEARTBEAT_MS);
}
