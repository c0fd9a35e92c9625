import * as fs from "node:fs";
import * as path from "node:path";
import { trace } from "./trace";
import { launchFirstWorker } from "./workerLauncher";

/**
 * `dist/server.js`: CNN Studio's language server. Run as `node dist/server.js --stdio` (or
 * `--node-ipc`, as the extension starts it). This small program is the supervisor (see
 * supervisor.ts); the server itself runs in a worker thread from `server-worker.js`, so the main
 * thread never loads the analyzer and answers from the first moment. `--in-process` runs the
 * server on the main thread instead.
 */

/** The worker's program: next to the bundle, or (unbundled, in out/) the module itself. */
function workerEntry(): string {
  const candidates = [path.join(__dirname, "server-worker.js"), path.join(__dirname, "workerMain.js")];
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[0]!;
}

trace("main thread: loaded");
if (process.argv.includes("--in-process") || process.env["CNN_STUDIO_SERVER_IN_PROCESS"] === "1") {
  // A computed path: loaded at run time, not bundled into this small program.
  const entry = workerEntry();
  require(entry);
} else {
  // The worker first: it boots (the longest part of a start) while the LSP libraries load here.
  const { launched, options } = launchFirstWorker(workerEntry(), process.argv.slice(2));
  trace("main thread: worker started");
  (require("./supervisor") as typeof import("./supervisor")).runSupervisor(launched, options);
}
