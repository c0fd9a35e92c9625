/**
 * Diagnostics and quick fixes over the real protocol, on the broken-file corpus
 * (test/fixtures/diagnostics) and on small multi-file workspaces: exact messages and ranges,
 * related information, each diagnostic published to the file it is located in (and cleared when
 * it goes away), quick fixes that remove their diagnostic, the `@input` fix, and incremental
 * re-analysis (debounce, latest version only, dependants of an edited file).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type { CodeAction, Diagnostic, MarkupContent } from "vscode-languageserver-types";
import { Analyzer } from "../../src/analyzer/index";
import type { Diagnostic as AnalyzerDiagnostic } from "../../src/shared/analysis";
import { applyEdits, at, editsFor, FIXTURES, LspClient, PATIENT, positionOf, textIn, uriOf } from "./lspClient";

const SEVERITY = { error: 1, warning: 2, info: 3 } as const;
const EXPECT = /^\/\/ expect: (error|warning|info) (?:([^\s:]+):)?(\d+):(\d+) (.+)$/;

/** The analyzer's diagnostics as the server must publish them, per URI. */
function expectedByUri(file: string): Map<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  for (const d of new Analyzer().analyzeFile(file).diagnostics) {
    const uri = uriOf(d.location.file);
    const list = out.get(uri) ?? [];
    list.push(toLsp(d));
    out.set(uri, list);
  }
  return out;
}

function toLsp(d: AnalyzerDiagnostic): Diagnostic {
  const out: Diagnostic = { range: d.location.range, severity: SEVERITY[d.severity], code: d.code, source: "CNN Studio", message: d.message };
  if (d.related.length)
    out.relatedInformation = d.related.map((r) => ({ location: { uri: uriOf(r.location.file), range: r.location.range }, message: r.message }));
  return out;
}

/** Published diagnostics without `data` (the fix travels there; compared separately). */
function published(list: readonly Diagnostic[]): Diagnostic[] {
  return list.map(({ data: _data, ...rest }) => rest);
}

/** `error 9:3 message` lines of a fixture's header. */
function headerExpectations(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("// expect:"))
    .map((l) => {
      const [, sev, other, line, col, message] = EXPECT.exec(l)!;
      return `${sev} ${other ? `${other}:` : ""}${line}:${col} ${message}`;
    });
}

function describeDiagnostic(d: Diagnostic, self: string, uri: string): string {
  const sev = d.severity === 1 ? "error" : d.severity === 2 ? "warning" : "info";
  return `${sev} ${uri === self ? "" : `${path.basename(new URL(uri).pathname)}:`}${at(d.range.start)} ${d.message}`;
}

let client: LspClient;
before(async () => {
  client = await LspClient.start({ env: PATIENT });
});
after(async () => {
  await client.stop();
});

const fixtures = fs
  .readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".ts"))
  .sort();

describe("broken-file corpus", () => {
  for (const name of fixtures) {
    test(name, async () => {
      const file = path.join(FIXTURES, name);
      const text = fs.readFileSync(file, "utf8");
      const uri = client.open(file, text);
      const own = await client.waitForDiagnostics(uri, 1);
      const expected = expectedByUri(file);
      // Exactly the analyzer's diagnostics, with exact ranges and related locations, in their own files.
      assert.deepEqual(published(own.diagnostics), expected.get(uri) ?? []);
      for (const [other, list] of expected) {
        if (other === uri) continue;
        const theirs = client.diagnostics.get(other);
        assert.ok(theirs, `nothing published for ${other}`);
        for (const d of list)
          assert.ok(
            published(theirs.diagnostics).some((x) => JSON.stringify(x) === JSON.stringify(d)),
            `${d.message} not published to ${other}`,
          );
      }
      client.close(uri);
      const cleared = await client.waitForDiagnostics(uri);
      assert.ok(
        cleared.diagnostics.every((d) => !own.diagnostics.some((o) => o.message === d.message && o.range.start.line === d.range.start.line)),
        "closing clears the file's own diagnostics",
      );
    });
  }
});

/** Code actions offered at a diagnostic. */
async function actionsAt(uri: string, d: Diagnostic): Promise<CodeAction[]> {
  return (await client.codeActions(uri, d.range, [d])) ?? [];
}

describe("quick fixes", () => {
  const certain: [string, string, [string, string][]][] = [
    // fixture, diagnostic at, then each fix: title, replaced text → new text (issue 19.9: the
    // consuming layer's side first, preferred, then the producing layer's)
    [
      "seq-channel-mismatch.ts",
      "9:3",
      [
        ["Change 2 (Conv2d) inChannels to 32", "16→32"],
        ["Change 0 (Conv2d) outChannels to 16", "32→16"],
      ],
    ],
    [
      "forward-channel-mismatch.ts",
      "11:9",
      [
        ["Change conv2 (Conv2d) inChannels to 32", "16→32"],
        ["Change conv1 (Conv2d) outChannels to 16", "32→16"],
      ],
    ],
    // issue 19.9: the fix keeps the expression's form
    ["linear-after-flatten.ts", "10:3", [["Change 7 (Linear) inFeatures to 16 * 4 * 4 (256)", "16 * 5 * 5→16 * 4 * 4"]]],
    [
      "batchnorm-mismatch.ts",
      "7:3",
      [
        ["Change 1 (BatchNorm2d) numFeatures to 64", "32→64"],
        ["Change 0 (Conv2d) outChannels to 32", "64→32"],
      ],
    ],
    [
      "two-models.ts",
      "6:70",
      [
        ["Change 2 (BatchNorm2d) numFeatures to 8", "16→8"],
        ["Change 0 (Conv2d) outChannels to 16", "8→16"],
      ],
    ],
  ];
  for (const [name, where, fixes] of certain) {
    test(`${name}: ${fixes.map(([title]) => title).join(" or ")}, and the diagnostic is gone`, async () => {
      const file = path.join(FIXTURES, name);
      const uri = client.open(file);
      const before = await client.waitForDiagnostics(uri, 1);
      const d = before.diagnostics.find((x) => at(x.range.start) === where);
      assert.ok(d, `no diagnostic at ${where}`);
      // The message and position the corpus states for it, through the protocol.
      assert.ok(headerExpectations(client.text(uri)).includes(describeDiagnostic(d, uri, uri)), `${describeDiagnostic(d, uri, uri)} is not in the header`);
      // (The layout action beside a diagnostic on a line of several layers is tested below.)
      const actions = (await actionsAt(uri, d)).filter((a) => a.title !== "Put one layer per line");
      assert.deepEqual(
        actions.map((a) => [a.title, a.kind, a.isPreferred]),
        fixes.map(([title], i) => [title, "quickfix", i === 0]),
      );
      const original = client.text(uri);
      for (const [i, [, change]] of fixes.entries()) {
        const action = actions[i]!;
        const edits = editsFor(action.edit, uri);
        assert.equal(edits.length, 1);
        const [from, to] = change.split("→");
        assert.equal(textIn(original, edits[0]!.range), from);
        assert.equal(edits[0]!.newText, to);
        assert.deepEqual(
          action.diagnostics?.map((x) => x.message),
          [d.message],
        );
        const version = client.replace(uri, applyEdits(original, edits));
        const afterFix = await client.waitForDiagnostics(uri, version);
        assert.deepEqual(
          afterFix.diagnostics.map((x) => x.message),
          before.diagnostics.filter((x) => x !== d).map((x) => x.message),
          action.title,
        );
        // Back to the broken text for the next fix.
        await client.waitForDiagnostics(uri, client.replace(uri, original));
      }
      client.close(uri);
    });
  }

  for (const name of ["missing-flatten.ts", "conv-output-zero.ts", "residual-no-downsample.ts", "cat-mismatch.ts", "view-bad.ts"]) {
    test(`${name}: no single value certainly fixes it, so no quick fix`, async () => {
      const uri = client.open(path.join(FIXTURES, name));
      const { diagnostics } = await client.waitForDiagnostics(uri, 1);
      assert.ok(diagnostics.length > 0);
      // (Only the layout, where the line has several layers: no value.)
      for (const d of diagnostics)
        assert.deepEqual(
          (await actionsAt(uri, d)).filter((a) => a.title !== "Put one layer per line"),
          [],
        );
      client.close(uri);
    });
  }

  test("missing @input on a linear model: the features are certain", async () => {
    const file = path.join(FIXTURES, "missing-input.ts");
    const uri = client.open(file);
    const { diagnostics } = await client.waitForDiagnostics(uri, 1);
    const [d] = diagnostics;
    assert.ok(d);
    const actions = await actionsAt(uri, d);
    assert.deepEqual(
      actions.map((a) => [a.title, a.isPreferred]),
      [["Add @input [N, 512]", true]],
    );
    const fixed = applyEdits(client.text(uri), editsFor(actions[0]!.edit, uri));
    assert.match(fixed, /\/\*\* A classifier head; its input shape was never written down\.\n \*  @input \[N, 512\] \*\/\nexport const head/);
    const version = client.replace(uri, fixed);
    assert.deepEqual((await client.waitForDiagnostics(uri, version)).diagnostics, []);
    const lenses = (await client.codeLenses(uri)) ?? [];
    assert.equal(lenses[0]?.command?.title, "5,130 params · 5.12K MACs · [N, 512] → [N, 10]");
    client.close(uri);
  });

  test("missing @input on a convolutional model: channels inferred, size verified but marked as a guess", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-input-"));
    const file = path.join(dir, "lenet.ts");
    const text = [
      'import { nn } from "cnn-studio";',
      "",
      "export const lenet = nn.Sequential(",
      "  nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),",
      "  nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),",
      "  nn.Flatten(), nn.Linear(16 * 5 * 5, 10),",
      ");",
      "",
    ].join("\n");
    fs.writeFileSync(file, text);
    const uri = client.open(file, text);
    const { diagnostics } = await client.waitForDiagnostics(uri, 1);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, textIn(text, d.range)]),
      [["missing-input", "lenet"]],
    );
    const actions = await actionsAt(uri, diagnostics[0]!);
    assert.deepEqual(
      actions.map((a) => [a.title, a.isPreferred]),
      [["Add @input [N, 1, 32, 32] (the size is a guess: check H and W)", false]],
    );
    const fixed = applyEdits(text, editsFor(actions[0]!.edit, uri));
    assert.equal(fixed.split("\n")[2], "/** @input [N, 1, 32, 32] */");
    const version = client.replace(uri, fixed);
    assert.deepEqual((await client.waitForDiagnostics(uri, version)).diagnostics, []);
    client.close(uri);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("missing @input where no candidate shape analyses: a template to fill in", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-input-"));
    const file = path.join(dir, "odd.ts");
    const text =
      'import { nn } from "cnn-studio";\n\n  /** Five channels. */\n  export const odd = nn.Sequential(nn.Conv2d(5, 8, 3), nn.Flatten(), nn.Linear(77, 2));\n';
    fs.writeFileSync(file, text);
    const uri = client.open(file, text);
    const { diagnostics } = await client.waitForDiagnostics(uri, 1);
    const actions = await actionsAt(uri, diagnostics[0]!);
    assert.deepEqual(
      actions.map((a) => [a.title, a.isPreferred]),
      [["Add an @input template [N, C, H, W] to fill in", false]],
    );
    assert.equal(applyEdits(text, editsFor(actions[0]!.edit, uri)).split("\n").slice(2, 4).join("\n"), "  /** Five channels.\n   *  @input [N, C, H, W] */");
    client.close(uri);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("several layers on a line: 'Put one layer per line' beside the diagnostic, and as a refactoring at the cursor", async () => {
    const uri = client.open(path.join(FIXTURES, "linear-after-flatten.ts"));
    const { diagnostics } = await client.waitForDiagnostics(uri, 1);
    const d = diagnostics.find((x) => at(x.range.start) === "10:3");
    assert.ok(d);
    const original = client.text(uri);
    const layout = (await actionsAt(uri, d)).filter((a) => a.title === "Put one layer per line");
    assert.deepEqual(
      layout.map((a) => [a.kind, a.diagnostics?.map((x) => x.message)]),
      [["quickfix", [d.message]]],
    );
    const fixed = applyEdits(original, editsFor(layout[0]!.edit, uri));
    assert.equal(
      fixed.split("\n").slice(5, 17).join("\n"),
      [
        "export const lenet = nn.Sequential(",
        "  nn.Conv2d(1, 6, 5),",
        "  nn.ReLU(),",
        "  nn.MaxPool2d(2),",
        "  nn.Conv2d(6, 16, 5),",
        "  nn.ReLU(),",
        "  nn.MaxPool2d(2),",
        "  nn.Flatten(),",
        "  nn.Linear(16 * 5 * 5, 120),",
        "  nn.ReLU(),",
        "  nn.Linear(120, 10),",
        ");",
      ].join("\n"),
    );
    // At the cursor (no diagnostic there), as a refactoring; and only when refactorings are asked for.
    const cursor = { start: { line: 6, character: 10 }, end: { line: 6, character: 10 } };
    const rewrite = await client.connection.sendRequest<CodeAction[]>("textDocument/codeAction", {
      textDocument: { uri },
      range: cursor,
      context: { diagnostics: [], only: ["refactor"] },
    });
    assert.deepEqual(
      rewrite.map((a) => [a.title, a.kind]),
      [["Put one layer per line", "refactor.rewrite"]],
    );
    assert.equal(applyEdits(original, editsFor(rewrite[0]!.edit, uri)), fixed);
    const quickOnly = await client.connection.sendRequest<CodeAction[]>("textDocument/codeAction", {
      textDocument: { uri },
      range: cursor,
      context: { diagnostics: [], only: ["quickfix"] },
    });
    assert.deepEqual(quickOnly, []);
    // The laid-out file has the same diagnostics (moved to the new lines).
    const version = client.replace(uri, fixed);
    const after = await client.waitForDiagnostics(uri, version);
    assert.deepEqual(
      after.diagnostics.map((x) => x.message),
      diagnostics.map((x) => x.message),
    );
    client.close(uri);
  });

  test("only quick fixes are offered, and only when asked for them", async () => {
    const uri = client.open(path.join(FIXTURES, "seq-channel-mismatch.ts"));
    const { diagnostics } = await client.waitForDiagnostics(uri, 1);
    const d = diagnostics[0]!;
    const refactors = await client.connection.sendRequest<CodeAction[]>("textDocument/codeAction", {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: [d], only: ["refactor"] },
    });
    assert.deepEqual(refactors, []);
    const elsewhere = (await client.codeActions(uri, { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } })) ?? [];
    assert.deepEqual(elsewhere, []);
    client.close(uri);
  });
});

/** A throwaway workspace of model files. */
function workspace(files: Record<string, string>): { dir: string; file: (name: string) => string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-ws-"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return { dir, file: (name) => path.join(dir, name) };
}

const BLOCK = [
  'import { nn, type Tensor } from "cnn-studio";',
  "",
  "export class Block extends nn.Module {",
  "  conv = nn.Conv2d(16, 16, 3, { padding: 1 });",
  "",
  "  forward(x: Tensor): Tensor {",
  "    return this.conv(x);",
  "  }",
  "}",
  "",
].join("\n");

const MODEL = [
  'import { nn } from "cnn-studio";',
  'import { Block } from "./block";',
  "",
  "/** @input [N, 3, 32, 32] */",
  "export const net = nn.Sequential(nn.Conv2d(3, 8, 3), new Block());",
  "",
].join("\n");

describe("several files", () => {
  test("a problem inside an imported file is published there, and cleared when fixed in its open buffer", async () => {
    const ws = workspace({ "block.ts": BLOCK, "model.ts": MODEL });
    const model = client.open(ws.file("model.ts"));
    const blockUri = uriOf(ws.file("block.ts"));
    const own = await client.waitForDiagnostics(model, 1);
    assert.deepEqual(own.diagnostics, []);
    const inBlock = client.diagnostics.get(blockUri);
    assert.ok(inBlock, "the block file (not open) gets the diagnostic located in it");
    assert.deepEqual(
      inBlock.diagnostics.map((d) => [
        at(d.range.start),
        d.message,
        d.relatedInformation?.map((r) => `${path.basename(r.location.uri)}:${at(r.location.range.start)}`),
      ]),
      [["7:12", "Conv2d expects 16 input channels but receives 8 (input [N, 8, 30, 30])", ["model.ts:5:34", "block.ts:4:10"]]],
    );
    // The fix is offered in the block file (whose text comes from disk) …
    const actions = (await client.codeActions(blockUri, inBlock.diagnostics[0]!.range)) ?? [];
    assert.deepEqual(
      actions.map((a) => a.title),
      ["Change 1.conv (Conv2d) inChannels to 8"],
    );
    // … and once the block's open (unsaved) buffer is fixed, the model is re-analysed and the file cleared.
    const block = client.open(ws.file("block.ts"));
    await client.waitForDiagnostics(block, 1);
    const edits = editsFor(actions[0]!.edit, block);
    const analysesBefore = client.analysed.filter((a) => a.uri === model).length;
    client.replace(block, applyEdits(client.text(block), edits));
    // The block's own analysis comes first (the model's contribution still stands), then the model's.
    const cleared = await client.waitForDiagnosticsWhere(blockUri, (p) => p.diagnostics.length === 0);
    assert.equal(cleared.version, 2);
    await until(() => client.analysed.filter((a) => a.uri === model).length > analysesBefore);
    const hover = await client.hover(model, positionOf(MODEL, "new Block()", 0, 4));
    assert.match((hover?.contents as MarkupContent).value, /\[N, 8, 30, 30\] → \[N, 16, 30, 30\]/);
    await until(() => client.refreshRequests.includes("workspace/inlayHint/refresh") && client.refreshRequests.includes("workspace/codeLens/refresh"));
    client.close(block);
    client.close(model);
    fs.rmSync(ws.dir, { recursive: true, force: true });
  });
});

describe("files on disk", () => {
  test("an imported file created or changed on disk (didChangeWatchedFiles) re-analyses the models that import it", async () => {
    const ws = workspace({ "model.ts": MODEL });
    const model = client.open(ws.file("model.ts"));
    const missing = await client.waitForDiagnostics(model, 1);
    assert.deepEqual(
      missing.diagnostics.map((d) => d.code),
      ["import-error"],
    );
    fs.writeFileSync(ws.file("block.ts"), BLOCK.replace("nn.Conv2d(16, 16", "nn.Conv2d(8, 16"));
    client.connection.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: uriOf(ws.file("block.ts")), type: 1 }] });
    await client.waitForDiagnosticsWhere(model, (p) => p.diagnostics.length === 0);
    fs.writeFileSync(ws.file("block.ts"), BLOCK);
    client.connection.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: uriOf(ws.file("block.ts")), type: 2 }] });
    const broken = await client.waitForDiagnosticsWhere(uriOf(ws.file("block.ts")), (p) => p.diagnostics.length === 1);
    assert.equal(broken.diagnostics[0]!.code, "channel-mismatch");
    client.close(model);
    fs.rmSync(ws.dir, { recursive: true, force: true });
  });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const t0 = Date.now();
  while (!condition()) {
    if (Date.now() - t0 > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("while typing", () => {
  test("a burst of edits is analysed once, at its latest version", async () => {
    const ws = workspace({ "lenet.ts": fs.readFileSync(path.join(FIXTURES, "..", "..", "..", "examples", "lenet5.ts"), "utf8") });
    const uri = client.open(ws.file("lenet.ts"));
    await client.waitForDiagnostics(uri, 1);
    const analysesBefore = client.analysed.filter((a) => a.uri === uri).length;
    const pos = positionOf(client.text(uri), "nn.Linear(84, 10)", 0, 14);
    let version = 1;
    for (const digit of ["1", "2", "3", "4", "5", "6", "7"])
      version = client.edit(uri, { start: pos, end: { line: pos.line, character: pos.character + 1 } }, digit);
    const published = await client.waitForDiagnostics(uri, version);
    assert.equal(published.version, 8);
    await new Promise((r) => setTimeout(r, 200));
    const analyses = client.analysed.filter((a) => a.uri === uri);
    assert.equal(analyses.length - analysesBefore, 1, "one analysis for the burst");
    assert.equal(analyses[analyses.length - 1]!.version, 8);
    assert.equal((analyses[analyses.length - 1]!.models[0]!.output as (string | number)[] | null)?.join(","), "N,70");
    client.close(uri);
    fs.rmSync(ws.dir, { recursive: true, force: true });
  });

  test("a request right after an edit answers for the edited text, without waiting for the debounce", async () => {
    const ws = workspace({ "lenet.ts": fs.readFileSync(path.join(FIXTURES, "..", "..", "..", "examples", "lenet5.ts"), "utf8") });
    const uri = client.open(ws.file("lenet.ts"));
    await client.waitForDiagnostics(uri, 1);
    const pos = positionOf(client.text(uri), "nn.Conv2d(1, 6, 5)", 0, 13);
    const version = client.edit(uri, { start: pos, end: { line: pos.line, character: pos.character + 1 } }, "8");
    const hover = await client.hover(uri, pos);
    assert.match((hover?.contents as MarkupContent).value, /\[N, 1, 32, 32\] → \[N, 8, 28, 28\]/);
    const published = await client.waitForDiagnostics(uri, version);
    assert.deepEqual(
      published.diagnostics.map((d) => d.message),
      ["Conv2d expects 6 input channels but receives 8 (input [N, 8, 14, 14])"],
    );
    client.close(uri);
    fs.rmSync(ws.dir, { recursive: true, force: true });
  });

  test("a file that stops importing cnn-studio loses its diagnostics", async () => {
    const uri = client.open(path.join(FIXTURES, "seq-channel-mismatch.ts"));
    assert.equal((await client.waitForDiagnostics(uri, 1)).diagnostics.length, 1);
    const version = client.replace(uri, client.text(uri).replace('from "cnn-studio"', 'from "./elsewhere"'));
    const cleared = await client.waitForDiagnostics(uri, version);
    assert.deepEqual(cleared.diagnostics, []);
    client.close(uri);
  });
});
