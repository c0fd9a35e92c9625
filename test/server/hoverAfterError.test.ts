import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import type { MarkupContent } from "vscode-languageserver-types";
import { LspClient, PATIENT, positionOf } from "./lspClient";

/**
 * Issue 19.8: after an error, a layer the analysis never reached says so (not "the forward pass
 * never calls it", not "MACs: 0"), and the related information names the producing layer by its
 * path: `features.2 (MaxPool2d)`.
 */

const TEXT = `import { nn, type Tensor } from "cnn-studio";

class Net extends nn.Module {
  readonly features: nn.Sequential;
  readonly fc: nn.Linear;
  constructor() {
    super();
    this.features = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 8, 3));
    this.fc = nn.Linear(8 * 11 * 11, 10);
  }
  forward(x: Tensor): Tensor {
    return this.fc(this.features(x).flatten(1));
  }
}

/** @input [N, 1, 28, 28] */
export const net = new Net();
`;

let client: LspClient;
let dir = "";
before(async () => {
  client = await LspClient.start({ env: PATIENT });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-hover-after-error-"));
});
after(async () => {
  await client.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a layer after the error: not reached, MACs not computed; the mismatch's origin by its path", async () => {
  const file = path.join(dir, "net.ts");
  fs.writeFileSync(file, TEXT);
  const uri = client.open(file, TEXT);
  const published = await client.waitForDiagnostics(uri, 1);
  const mismatch = published.diagnostics.find((d) => /expects 16 input channels/.test(typeof d.message === "string" ? d.message : d.message.value));
  assert.ok(mismatch, JSON.stringify(published.diagnostics));
  assert.ok(
    (mismatch.relatedInformation ?? []).some((r) => /^\[N, 8, 13, 13\] comes from features\.2 \(MaxPool2d\) here$/.test(r.message)),
    JSON.stringify(mismatch.relatedInformation),
  );
  const h = await client.hover(uri, positionOf(TEXT, "nn.Linear(8 * 11 * 11, 10)", 0, 4));
  const md = (h?.contents as MarkupContent | undefined)?.value ?? "";
  assert.match(md, /MACs: not computed: the analysis stopped at an error before this layer/);
  assert.match(md, /Calls: not reached: the analysis stopped at an error before it/);
  assert.doesNotMatch(md, /never calls it/);
  client.close(uri);
});

/** Issue 19.11: the layer whose call failed shows the shape it received and the layer that made it. */
const FORWARD = `import { nn, type Tensor } from "cnn-studio";

class Net extends nn.Module {
  conv1 = nn.Conv2d(3, 32, 3);
  pool = nn.MaxPool2d(2);
  conv2 = nn.Conv2d(16, 32, 3);

  forward(x: Tensor): Tensor {
    x = this.pool(this.conv1(x));
    return this.conv2(x);
  }
}

/** @input [N, 3, 18, 18] */
export const net = new Net();
`;

async function hoverText(name: string, text: string, at: string, offset: number): Promise<string> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  const uri = client.open(file, text);
  await client.waitForDiagnostics(uri, 1);
  const h = await client.hover(uri, positionOf(text, at, 0, offset));
  client.close(uri);
  return (h?.contents as MarkupContent | undefined)?.value ?? "";
}

test("the layer with the shape error: its input and the layer that made it, in a Sequential", async () => {
  const md = await hoverText("seq.ts", TEXT, "nn.Conv2d(16, 8, 3)", 4);
  assert.match(md, /Input: `\[N, 8, 13, 13\]` from `features\.2 \(MaxPool2d\)`/);
  assert.match(md, /MACs: not computed: the analysis stopped at this layer's error/);
  assert.doesNotMatch(md, /not reached|never calls it/);
});

test("the layer with the shape error: its input and the layer that made it, called in forward", async () => {
  for (const [at, offset] of [
    ["nn.Conv2d(16, 32, 3)", 4],
    ["conv2 = ", 2],
  ] as const) {
    const md = await hoverText("forward.ts", FORWARD, at, offset);
    assert.match(md, /Input: `\[N, 32, 8, 8\]` from `pool \(MaxPool2d\)`/, `${at}:\n${md}`);
  }
});
