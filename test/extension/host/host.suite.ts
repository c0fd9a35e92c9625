import { hostChecks } from "./checks";

/**
 * The same checks as a mocha suite for @vscode/test-cli (`npx vscode-test`, configured in
 * .vscode-test.mjs). Outside VS Code's mocha (as under `node --test`) it defines nothing.
 */

declare const suite: ((name: string, fn: () => void) => void) | undefined;
declare const test: ((name: string, fn: () => Promise<void>) => void) | undefined;

if (typeof suite === "function" && typeof test === "function") {
  const t = test;
  suite("CNN Studio in the extension host", () => {
    for (const c of hostChecks()) t(c.name, () => c.run());
  });
}
