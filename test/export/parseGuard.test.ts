import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";

/**
 * The exporter parses model files with TypeScript too, so it must not hang on what hangs
 * TypeScript 5.5–6.0's JSDoc scanner (microsoft/TypeScript#63580): a `/**` comment whose text ends
 * right after a `-`, closed (`/**a-` and its end) or left unterminated while typing (`/** ResNet-50`),
 * in the model file or in a file it imports. Each export runs in a child process, so a hang fails
 * the test after a timeout instead of hanging the suite.
 */

const PYTORCH = path.resolve(__dirname, "../../src/export/pytorch.js");

const MODEL = `import { nn } from "cnn-studio";
/** @input [N, 1, 28, 28] */
export const net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10));
`;

const CASES: [string, Record<string, string>][] = [
  ["a closed /**a-*/ comment", { "model.ts": `/**a-*/\n${MODEL}` }],
  ["an unterminated /** ResNet-50 comment", { "model.ts": `${MODEL}/** ResNet-50` }],
  [
    "an imported file with /** block-*/",
    {
      "model.ts": `import { head } from "./blocks";\n/** @input [N, 1, 28, 28] */\nexport const net = nn.Sequential(nn.Flatten(), head());\nimport { nn } from "cnn-studio";\n`,
      "blocks.ts": `import { nn } from "cnn-studio";\n/** block-*/\nexport function head() {\n  return nn.Linear(784, 10);\n}\n`,
    },
  ],
];

const SCRIPT = `
const { exportPyTorch } = require(${JSON.stringify(PYTORCH)});
const files = JSON.parse(process.argv[1]);
const r = exportPyTorch("/virtual/model.ts", { host: { readFile: (f) => files[f.slice("/virtual/".length)] } });
process.stdout.write(JSON.stringify({ ok: r.ok, errors: r.diagnostics.filter((d) => d.severity === "error").map((d) => d.message), code: r.code }));
`;

for (const [name, files] of CASES) {
  test(`export does not hang on ${name}`, () => {
    const r = spawnSync(process.execPath, ["-e", SCRIPT, JSON.stringify(files)], { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.signal, null, `the export hung (killed after 60 s)`);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { ok: boolean; errors: string[]; code: string };
    assert.deepEqual(out.errors, []);
    assert.ok(out.ok);
    assert.match(out.code, /nn\.Linear\(784, 10\)/);
  });
}
