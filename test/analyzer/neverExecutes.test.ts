import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { CLI, ROOT } from "../helpers/paths";

/**
 * README "Security": the analyzer reads a model file, it never runs it. A model file whose code
 * would write a file at import, in a helper, in a constructor and in forward is analysed and
 * exported; no file appears.
 */
test("analysing and exporting a model file never executes its code", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-never-runs-"));
  const marker = (where: string): string => JSON.stringify(path.join(dir, `ran-${where}`));
  const file = path.join(dir, "model.ts");
  fs.writeFileSync(
    file,
    `import { nn, type Tensor } from "cnn-studio";
declare const require: (m: string) => { writeFileSync(p: string, s: string): void };
require("fs").writeFileSync(${marker("top-level")}, "x");
function width(): number {
  require("fs").writeFileSync(${marker("helper")}, "x");
  return 8;
}
class Net extends nn.Module {
  conv = nn.Conv2d(1, width(), 3);
  constructor() {
    super();
    require("fs").writeFileSync(${marker("constructor")}, "x");
  }
  forward(x: Tensor): Tensor {
    require("fs").writeFileSync(${marker("forward")}, "x");
    return this.conv(x);
  }
}
/** @input [N, 1, 28, 28] */
export const net = new Net();
`,
  );
  for (const args of [
    ["summary", file, "--json"],
    ["export", file, "--model", "net", "--to", "pytorch"],
  ]) {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8" });
    assert.notEqual(r.status, null, `${args[0]} ended by a signal`);
  }
  assert.deepEqual(
    fs.readdirSync(dir).filter((f) => f.startsWith("ran-")),
    [],
  );
  fs.rmSync(dir, { recursive: true, force: true });
});
