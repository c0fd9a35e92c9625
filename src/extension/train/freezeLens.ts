import * as vscode from "vscode";
import { ModelCommands, type ModelCommandArgs } from "../../shared/lsp";
import type { TrainTransfer } from "./trainTransfer";

/**
 * A code lens above the model the Train view freezes part of (issue 15): `5,130 trainable of 11.69M
 * parameters (freeze set in the Train view)`, which opens the Train view; none for every other
 * model, whose lenses (the language server's) stay as they are.
 */
export class FreezeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: { dispose(): void };

  constructor(private readonly transfer: TrainTransfer) {
    this.subscription = transfer.onDidChange(() => this.changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const frozen = this.transfer.frozenModel();
    if (!frozen || frozen.uri !== document.uri.toString()) return [];
    const r = frozen.model.location.range;
    const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
    const args: ModelCommandArgs = { uri: frozen.uri, model: frozen.model.name };
    return [new vscode.CodeLens(range, { title: `${frozen.text} (freeze set in the Train view)`, command: ModelCommands.train, arguments: [args] })];
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
