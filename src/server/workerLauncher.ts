import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { codeCacheDir, codeCacheFile, readCodeCache } from "../runtime/v8CodeCache";
import { WORKER_BOOTSTRAP } from "./codeCache";
import { heartbeatInterval, type WorkerData } from "./workerProtocol";

/**
 * Starts the language-server worker. Kept free of the LSP libraries so that the supervisor can
 * start the worker first thing, and load everything else while the worker boots.
 */

export interface LaunchOptions {
  /** The worker's program (dist/server-worker.js). */
  entry: string;
  cacheFile: string | undefined;
  hangMs: number;
  quarantined: readonly string[];
}

export interface LaunchedWorker {
  worker: Worker;
  /** The supervisor's end of the LSP channel. */
  port: MessagePort;
}

export function launchWorker(options: LaunchOptions): LaunchedWorker {
  const channel = new MessageChannel();
  const data: WorkerData = {
    rpcPort: channel.port2,
    quarantined: [...options.quarantined],
    heartbeatMs: heartbeatInterval(options.hangMs),
    // The cache is read (and checked) here, each time: a replacement worker gets the one written since.
    boot: { entry: options.entry, cacheFile: options.cacheFile, cachedData: readCodeCache(options.cacheFile) },
  };
  const worker = new Worker(WORKER_BOOTSTRAP, {
    eval: true,
    workerData: data,
    transferList: [channel.port2],
    resourceLimits: { maxOldGenerationSizeMb: 2048 },
    stdout: false,
    stderr: false,
  });
  return { worker, port: channel.port1 };
}

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

export interface SupervisorOptions {
  /** A request unanswered this long is answered empty (ms). */
  requestDeadlineMs: number;
  /** A worker silent this long is replaced (ms). */
  hangMs: number;
}

export function defaultSupervisorOptions(): SupervisorOptions {
  return {
    // Under a second with room for a busy machine's timer lag.
    requestDeadlineMs: envNumber("CNN_STUDIO_REQUEST_DEADLINE_MS", 750),
    hangMs: envNumber("CNN_STUDIO_HANG_MS", 15_000),
  };
}

/** The first worker, as main.ts starts it before loading anything else. */
export function launchFirstWorker(entry: string, argv: readonly string[]): { launched: LaunchedWorker; options: LaunchOptions } {
  const options: LaunchOptions = {
    entry,
    cacheFile: codeCacheFile("server-worker", entry, codeCacheDir(process.env, argv)),
    hangMs: defaultSupervisorOptions().hangMs,
    quarantined: [],
  };
  return { launched: launchWorker(options), options };
}
