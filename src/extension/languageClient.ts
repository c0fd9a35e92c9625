import type * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";

/**
 * The language client library, bundled on its own (`dist/languageClient.js`) and loaded by
 * `client.ts` when the server starts: compiling it is most of what loading the extension would
 * otherwise cost.
 */

export interface ClientSetup {
  serverModule: string;
  documentSelector: LanguageClientOptions["documentSelector"];
  configurationSection: string;
  fileEvents: vscode.FileSystemWatcher;
  initializationOptions: unknown;
  outputChannel: vscode.OutputChannel;
}

export function createLanguageClient(setup: ClientSetup): LanguageClient {
  const serverOptions: ServerOptions = {
    run: { module: setup.serverModule, transport: TransportKind.ipc },
    debug: { module: setup.serverModule, transport: TransportKind.ipc, options: { execArgv: ["--nolazy", "--inspect=6019"] } },
  };
  return new LanguageClient("cnnStudio", "CNN Studio", serverOptions, {
    documentSelector: setup.documentSelector,
    synchronize: { configurationSection: setup.configurationSection, fileEvents: setup.fileEvents },
    initializationOptions: setup.initializationOptions,
    outputChannel: setup.outputChannel,
    // The server supervises its analysis worker and does not die with the user's code; should
    // the process die anyway, it is restarted a few times.
    connectionOptions: { maxRestartCount: 4 },
  });
}

export type { LanguageClient };
