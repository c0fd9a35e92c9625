import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";

/**
 * The TypeScript server plugin (src/extension/ts-plugin), loaded the way VS Code loads it: a real
 * `tsserver` with `--globalPlugins cnn-studio-ts-plugin --pluginProbeLocations <extension>`, the
 * extension laid out as in the VSIX (`node_modules/cnn-studio-ts-plugin/`, `types/cnn-studio.d.ts`).
 * In a folder without node_modules or tsconfig, `import { nn } from "cnn-studio"` resolves: no
 * diagnostics, completions with documentation. Without the plugin, the same file has the error.
 */

const ROOT = path.resolve(__dirname, "..", "..", "..");
const TSSERVER = path.join(ROOT, "node_modules", "typescript", "lib", "tsserver.js");

const MODEL = `import { nn, torch, type Tensor } from "cnn-studio";

/** @input [N, 1, 28, 28] */
export class Net extends nn.Module {
  features = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2));
  head = nn.Linear(8 * 13 * 13, 10);
  forward(x: Tensor): Tensor {
    return this.head(torch.flatten(this.features(x), 1));
  }
}

/** @input [N, 1, 28, 28] */
export const net = new Net();
export const layer = nn.
`;

class TsServer {
  private readonly proc: ChildProcess;
  private buffer = Buffer.alloc(0);
  private seq = 0;
  private readonly pending = new Map<number, (body: unknown) => void>();

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, [TSSERVER, "--disableAutomaticTypingAcquisition", "--suppressDiagnosticEvents", ...args], {
      stdio: ["pipe", "pipe", "ignore"],
    });
    this.proc.stdout?.on("data", (d: Buffer) => this.data(d));
  }

  private data(d: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, d]);
    for (;;) {
      const text = this.buffer.toString("latin1");
      const header = /Content-Length: (\d+)\r\n\r\n/.exec(text);
      if (!header) return;
      const start = header.index + header[0].length;
      const length = Number(header[1]);
      if (this.buffer.length < start + length) return;
      const msg = JSON.parse(this.buffer.subarray(start, start + length).toString("utf8")) as {
        type: string;
        request_seq?: number;
        body?: unknown;
        success?: boolean;
        message?: string;
      };
      this.buffer = this.buffer.subarray(start + length);
      if (msg.type === "response" && msg.request_seq !== undefined) {
        this.pending.get(msg.request_seq)?.(msg.success === false ? { error: msg.message } : msg.body);
        this.pending.delete(msg.request_seq);
      }
    }
  }

  request<T>(command: string, args: unknown): Promise<T> {
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tsserver: no answer to ${command}`)), 60_000);
      this.pending.set(seq, (body) => {
        clearTimeout(timer);
        resolve(body as T);
      });
      this.proc.stdin?.write(JSON.stringify({ seq, type: "request", command, arguments: args }) + "\n");
    });
  }

  /** Sends a request tsserver answers without a response (open). */
  notify(command: string, args: unknown): void {
    this.proc.stdin?.write(JSON.stringify({ seq: ++this.seq, type: "request", command, arguments: args }) + "\n");
  }

  close(): void {
    this.proc.kill();
  }
}

let tmp = "";
let ext = "";
let ws = "";
let file = "";

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-tsplugin-"));
  ext = path.join(tmp, "extension");
  ws = path.join(tmp, "workspace");
  fs.cpSync(path.join(ROOT, "src", "extension", "ts-plugin"), path.join(ext, "node_modules", "cnn-studio-ts-plugin"), { recursive: true });
  fs.cpSync(path.join(ROOT, "types"), path.join(ext, "types"), { recursive: true });
  fs.mkdirSync(ws, { recursive: true });
  file = path.join(ws, "model.ts");
  fs.writeFileSync(file, MODEL);
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Diag {
  text: string;
  start: { line: number };
}

async function diagnostics(server: TsServer): Promise<string[]> {
  server.notify("open", { file, projectRootPath: ws });
  const semantic = await server.request<Diag[]>("semanticDiagnosticsSync", { file });
  // The last line (`nn.` being typed) is incomplete on purpose.
  return semantic.filter((d) => d.start.line < MODEL.split("\n").length - 1).map((d) => `${d.start.line}: ${d.text}`);
}

test("the plugin's source type-checks (strict, checkJs)", () => {
  const ts = require("typescript") as typeof import("typescript");
  const file = path.join(ROOT, "src", "extension", "ts-plugin", "index.js");
  const program = ts.createProgram([file], {
    allowJs: true,
    checkJs: true,
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    types: ["node"],
  });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  assert.deepEqual(errors, []);
});

test('without the plugin, a fresh folder cannot resolve "cnn-studio" (the control)', async () => {
  const server = new TsServer([]);
  try {
    const d = await diagnostics(server);
    assert.ok(
      d.some((x) => /Cannot find module 'cnn-studio'/.test(x)),
      d.join("\n"),
    );
  } finally {
    server.close();
  }
});

test('with the plugin, "cnn-studio" resolves to the bundled declarations: no errors, completions with docs', async () => {
  const server = new TsServer(["--globalPlugins", "cnn-studio-ts-plugin", "--pluginProbeLocations", ext]);
  try {
    assert.deepEqual(await diagnostics(server), []);
    const lines = MODEL.split("\n");
    const line = lines.length - 1; // 1-based: the `nn.` line
    const completions = await server.request<{ entries: { name: string }[] }>("completionInfo", { file, line, offset: lines[line - 1]!.length + 1 });
    const names = completions.entries.map((e) => e.name);
    for (const n of ["Conv2d", "BatchNorm2d", "Sequential", "Linear", "MaxPool2d"])
      assert.ok(names.includes(n), `completion ${n} (got ${names.slice(0, 20).join(", ")}…)`);
    const details = await server.request<{ documentation: { text: string }[]; displayParts: { text: string }[] }[]>("completionEntryDetails", {
      file,
      line,
      offset: lines[line - 1]!.length + 1,
      entryNames: ["Conv2d"],
    });
    const doc = details[0]!.documentation.map((p) => p.text).join("");
    const signature = details[0]!.displayParts.map((p) => p.text).join("");
    // nn.Conv2d is a factory and a class (a constant of type nn.Conv2dClass): its parameters show in signature help
    assert.match(signature, /Conv2d/);
    assert.ok(doc.length > 40, `Conv2d has documentation: ${doc}`);
    const call = lines[4]!.indexOf("nn.Conv2d(") + "nn.Conv2d(".length + 1;
    const help = await server.request<{ items: { parameters: { displayParts: { text: string }[] }[]; documentation: { text: string }[] }[] }>("signatureHelp", {
      file,
      line: 5,
      offset: call,
    });
    const params = help.items[0]?.parameters.map((p) => p.displayParts.map((d) => d.text).join("")) ?? [];
    assert.deepEqual(params.slice(0, 2), ["inChannels: number", "outChannels: number"]);
    assert.match(help.items[0]?.documentation.map((d) => d.text).join("") ?? "", /2-D convolution/);
    const info = await server.request<{ displayString: string }>("quickinfo", { file, line: 5, offset: lines[4]!.indexOf("Conv2d") + 1 });
    assert.match(info.displayString, /Conv2d/);
  } finally {
    server.close();
  }
});
