import { createConnection } from "vscode-languageserver/node";
import { startLanguageServer } from "./languageServer";

/**
 * The language server without the supervisor and its worker (`--in-process`): for profiling and
 * debugging. vscode-languageserver reads the transport (`--stdio`, `--node-ipc`, …) from argv.
 */
export function runInProcess(): void {
  startLanguageServer(createConnection());
}
