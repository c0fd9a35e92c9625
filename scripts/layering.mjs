// The direction of imports between the parts of the code (ARCHITECTURE.md, "Layers of the code"):
// for each part under src/, the parts it must not import, and why. Enforced by eslint.config.mjs
// (no-restricted-imports) and by test/architecture/layering.test.ts (without ESLint).
export const FORBIDDEN_IMPORTS = {
  "src/shared": {
    parts: ["analyzer", "server", "extension", "trainer", "export", "cli"],
    why: "src/shared imports only src/shared: every process uses it",
  },
  "src/runtime": {
    parts: ["shared", "analyzer", "server", "extension", "trainer", "export", "cli"],
    why: "Node helpers of the processes' start (the V8 code cache): no product code, and never in a webview",
  },
  "src/analyzer": {
    parts: ["server", "extension", "trainer", "export", "cli"],
    why: "the analyzer is a pure library under the server, the trainer, the exporter and the CLI",
  },
  "src/export": { parts: ["server", "extension", "trainer", "cli"], why: "the exporter builds on the analyzer only" },
  "src/server": { parts: ["extension", "trainer", "export", "cli"], why: "the language server builds on the analyzer only" },
  "src/trainer": { parts: ["server", "extension", "cli"], why: "the trainer process does not know its clients" },
  "src/cli": { parts: ["server", "extension"], why: "the CLI does not depend on the editor's processes" },
  "src/extension": {
    parts: ["server", "cli"],
    why: "the extension talks to the language server through src/shared/lsp.ts; helpers both use live in src/shared",
  },
  webview: { parts: ["analyzer", "server", "extension", "trainer", "export", "cli"], why: "webviews import only src/shared" },
};

/** Parts that may import the `vscode` module. */
export const VSCODE_PARTS = ["src/extension"];
