/**
 * The base protocol's framing over real stdio (dist/server.js --stdio): good frames, with and
 * without Content-Type, are answered; a bad header (no Content-Length, `-5`, `abc`, `2e9`) makes
 * the server say why on stderr and exit non-zero, so that the client restarts it, instead of
 * staying alive and deaf.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { PassThrough } from "node:stream";
import { describe, test } from "node:test";
import { FramedMessageReader, MAX_CONTENT_LENGTH, parseFrameHeader } from "../../src/server/framing";
import { PATIENT, SERVER } from "./lspClient";

const frame = (body: string, headers = ""): Buffer => {
  const bytes = Buffer.from(body, "utf8");
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n${headers}\r\n`, "ascii"), bytes]);
};
const initialize = (id: number): string =>
  JSON.stringify({ jsonrpc: "2.0", id, method: "initialize", params: { processId: null, rootUri: null, capabilities: {} } });

interface Server {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startServer(): Server {
  const child = spawn(process.execPath, [SERVER, "--stdio"], { env: { ...process.env, ...PATIENT } });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (d: Buffer) => out.push(d));
  child.stderr.on("data", (d: Buffer) => err.push(d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, stdout: () => Buffer.concat(out).toString("utf8"), stderr: () => Buffer.concat(err).toString("utf8"), exited };
}

async function until(what: string, check: () => boolean, server: Server, ms = 30_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) assert.fail(`timed out waiting for ${what}; stderr: ${server.stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("framing over stdio (dist/server.js)", { timeout: 180_000 }, () => {
  test("good frames are answered, with or without Content-Type, split or joined", async () => {
    const server = startServer();
    try {
      const first = frame(initialize(1));
      // split inside the header and inside the body
      server.child.stdin.write(first.subarray(0, 7));
      server.child.stdin.write(first.subarray(7, 40));
      server.child.stdin.write(first.subarray(40));
      await until("the answer to initialize", () => /"id":1,"result"/.test(server.stdout()), server);
      const shutdown = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "shutdown" });
      server.child.stdin.write(
        Buffer.concat([
          frame(JSON.stringify({ jsonrpc: "2.0", method: "initialized", params: {} }), "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"),
          frame(shutdown),
        ]),
      );
      await until("the answer to shutdown", () => /"id":2,"result":null/.test(server.stdout()), server);
      server.child.stdin.write(frame(JSON.stringify({ jsonrpc: "2.0", method: "exit" })));
      assert.equal(await withTimeout(server.exited, 20_000, "exit"), 0);
    } finally {
      server.child.kill();
    }
  });

  const bad: [string, string, RegExp][] = [
    ["no Content-Length", "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}", /a message header without Content-Length/],
    ["Content-Length: -5", "Content-Length: -5\r\n\r\n{}", /Content-Length must be a whole number of bytes, got "-5"/],
    ["Content-Length: abc", "Content-Length: abc\r\n\r\n{}", /Content-Length must be a whole number of bytes, got "abc"/],
    ["Content-Length: 2e9", "Content-Length: 2e9\r\n\r\n{}", /Content-Length must be a whole number of bytes, got "2e9"/],
    ["Content-Length: 99999999999", "Content-Length: 99999999999\r\n\r\n{}", /Content-Length must be a whole number of bytes, got "99999999999"/],
    ["Content-Length: 900000000", "Content-Length: 900000000\r\n\r\n{}", /Content-Length 900000000 is more than the \d+ bytes a message may have/],
    ["a body that is not JSON", "Content-Length: 5\r\n\r\nhello", /a message body is not JSON/],
  ];
  for (const [name, bytes, message] of bad) {
    test(`${name}: logged on stderr, exit 1 (the client restarts the server)`, async () => {
      const server = startServer();
      try {
        server.child.stdin.write(frame(initialize(1)));
        await until("the answer to initialize", () => /"id":1,"result"/.test(server.stdout()), server);
        server.child.stdin.write(bytes);
        // a good request after it is not answered out of step: the server has gone
        server.child.stdin.write(frame(JSON.stringify({ jsonrpc: "2.0", id: 7, method: "shutdown" })));
        assert.equal(await withTimeout(server.exited, 20_000, `exit after ${name}`), 1);
        assert.match(server.stderr(), /CNN Studio language server: cannot read a message from the client/);
        assert.match(server.stderr(), message);
        assert.doesNotMatch(server.stdout(), /"id":7/);
      } finally {
        server.child.kill();
      }
    });
  }
});

describe("FramedMessageReader", () => {
  function read(chunks: (string | Buffer)[]): { messages: unknown[]; errors: string[] } {
    const stream = new PassThrough();
    const reader = new FramedMessageReader(stream);
    const messages: unknown[] = [];
    const errors: string[] = [];
    reader.onError((e) => errors.push(e.message));
    reader.listen((m) => messages.push(m));
    for (const c of chunks) stream.write(c);
    return { messages, errors };
  }

  test("messages in one chunk, split anywhere, and multi-byte characters across chunks", () => {
    const a = frame(JSON.stringify({ jsonrpc: "2.0", method: "a", params: { text: "é → 😀" } }));
    const b = frame(JSON.stringify({ jsonrpc: "2.0", method: "b" }));
    const both = Buffer.concat([a, b]);
    for (let cut = 1; cut < both.length; cut += 3) {
      const r = read([both.subarray(0, cut), both.subarray(cut)]);
      assert.deepEqual(r.errors, []);
      assert.deepEqual(
        r.messages,
        [
          { jsonrpc: "2.0", method: "a", params: { text: "é → 😀" } },
          { jsonrpc: "2.0", method: "b" },
        ],
        `cut at ${cut}`,
      );
    }
  });

  test("after one error nothing more is read", () => {
    const r = read(["Content-Length: 2e9\r\n\r\n", frame(JSON.stringify({ jsonrpc: "2.0", method: "b" }))]);
    assert.deepEqual(r.messages, []);
    assert.equal(r.errors.length, 1);
  });

  test("header values", () => {
    assert.deepEqual(parseFrameHeader("Content-Length: 12"), { ok: true, length: 12 });
    assert.deepEqual(parseFrameHeader("content-length:12\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8"), { ok: true, length: 12 });
    assert.equal(parseFrameHeader(`Content-Length: ${MAX_CONTENT_LENGTH}`).ok, true);
    for (const h of [
      "Content-Length: +5",
      "Content-Length: 5.0",
      "Content-Length: 0x10",
      "Content-Length: ",
      "Content-Length 5",
      "Content-Length: 5\r\nContent-Type: text/plain; charset=latin1",
    ]) {
      assert.equal(parseFrameHeader(h).ok, false, h);
    }
  });
});
