import { isMainThread } from "node:worker_threads";
import { trace } from "./trace";

/**
 * `dist/server-worker.js`: the language server proper (analyzer, TypeScript's parser, features).
 * In the worker thread the supervisor starts, it serves LSP over a message port; run directly
 * (`node dist/server-worker.js --stdio`, or `dist/server.js --in-process`) it serves on the
 * command line's transport, without the supervisor — for profiling and debugging.
 */
trace(isMainThread ? "server (in-process): loaded" : "worker: loaded");
if (isMainThread) (require("./inProcess") as typeof import("./inProcess")).runInProcess();
else (require("./worker") as typeof import("./worker")).runWorker();
