/**
 * The language server's features over the real protocol, on the example models: hovers, inlay
 * hints, code lenses, document symbols, go to definition, `cnnStudio/analysis`, settings, and
 * that other TypeScript files are left alone. Exact texts and ranges.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { spawn } from "node:child_process";
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from "vscode-jsonrpc/node";
import type { Diagnostic, Hover, MarkupContent } from "vscode-languageserver-types";
import { EXAMPLES, failOnExitOrTimeout, LspClient, PATIENT, positionOf, SERVER, textIn, uriOf, WHOLE } from "./lspClient";

let client: LspClient;
const opened = new Map<string, { uri: string; text: string }>();

/** Opens an example once and waits for its first analysis. */
async function example(name: string): Promise<{ uri: string; text: string }> {
  let hit = opened.get(name);
  if (!hit) {
    const file = path.join(EXAMPLES, name);
    const text = fs.readFileSync(file, "utf8");
    const uri = client.open(file, text);
    await client.waitForDiagnostics(uri, 1);
    hit = { uri, text };
    opened.set(name, hit);
  }
  return hit;
}

function markdown(h: Hover | null): string {
  assert.ok(h, "no hover");
  return (h.contents as MarkupContent).value;
}

before(async () => {
  client = await LspClient.start({ env: PATIENT });
});
after(async () => {
  await client.stop();
});

describe("hover", () => {
  test("a layer construction in nn.Sequential: shapes, parameters, MACs, memory, receptive field", async () => {
    const { uri, text } = await example("lenet5.ts");
    const h = await client.hover(uri, positionOf(text, "nn.Conv2d(1, 6, 5)", 0, 4));
    assert.equal(
      markdown(h),
      [
        "**Conv2d** `0` in `lenet5`",
        "```text\n[N, 1, 32, 32] → [N, 6, 28, 28]\n```",
        "`Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))`",
        "Parameters: 156 · trainable 156 · buffers 0  \nMACs: 117.6K (117,600)  \nOutput memory: 18.8 KB per sample  \nReceptive field: 5×5 (jump 1)",
      ].join("\n\n"),
    );
    assert.equal(textIn(text, h!.range!), "nn.Conv2d(1, 6, 5)");
  });

  test("the whole model, at its construction and at its name: subtree totals", async () => {
    const { uri, text } = await example("lenet5.ts");
    const atName = await client.hover(uri, positionOf(text, "export const lenet5", 0, 15));
    assert.equal(textIn(text, atName!.range!), "lenet5");
    const h = await client.hover(uri, positionOf(text, "nn.Sequential(", 0, 3));
    assert.equal(markdown(atName), markdown(h));
    assert.equal(
      markdown(h),
      [
        "**Sequential** · model `lenet5`",
        "```text\n[N, 1, 32, 32] → [N, 10]\n```",
        "Parameters: 61,706 · trainable 61,706 · buffers 0  \nMACs: 416.5K (416,520)  \nOutput memory: 40 B per sample  \nModules: 12 in its subtree",
      ].join("\n\n"),
    );
  });

  test("a module field, its call in forward, and its construction tell the same layer", async () => {
    const { uri, text } = await example("mnist-cnn.ts");
    const expected = [
      "**Conv2d** `conv1` in `ourCnn`",
      "```text\n[N, 1, 28, 28] → [N, 16, 28, 28]\n```",
      "`Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))`",
      "Parameters: 160 · trainable 160 · buffers 0  \nMACs: 112.9K (112,896)  \nOutput memory: 50.2 KB per sample  \nReceptive field: 3×3 (jump 1)",
    ].join("\n\n");
    const declaration = await client.hover(uri, positionOf(text, "readonly conv1", 0, 10));
    assert.equal(markdown(declaration), expected);
    assert.equal(textIn(text, declaration!.range!), "conv1");
    const assignment = await client.hover(uri, positionOf(text, "this.conv1 =", 0, 6));
    assert.equal(markdown(assignment), expected);
    const call = await client.hover(uri, positionOf(text, "this.conv1(x)", 0, 7));
    assert.equal(markdown(call), expected);
    assert.equal(textIn(text, call!.range!), "this.conv1(x)");
    const construction = await client.hover(uri, positionOf(text, "nn.Conv2d(1, 16", 0, 5));
    assert.equal(markdown(construction), expected);
  });

  test("a tensor variable where it is bound, and where it is used", async () => {
    const { uri, text } = await example("mnist-cnn.ts");
    const bound = await client.hover(uri, positionOf(text, "x = this.pool1"));
    assert.equal(markdown(bound), "**Tensor** `x` in `ourCnn`\n\n```text\n[N, 16, 14, 14]\n```\n\nMemory: 12.5 KB per sample  \nReceptive field: 4×4 (jump 2)");
    const used = await client.hover(uri, positionOf(text, "this.flatten(x)", 0, 13));
    assert.equal(
      markdown(used),
      "**Tensor** `x` (bound on line 36) in `ourCnn`\n\n```text\n[N, 32, 7, 7]\n```\n\nMemory: 6.3 KB per sample  \nReceptive field: 10×10 (jump 4)",
    );
    assert.equal(textIn(text, used!.range!), "x");
  });

  test("a container called in forward: input → output and subtree totals", async () => {
    const { uri, text } = await example("simple-cnn.ts");
    const h = await client.hover(uri, positionOf(text, "this.features(x)", 0, 6));
    assert.equal(
      markdown(h),
      [
        "**Sequential** `features` in `simpleCnn`",
        "```text\n[N, 3, 32, 32] → [N, 128, 1, 1]\n```",
        "Parameters: 93,248 · trainable 93,248 · buffers 0  \nMACs: 10.32M (10,321,920)  \nOutput memory: 512 B per sample  \nModules: 9 in its subtree",
      ].join("\n\n"),
    );
  });

  test("a tensor operation", async () => {
    const { uri, text } = await example("lenet5.ts");
    const h = await client.hover(uri, positionOf(text, "torch.flatten(x, 1)", 0, 8));
    assert.equal(
      markdown(h),
      "**torch.flatten** in `lenet5Mnist`\n\n```text\n[N, 16, 4, 4] → [N, 256]\n```\n\n`torch.flatten(startDim=1, endDim=-1)`\n\nOutput memory: 1.0 KB per sample",
    );
  });

  test("a block's forward, run at every stage of several models: one row per distinct shape", async () => {
    const { uri, text } = await example("resnet.ts");
    const h = await client.hover(uri, positionOf(text, "out = out.add(identity)", 0, 12));
    assert.equal(
      markdown(h),
      [
        "**add** · 24 calls in 2 models: `resnet18`, `resnet34`, with 4 different shapes",
        [
          "| calls | input → output |",
          "|:---|:---|",
          "| resnet18, resnet34 ×5 | ([N, 64, 56, 56], [N, 64, 56, 56]) → [N, 64, 56, 56] |",
          "| resnet18, resnet34 ×6 | ([N, 128, 28, 28], [N, 128, 28, 28]) → [N, 128, 28, 28] |",
          "| resnet18, resnet34 ×8 | ([N, 256, 14, 14], [N, 256, 14, 14]) → [N, 256, 14, 14] |",
          "| resnet18, resnet34 ×5 | ([N, 512, 7, 7], [N, 512, 7, 7]) → [N, 512, 7, 7] |",
        ].join("\n"),
        "Receptive field: 27×27 (jump 4) … 899×899 (jump 32)",
      ].join("\n\n"),
    );
  });

  test("the same container in several models: a row per model", async () => {
    const { uri, text } = await example("resnet.ts");
    const h = await client.hover(uri, positionOf(text, "this.layer1(x)", 0, 6));
    assert.match(markdown(h), /^\*\*Sequential\*\* · 7 instances in 7 models: /);
    assert.match(markdown(h), /\| resnet18 · layer1 \| \[N, 64, 56, 56\] → \[N, 64, 56, 56\] \| 147,968 \| 462\.4M \(462,422,016\) \|/);
    assert.match(markdown(h), /\| resnet50 · layer1 \(\+2\) \| \[N, 64, 56, 56\] → \[N, 256, 56, 56\] \| 215,808 \| 667\.9M \(667,942,912\) \|/);
  });

  test("nothing to tell: no hover", async () => {
    const { uri, text } = await example("lenet5.ts");
    assert.equal(await client.hover(uri, positionOf(text, "import")), null);
    assert.equal(await client.hover(uri, { line: 9999, character: 0 }), null);
  });
});

describe("inlay hints", () => {
  test("after each nn.Sequential entry and each forward statement, as hints (no edits)", async () => {
    const { uri, text } = await example("lenet5.ts");
    const hints = (await client.inlayHints(uri)) ?? [];
    const lines = text.split("\n");
    const shown = hints.map((h) => `${lines[h.position.line]!.slice(0, h.position.character).trim()} ${String(h.label)}`);
    assert.deepEqual(shown, [
      "nn.Conv2d(1, 6, 5) → [N, 6, 28, 28]",
      "nn.Conv2d(1, 6, 5), nn.Tanh() → [N, 6, 28, 28]",
      "nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2) → [N, 6, 14, 14]",
      "nn.Conv2d(6, 16, 5) → [N, 16, 10, 10]",
      "nn.Conv2d(6, 16, 5), nn.Tanh() → [N, 16, 10, 10]",
      "nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2) → [N, 16, 5, 5]",
      "nn.Flatten() → [N, 400]",
      "nn.Linear(16 * 5 * 5, 120) → [N, 120]",
      "nn.Linear(16 * 5 * 5, 120), nn.Tanh() → [N, 120]",
      "nn.Linear(120, 84) → [N, 84]",
      "nn.Linear(120, 84), nn.Tanh() → [N, 84]",
      "nn.Linear(84, 10) → [N, 10]",
      "nn.Conv2d(1, 6, 5) → [N, 6, 24, 24]",
      "nn.Conv2d(1, 6, 5), nn.Tanh() → [N, 6, 24, 24]",
      "nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2) → [N, 6, 12, 12]",
      "nn.Conv2d(6, 16, 5) → [N, 16, 8, 8]",
      "nn.Conv2d(6, 16, 5), nn.Tanh() → [N, 16, 8, 8]",
      "nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2) → [N, 16, 4, 4]",
      "nn.Linear(16 * spatial * spatial, 120) → [N, 120]",
      "nn.Linear(16 * spatial * spatial, 120), nn.Tanh() → [N, 120]",
      "nn.Linear(120, 84) → [N, 84]",
      "nn.Linear(120, 84), nn.Tanh() → [N, 84]",
      "nn.Linear(84, numClasses) → [N, 10]",
      "x = this.features(x); → [N, 16, 4, 4]",
      "x = torch.flatten(x, 1); → [N, 256]",
      "return this.classifier(x); → [N, 10]",
    ]);
    for (const h of hints) {
      assert.equal(h.kind, 1);
      assert.equal(h.paddingLeft, true);
      assert.equal(h.textEdits, undefined);
    }
  });

  test("only the requested range", async () => {
    const { uri } = await example("lenet5.ts");
    const hints = (await client.inlayHints(uri, { start: { line: 38, character: 0 }, end: { line: 41, character: 0 } })) ?? [];
    assert.deepEqual(
      hints.map((h) => [h.position.line, h.position.character, h.label]),
      [
        [38, 25, "→ [N, 16, 4, 4]"],
        [39, 28, "→ [N, 256]"],
        [40, 30, "→ [N, 10]"],
      ],
    );
  });

  test("one location with several shapes: the first, a count, and all of them in the tooltip", async () => {
    const { uri, text } = await example("resnet.ts");
    const hints = (await client.inlayHints(uri)) ?? [];
    const add = hints.find((h) => h.position.line === positionOf(text, "out = out.add(identity);").line);
    assert.ok(add);
    assert.equal(add.label, "→ [N, 64, 56, 56] (+3 more)");
    const tooltip = (add.tooltip as MarkupContent).value;
    assert.equal(tooltip.split("\n").length, 4);
    assert.equal(
      tooltip,
      [
        "- `[N, 64, 56, 56]` — `resnet18` ×2, `resnet34` ×3",
        "- `[N, 128, 28, 28]` — `resnet18` ×2, `resnet34` ×4",
        "- `[N, 256, 14, 14]` — `resnet18` ×2, `resnet34` ×6",
        "- `[N, 512, 7, 7]` — `resnet18` ×2, `resnet34` ×3",
      ].join("\n"),
    );
  });

  test("configurable off, and back on", async () => {
    const { uri } = await example("lenet5.ts");
    const refreshes = client.refreshRequests.length;
    client.configure({ inlayHints: { enabled: false } });
    assert.deepEqual(await client.inlayHints(uri), []);
    assert.ok(client.refreshRequests.length > refreshes, "the client is asked to refresh its hints");
    client.configure({ inlayHints: { enabled: true, forwardStatements: false } });
    const sequentialOnly = (await client.inlayHints(uri)) ?? [];
    assert.equal(sequentialOnly.length, 23);
    client.configure({ inlayHints: { enabled: true, forwardStatements: true } });
    assert.equal(((await client.inlayHints(uri)) ?? []).length, 26);
  });
});

describe("code lens", () => {
  test("above every exported model: its headline and its actions", async () => {
    const { uri, text } = await example("lenet5.ts");
    const lenses = (await client.codeLenses(uri)) ?? [];
    const args = (model: string): unknown[] => [{ uri, model }];
    assert.deepEqual(
      lenses.map((l) => [textIn(text, l.range), l.command?.title, l.command?.command, l.command?.arguments]),
      [
        ["lenet5", "61,706 params · 416.5K MACs · [N, 1, 32, 32] → [N, 10]", "cnnStudio.showSummary", args("lenet5")],
        ["lenet5", "Train", "cnnStudio.train", args("lenet5")],
        ["lenet5", "Graph", "cnnStudio.openGraph", args("lenet5")],
        ["lenet5", "Receptive field", "cnnStudio.openReceptiveField", args("lenet5")],
        ["lenet5Mnist", "44,426 params · 281.6K MACs · [N, 1, 28, 28] → [N, 10]", "cnnStudio.showSummary", args("lenet5Mnist")],
        ["lenet5Mnist", "Train", "cnnStudio.train", args("lenet5Mnist")],
        ["lenet5Mnist", "Graph", "cnnStudio.openGraph", args("lenet5Mnist")],
        ["lenet5Mnist", "Receptive field", "cnnStudio.openReceptiveField", args("lenet5Mnist")],
      ],
    );
  });

  test("a model whose forward pass stopped at an error: the lens and the hover say incomplete", async () => {
    const file = path.join(EXAMPLES, "..", "test", "fixtures", "diagnostics", "endless-forward-loop.ts");
    const text = fs.readFileSync(file, "utf8");
    const uri = client.open(file, text);
    await client.waitForDiagnostics(uri, 1);
    const title = ((await client.codeLenses(uri)) ?? [])[0]?.command?.title ?? "";
    assert.match(title, /^584 params · at least [\d.]+G MACs · \[N, 8, 16, 16\] → \? · incomplete \(stopped at an error\)$/);
    const hover = markdown(await client.hover(uri, positionOf(text, "export const net", 0, 14)));
    assert.match(hover, /MACs: at least [\d.]+G \([\d,]+\) \(incomplete: analysis stopped at an error\)/);
    client.close(uri);
  });

  test("ResNet-152 and DenseNet-121", async () => {
    const resnet = await example("resnet.ts");
    const titles = ((await client.codeLenses(resnet.uri)) ?? []).map((l) => l.command?.title).filter((t) => t?.includes("params"));
    assert.deepEqual(titles, [
      "11,689,512 params · 1.81G MACs · [N, 3, 224, 224] → [N, 1000]",
      "21,797,672 params · 3.66G MACs · [N, 3, 224, 224] → [N, 1000]",
      "25,557,032 params · 4.09G MACs · [N, 3, 224, 224] → [N, 1000]",
      "44,549,160 params · 7.80G MACs · [N, 3, 224, 224] → [N, 1000]",
      "60,192,808 params · 11.51G MACs · [N, 3, 224, 224] → [N, 1000]",
      "25,028,904 params · 4.23G MACs · [N, 3, 224, 224] → [N, 1000]", // resnext50_32x4d
      "68,883,240 params · 11.40G MACs · [N, 3, 224, 224] → [N, 1000]", // wide_resnet50_2
    ]);
    const densenet = await example("densenet.ts");
    const dense = ((await client.codeLenses(densenet.uri)) ?? []).map((l) => l.command?.title).filter((t) => t?.includes("params"));
    assert.deepEqual(dense, ["7,978,856 params · 2.83G MACs · [N, 3, 224, 224] → [N, 1000]"]);
  });
});

describe("document symbols", () => {
  test("models and their module tree with shapes", async () => {
    const { uri, text } = await example("lenet5.ts");
    const symbols = (await client.symbols(uri)) ?? [];
    assert.deepEqual(
      symbols.map((s) => [s.name, s.detail, s.kind]),
      [
        ["lenet5", "61,706 params · 416.5K MACs · [N, 1, 32, 32] → [N, 10]", 5],
        ["lenet5Mnist", "44,426 params · 281.6K MACs · [N, 1, 28, 28] → [N, 10]", 5],
      ],
    );
    const [first, second] = symbols;
    assert.equal(textIn(text, first!.selectionRange), "lenet5");
    assert.match(textIn(text, first!.range), /^export const lenet5 = nn\.Sequential\(/);
    assert.deepEqual(
      first!.children?.slice(0, 3).map((c) => [c.name, c.detail, c.kind, textIn(text, c.range)]),
      [
        ["0", "Conv2d → [N, 6, 28, 28]", 8, "nn.Conv2d(1, 6, 5)"],
        ["1", "Tanh → [N, 6, 28, 28]", 8, "nn.Tanh()"],
        ["2", "AvgPool2d → [N, 6, 14, 14]", 8, "nn.AvgPool2d(2)"],
      ],
    );
    assert.deepEqual(
      second!.children?.map((c) => [c.name, c.detail, c.kind, c.children?.length]),
      [
        ["features", "Sequential · 2,572 params → [N, 16, 4, 4]", 2, 6],
        ["classifier", "Sequential · 41,854 params → [N, 10]", 2, 5],
      ],
    );
  });
});

describe("go to definition", () => {
  test("from a call in forward to the field that holds the module", async () => {
    const { uri, text } = await example("mnist-cnn.ts");
    const links = (await client.definition(uri, positionOf(text, "this.conv1(x)", 0, 7))) ?? [];
    assert.equal(links.length, 1);
    const [link] = links;
    assert.equal(link!.targetUri, uri);
    assert.equal(textIn(text, link!.targetRange), "this.conv1 = nn.Conv2d(1, 16, 3, { padding: 1 });");
    assert.equal(textIn(text, link!.targetSelectionRange), "conv1");
    assert.equal(textIn(text, link!.originSelectionRange!), "conv1");
  });

  test("and on to where a helper constructs it", async () => {
    const { uri, text } = await example("resnet.ts");
    const links = (await client.definition(uri, positionOf(text, "let out = this.conv1(x)", 0, 16))) ?? [];
    assert.deepEqual(
      links.map((l) => textIn(text, l.targetRange)),
      ["this.conv1 = conv3x3(inplanes, planes, stride);", "nn.Conv2d(inPlanes, outPlanes, 3, { stride, padding: dilation, groups, bias: false, dilation })"],
    );
  });

  test("not a module field: left to TypeScript", async () => {
    const { uri, text } = await example("densenet.ts");
    assert.equal(await client.definition(uri, positionOf(text, "this.dropRate > 0", 0, 6)), null);
  });
});

describe("cnnStudio/analysis", () => {
  test("the whole analysis with graph edges, typed in src/shared/lsp.ts", async () => {
    const { uri } = await example("lenet5.ts");
    const result = await client.analysis(uri);
    assert.ok(result);
    assert.equal(result.uri, uri);
    assert.equal(result.isModelFile, true);
    assert.equal(result.version, 1);
    assert.deepEqual(
      result.models.map((m) => [m.name, m.params, m.macs]),
      [
        ["lenet5", 61706, 416520],
        ["lenet5Mnist", 44426, 281640],
      ],
    );
    const m = result.models[0]!;
    assert.equal(
      m.edges.length,
      m.graph.reduce((a, n) => a + n.inputs.length, 0),
    );
    for (const e of m.edges) assert.deepEqual(e.shape, m.graph[e.from]!.output);
    assert.deepEqual(m.edges.slice(0, 2), [
      { from: 0, to: 1, shape: ["N", 1, 32, 32] },
      { from: 1, to: 2, shape: ["N", 6, 28, 28] },
    ]);
    assert.ok(m.layers.every((l) => l.receptiveField === null || !("size" in l.receptiveField) || l.receptiveField.size.length === 2));
  });

  test("a file that is not open is read from disk", async () => {
    const result = await client.analysis(uriOf(path.join(EXAMPLES, "alexnet.ts")));
    assert.ok(result);
    assert.equal(result.version, null);
    assert.deepEqual(
      result.models.map((m) => [m.name, m.params]),
      [["alexnet", 61100840]],
    );
  });
});

describe("other files", () => {
  test("TypeScript files that do not import cnn-studio are ignored", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-plain-"));
    const plain = path.join(dir, "plain.ts");
    const text = 'import { readFileSync } from "node:fs";\nexport const x: number = "not checked here";\n';
    fs.writeFileSync(plain, text);
    const uri = client.open(plain, text);
    // A model opened afterwards is analysed after the plain file was handled.
    const lenet = client.open(path.join(dir, "model.ts"), fs.readFileSync(path.join(EXAMPLES, "lenet5.ts"), "utf8"));
    await client.waitForDiagnostics(lenet, 1);
    assert.equal(client.diagnostics.get(uri), undefined);
    assert.equal(await client.hover(uri, { line: 1, character: 14 }), null);
    assert.deepEqual(await client.inlayHints(uri, WHOLE), []);
    assert.deepEqual(await client.codeLenses(uri), []);
    assert.deepEqual(await client.symbols(uri), []);
    const result = await client.analysis(uri);
    assert.equal(result?.isModelFile, false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("transports", () => {
  test("node IPC, as the extension starts it", { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, [SERVER, "--node-ipc", `--clientProcessId=${process.pid}`], {
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ...process.env, ...PATIENT },
    });
    const stderr: string[] = [];
    child.stderr?.on("data", (d: Buffer) => stderr.push(d.toString()));
    const guard = <T>(p: Promise<T>): Promise<T> => failOnExitOrTimeout(child, p, 30_000, () => stderr.join(""));
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    const published = new Promise<{ uri: string; diagnostics: Diagnostic[] }>((resolve) =>
      connection.onNotification("textDocument/publishDiagnostics", resolve),
    );
    connection.listen();
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      const init = await guard(
        connection.sendRequest<{ capabilities: { hoverProvider?: boolean } }>("initialize", { processId: process.pid, rootUri: null, capabilities: {} }),
      );
      assert.equal(init.capabilities.hoverProvider, true);
      connection.sendNotification("initialized", {});
      const file = path.join(EXAMPLES, "lenet5.ts");
      connection.sendNotification("textDocument/didOpen", {
        textDocument: { uri: uriOf(file), languageId: "typescript", version: 1, text: fs.readFileSync(file, "utf8") },
      });
      const p = await guard(published);
      assert.equal(p.uri, uriOf(file));
      assert.deepEqual(p.diagnostics, []);
      await guard(connection.sendRequest("shutdown"));
      connection.sendNotification("exit");
      assert.equal(await exited, 0);
    } finally {
      connection.dispose();
      child.kill();
    }
  });
});
