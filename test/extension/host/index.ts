import { runHostChecks } from "./checks";

/** The entry point @vscode/test-electron loads in the extension host (`extensionTestsPath`). */
export function run(): Promise<void> {
  return runHostChecks();
}
