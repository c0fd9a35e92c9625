import {
  createServerPipeTransport,
  createServerSocketTransport,
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageReader,
  type MessageWriter,
} from "vscode-languageserver/node";

/**
 * The client connection named on the command line, as VS Code's language client passes it:
 * `--stdio` (also the default), `--node-ipc`, `--socket=PORT`, `--pipe=NAME`.
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
    const [reader, writer] = createServerSocketTransport(Number(socket));
    return { kind: "socket", reader, writer };
  }
  const pipe = option(argv, "--pipe");
  if (pipe !== undefined) {
    const [reader, writer] = createServerPipeTransport(pipe);
    return { kind: "pipe", reader, writer };
  }
  return { kind: "stdio", reader: new StreamMessageReader(process.stdin), writer: new StreamMessageWriter(process.stdout) };
}

/** `--clientProcessId=PID`: the editor process to outlive by no more than a few seconds. */
export function clientProcessId(argv: readonly string[]): number | undefined {
  const v = option(argv, "--clientProcessId");
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
