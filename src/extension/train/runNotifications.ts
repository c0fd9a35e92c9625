import * as vscode from "vscode";

/**
 * The notifications at the end of a run carry the next action (issue 19.3): "Stopped — Resume",
 * "Finished — Open Curves / Feature Maps / Evaluate". Evaluate is offered only where the command
 * `cnnStudio.openEvaluation` exists (registered by the Evaluation panel).
 */

export const EVALUATE_COMMAND = "cnnStudio.openEvaluation";

export type RunAction = "Resume" | "Open Curves" | "Feature Maps" | "Evaluate";

/** The command (and its arguments) each button runs for the run folder `runDir`. */
export function actionCommand(action: RunAction, runDir: string): [string, ...unknown[]] {
  switch (action) {
    case "Resume":
      return ["cnnStudio.resumeRun", runDir];
    case "Open Curves":
      return ["cnnStudio.openCurves", { runDir }];
    case "Feature Maps":
      return ["cnnStudio.openFeatureMaps", { runDir }];
    case "Evaluate":
      return [EVALUATE_COMMAND, runDir];
  }
}

/** The buttons of a finished run's notification, given the commands registered now. */
export function finishedActions(commands: readonly string[]): RunAction[] {
  return ["Open Curves", "Feature Maps", ...(commands.includes(EVALUATE_COMMAND) ? (["Evaluate"] as const) : [])];
}

/** The buttons of a stopped run's notification: Resume where a checkpoint lets it go on. */
export function stoppedActions(checkpoint: boolean): RunAction[] {
  return checkpoint ? ["Resume", "Open Curves"] : ["Open Curves"];
}

async function notify(message: string, actions: readonly RunAction[], runDir: string | null): Promise<void> {
  const chosen = await vscode.window.showInformationMessage(message, ...(runDir ? actions : []));
  if (chosen && runDir) await vscode.commands.executeCommand(...actionCommand(chosen, runDir));
}

export async function notifyFinished(model: string, runDir: string | null, valAccuracy: number | null): Promise<void> {
  const acc = valAccuracy !== null ? ` — validation accuracy ${(100 * valAccuracy).toFixed(2)}%` : "";
  const commands = await Promise.resolve(vscode.commands.getCommands(true)).then(
    (c) => c,
    () => [] as string[],
  );
  await notify(`CNN Studio: ${model} finished training${acc}.`, finishedActions(commands), runDir);
}

export async function notifyStopped(model: string, epoch: number, runDir: string | null, checkpoint: boolean): Promise<void> {
  await notify(`CNN Studio: ${model} stopped at epoch ${epoch}${checkpoint ? " (checkpoint saved)" : ""}.`, stoppedActions(checkpoint), runDir);
}
