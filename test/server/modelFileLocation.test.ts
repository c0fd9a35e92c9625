import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { isModelFileLocation } from "../../src/shared/modelFile";
import { LspClient, PATIENT, uriOf } from "./lspClient";

/**
 * Issue 19.6: files that are not model files are never listed or diagnosed, whatever they import:
 * declaration files (the extension's own typings, opened from the quick-fix menu) and anything under
 * node_modules. (`isModelFileLocation` can also exclude files outside given folders; the server and
 * the Models view do not use that: a model file the user opens from elsewhere is analysed.)
 */

const BROKEN = `import { nn } from "cnn-studio";
export namespace oops {}
/** @input [N, 3, 8, 8] */
export const net = nn.Sequential(nn.Conv2d(1, 4, 3));
`;

test("isModelFileLocation: no .d.ts, no node_modules, nothing outside the workspace's folders", () => {
  assert.equal(isModelFileLocation("file:///w/model.ts", ["file:///w"]), true);
  assert.equal(isModelFileLocation("file:///w/sub/model.mts", ["file:///w/"]), true);
  assert.equal(isModelFileLocation("file:///ext/types/cnn-studio.d.ts"), false);
  assert.equal(isModelFileLocation("file:///w/types/nn/conv.d.mts", ["file:///w"]), false);
  assert.equal(isModelFileLocation("file:///w/node_modules/pkg/model.ts", ["file:///w"]), false);
  assert.equal(isModelFileLocation("file:///elsewhere/model.ts", ["file:///w"]), false);
  assert.equal(isModelFileLocation("file:///wx/model.ts", ["file:///w"]), false, "a sibling folder with the same prefix is outside");
  assert.equal(isModelFileLocation("file:///anywhere/model.ts"), true, "without folders (one file open) every file may be");
  assert.equal(isModelFileLocation("untitled:Untitled-1", ["file:///w"]), true, "an unsaved buffer may be");
});

describe("the server diagnoses only model files where model files can be", () => {
  let client: LspClient;
  let root = "";
  let ws = "";
  const write = (rel: string): string => {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, BROKEN);
    return file;
  };

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-locations-"));
    ws = path.join(root, "ws");
    fs.mkdirSync(ws);
    client = await LspClient.start({ env: PATIENT, workspaceFolders: [ws] });
  });
  after(async () => {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test("a .d.ts and a file in node_modules get no diagnostics and are no model files; an open file outside the workspace is analysed", async () => {
    const outside = client.open(write("outside/model.ts"));
    assert.ok((await client.waitForDiagnostics(outside, 1)).diagnostics.length >= 1, "a model file the user opened from elsewhere");
    const skipped = [write("ws/types/cnn-studio.d.ts"), write("ws/node_modules/pkg/model.ts")].map((f) => client.open(f));
    const model = client.open(write("ws/model.ts"));
    const published = await client.waitForDiagnostics(model, 1);
    assert.ok(published.diagnostics.length >= 1, "the workspace's model file is diagnosed");
    for (const uri of skipped) {
      const r = await client.analysis(uri);
      assert.equal(r?.isModelFile, false, uri);
      assert.deepEqual(r?.models, []);
      assert.equal(client.diagnostics.get(uri)?.diagnostics.length ?? 0, 0, `${uri}: nothing published`);
    }
    const closed = await client.analysis(uriOf(path.join(ws, "node_modules", "pkg", "model.ts")));
    assert.equal(closed?.isModelFile, false);
  });
});
