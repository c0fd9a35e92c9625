import { AbstractMessageReader, type DataCallback, type Disposable, type Message } from "vscode-languageserver/node";

/**
 * The base protocol's framing (`Content-Length: N\r\n\r\n` then N bytes of UTF-8 JSON), read
 * strictly. vscode-jsonrpc's stream reader takes `parseInt` of the length (`2e9` reads as 2, `-5`
 * as -5) and, after a bad header, goes on reading the rest of the stream out of step: the server
 * then answers nothing again while staying alive. Here any malformed frame is an error, reported
 * once through `onError`, and nothing more is read: the owner logs it and exits, and the client
 * restarts the server.
 */

/** Larger messages are refused rather than buffered (a didOpen of a 100 MB file is not a model file). */
export const MAX_CONTENT_LENGTH = 256 * 2 ** 20;
/** A header block longer than this has no end in sight. */
const MAX_HEADER_BYTES = 16 * 1024;
const HEADER_END = Buffer.from("\r\n\r\n");

/** The body length a header block announces, or why it is not a valid header. */
export function parseFrameHeader(text: string): { ok: true; length: number } | { ok: false; error: string } {
  let length: string | undefined;
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) return { ok: false, error: `a header line is not 'Name: value': ${JSON.stringify(line.slice(0, 80))}` };
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-length") length = value;
    else if (name === "content-type" && !/charset=utf-?8/i.test(value) && /charset=/i.test(value))
      return { ok: false, error: `unsupported Content-Type ${JSON.stringify(value)} (only utf-8)` };
  }
  if (length === undefined) return { ok: false, error: `a message header without Content-Length: ${JSON.stringify(text.slice(0, 200))}` };
  if (!/^[0-9]{1,10}$/.test(length)) return { ok: false, error: `Content-Length must be a whole number of bytes, got ${JSON.stringify(length.slice(0, 40))}` };
  const n = Number(length);
  if (n > MAX_CONTENT_LENGTH) return { ok: false, error: `Content-Length ${n} is more than the ${MAX_CONTENT_LENGTH} bytes a message may have` };
  return { ok: true, length: n };
}

export class FramedMessageReader extends AbstractMessageReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The length of the body being read; -1 while reading a header. */
  private bodyLength = -1;
  private failed = false;

  constructor(private readonly stream: NodeJS.ReadableStream) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    const onData = (data: Buffer | string): void => this.onData(typeof data === "string" ? Buffer.from(data, "utf8") : data, callback);
    const onError = (e: Error): void => this.fireError(e);
    const onEnd = (): void => this.fireClose();
    this.stream.on("data", onData);
    this.stream.on("error", onError);
    this.stream.on("end", onEnd);
    this.stream.on("close", onEnd);
    return {
      dispose: () => {
        this.stream.off("data", onData);
        this.stream.off("error", onError);
        this.stream.off("end", onEnd);
        this.stream.off("close", onEnd);
      },
    };
  }

  /** All bytes received and not yet used, as one buffer. */
  private joined(): Buffer {
    if (this.pending.length > 1) this.pending = [Buffer.concat(this.pending, this.pendingBytes)];
    return this.pending[0] ?? Buffer.alloc(0);
  }

  private keep(rest: Buffer): void {
    this.pending = rest.length ? [rest] : [];
    this.pendingBytes = rest.length;
  }

  private fail(message: string): void {
    this.failed = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.fireError(new Error(message));
  }

  private onData(data: Buffer, callback: DataCallback): void {
    if (this.failed) return;
    this.pending.push(data);
    this.pendingBytes += data.length;
    while (!this.failed) {
      if (this.bodyLength < 0) {
        const buffer = this.joined();
        const end = buffer.indexOf(HEADER_END);
        if (end < 0) {
          if (buffer.length > MAX_HEADER_BYTES)
            this.fail(`no end of a message header in ${buffer.length} bytes: ${JSON.stringify(buffer.toString("latin1", 0, 80))}`);
          return;
        }
        const header = parseFrameHeader(buffer.toString("latin1", 0, end));
        if (!header.ok) return this.fail(header.error);
        this.bodyLength = header.length;
        this.keep(buffer.subarray(end + HEADER_END.length));
      }
      if (this.pendingBytes < this.bodyLength) return;
      const buffer = this.joined();
      const body = buffer.subarray(0, this.bodyLength);
      this.keep(buffer.subarray(this.bodyLength));
      this.bodyLength = -1;
      let message: unknown;
      try {
        message = JSON.parse(body.toString("utf8"));
      } catch (e) {
        return this.fail(
          `a message body is not JSON (${e instanceof Error ? e.message : String(e)}): ${JSON.stringify(body.toString("utf8", 0, Math.min(body.length, 80)))}`,
        );
      }
      if (typeof message !== "object" || message === null || Array.isArray(message))
        return this.fail(`a message body is not a JSON-RPC object: ${JSON.stringify(body.toString("utf8", 0, Math.min(body.length, 80)))}`);
      callback(message as Message);
    }
  }
}
