import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { summaryLinks } from "../../src/extension/commands/summaryLinks";
import { installFakeVscode, createFakeVscode } from "../helpers/fakeVscode";
import { analyse } from "./fixtures";

/** Issue 19, item 18: the summary's layers and errors click through to the source. */

const ROOT = path.resolve(__dirname, "..", "..", "..");
installFakeVscode(createFakeVscode(ROOT).api);
const { summaryText } = require("../../src/extension/commands/summary") as typeof import("../../src/extension/commands/summary");

test("summary links: every layer's path in the table goes to where the layer is created", () => {
  const file = path.join(ROOT, "examples", "lenet5.ts");
  const result = analyse(file);
  const text = summaryText(result, "lenet5");
  const links = summaryLinks(text, result, "lenet5");
  const m = result.models.find((x) => x.name === "lenet5")!;
  assert.equal(links.length, m.layers.length);
  const lines = text.split("\n");
  for (const [k, l] of links.entries()) {
    assert.equal(lines[l.line]!.slice(l.start, l.end), m.layers[k]!.path, "the link covers the path cell");
    assert.equal(l.target.file, file);
  }
  const conv = links.find((l) => lines[l.line]!.startsWith("0 "))!;
  const source = fs.readFileSync(file, "utf8").split("\n");
  assert.match(source[conv.target.line]!.slice(conv.target.character), /^nn\.Conv2d\(1, 6, 5/, "layer 0 goes to its nn.Conv2d(...)");
  assert.deepEqual(summaryLinks(text, result, "nope"), []);
});

test("summary links: each error's file:line:column goes to the error", () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-summary-")), "broken-summary.ts");
  const result = analyse(
    file,
    `import { nn } from "cnn-studio";\n/** @input [N, 3, 32, 32] */\nexport const bad = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Conv2d(16, 4, 3));\n`,
  );
  const text = summaryText(result, "bad");
  const links = summaryLinks(text, result, "bad");
  const err = links.find((l) => l.tooltip === "Go to the error");
  assert.ok(err, text);
  assert.match(text.split("\n")[err.line]!.slice(err.start, err.end), /^broken-summary\.ts:3:\d+$/);
  assert.equal(err.target.line, 2);
});
