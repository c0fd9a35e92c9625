import * as net from "node:net";
import {
  IPCMessageReader,
  IPCMessageWriter,
  SocketMessageWriter,
  StreamMessageWriter,
  type MessageReader,
  type MessageWriter,
} from "vscode-languageserver/node";
import { FramedMessageReader } from "./framing";

/**
 * The client connection named on the command line, as VS Code's language client passes it:
 * `--stdio` (also the default), `--node-ipc`, `--socket=PORT`, `--pipe=NAME`. Streams are read
 * with the strict framing of framing.ts: a malformed frame is an error, never a silent desync.
 */

export interface Transport {
  kind: "stdio" | "node-ipc" | "socket" | "pipe";
  reader: MessageReader;
  writer: MessageWriter;
}

function option(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === name) return argv[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}

export function openTransport(argv: readonly string[]): Transport {
  if (argv.includes("--node-ipc") && typeof process.send === "function") {
    return { kind: "node-ipc", reader: new IPCMessageReader(process), writer: new IPCMessageWriter(process) };
  }
  const socket = option(argv, "--socket");
  if (socket !== undefined && Number.isInteger(Number(socket))) {
    const connection = net.createConnection(Number(socket), "127.0.0.1");
    return { kind: "socket", reader: new FramedMessageReader(connection), writer: new SocketMessageWriter(connection, "utf-8") };
  }
  const pipe = option(argv, "--pipe");
  if (pipe !== undefined) {
    const connection = net.createConnection(pipe);
    return { kind: "pipe", reader: new FramedMessageReader(connection), writer: new SocketMessageWriter(connection, "utf-8") };
  }
  return { kind: "stdio", reader: new FramedMessageReader(process.stdin), writer: new StreamMessageWriter(process.stdout) };
}

/** `--clientProcessId=PID`: the editor process to outlive by no more than a few seconds. */
export function clientProcessId(argv: readonly string[]): number | undefined {
  const v = option(argv, "--clientProcessId");
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
