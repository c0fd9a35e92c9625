import { isMainThread } from "node:worker_threads";
import { trace } from "./trace";

trace(isMainThread ? "main thread: bundle loaded" : "worker: bundle loaded");

/**
 * `dist/server.js`: CNN Studio's language server. Run as `node dist/server.js --stdio` (or
 * `--node-ipc`, as the extension starts it). The main thread supervises; the server itself runs
 * in a worker thread started from this same file. `--in-process` runs it on the main thread.
 * Each part is loaded only where it runs, so the main thread never loads the analyzer.
 */
if (!isMainThread) {
  (require("./worker") as typeof import("./worker")).runWorker();
} else if (process.argv.includes("--in-process") || process.env["CNN_STUDIO_SERVER_IN_PROCESS"] === "1") {
  (require("./inProcess") as typeof import("./inProcess")).runInProcess();
} else {
  (require("./supervisor") as typeof import("./supervisor")).runSupervisor(__filename);
}
