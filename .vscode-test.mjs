// @vscode/test-cli (`npx vscode-test`): CNN Studio's extension-host checks in a downloaded VS Code
// (test/extension/host/). Needs network access to download VS Code, and a display (or xvfb-run).
// `npm test` runs the same checks through @vscode/test-electron and skips them where VS Code
// cannot be downloaded.
import { defineConfig } from "@vscode/test-cli";

export default defineConfig({
  files: "out/test/extension/host/host.suite.js",
  version: "stable",
  workspaceFolder: "./examples",
  launchArgs: ["--disable-extensions", "--disable-workspace-trust"],
  mocha: { ui: "tdd", timeout: 120_000 },
});
