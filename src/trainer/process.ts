import { validateRequest, type BackendChoice, type EngineSpec, type InspectQuery, type TrainerEvent } from "../shared/training";
import type { Engine, EngineRequest } from "./engines/engine";
import { TfjsEngine } from "./engines/tfjs/tfjsEngine";
import { TorchEngine } from "./engines/torch/torchEngine";
import { Inspector } from "./inspect";
import { logTail, markRunFailed } from "./runFiles";
import type { BackendSelection, SessionDeps } from "./runSetup";

/**
 * The trainer's side of the protocol (src/shared/training.ts), for the child-process entry
 * (src/trainer/main.ts). Messages arrive over Node IPC; each is validated, and a bad one is
 * answered with an `error` event of phase "request" (which never ends a run). The process exits
 * after a `shutdown` request or when its parent disconnects, in both cases after stopping a run
 * gracefully at a step boundary (with a checkpoint); SIGINT (a run interrupted from another
 * window) stops the run the same way. `inspect` requests are answered by an Inspector (created on
 * the first), with or without a run, on the run's backend when there is one. The run is trained
 * by the engine its `start` request names (src/trainer/engines): TensorFlow.js or PyTorch.
 */

export interface ProcessDeps extends SessionDeps {
  version: string;
}

export function runTrainerProcess(deps: ProcessDeps): void {
  if (typeof process.send !== "function") {
    process.stderr.write("cnn-studio trainer: this program is started by CNN Studio (the extension or `cnn-studio train`) over IPC, not directly.\n");
    process.exitCode = 2;
    return;
  }
  let exiting = false;
  let running: Promise<void> | null = null;
  let inFlight = 0;
  let drained: (() => void)[] = [];
  const settle = (): void => {
    if (--inFlight === 0) {
      const waiting = drained;
      drained = [];
      for (const w of waiting) w();
    }
  };
  const send = (e: TrainerEvent, then?: () => void): void => {
    if (!process.connected || typeof process.send !== "function") {
      then?.();
      return;
    }
    inFlight++;
    try {
      process.send(e, undefined, {}, (err) => {
        if (err) process.stderr.write(`cnn-studio trainer: could not send ${e.type}: ${err.message}\n`);
        settle();
        then?.();
      });
    } catch (err) {
      process.stderr.write(`cnn-studio trainer: could not send ${e.type}: ${err instanceof Error ? err.message : String(err)}\n`);
      settle();
      then?.();
    }
  };
  /** Calls `f` once every message sent so far has been handed to the channel. */
  const whenDrained = (f: () => void): void => {
    if (inFlight === 0) f();
    else drained.push(f);
  };
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  // tfjs has one current backend: an inspector started during a run computes on the run's.
  let runBackend: Promise<BackendSelection> | null = null;
  const createEngine = (spec: EngineSpec): Engine =>
    spec.name === "torch"
      ? new TorchEngine(spec.python, log, (e) => send(e))
      : new TfjsEngine({ ...deps, selectBackend: (choice: BackendChoice) => (runBackend = deps.selectBackend(choice)), log }, (e) => send(e));
  /** The run's engine, from the first `start` request on (one run per process). */
  let engine: Engine | null = null;
  /** Requests before any run: nothing to stop, no feature maps. */
  const beforeStart = (req: Exclude<EngineRequest, { type: "start" }>): void => {
    if (req.type === "ping") send({ type: "pong", requestId: req.requestId, state: "idle" });
    else if (req.type === "featureMaps") {
      send({
        type: "error",
        requestId: req.requestId,
        phase: "request",
        message: "feature maps need a trained model: no run has been started in this trainer (state: idle)",
        diagnostics: [],
        runDir: null,
        logTail: [],
      });
    }
  };
  const handle = (req: Exclude<EngineRequest, { type: "start" }>): void => (engine === null ? beforeStart(req) : void engine.handle(req));
  let inspector: Inspector | null = null;
  const inspect = (requestId: number, query: InspectQuery): void => {
    inspector ??= new Inspector({ ...deps, selectBackend: (choice) => runBackend ?? deps.selectBackend(choice), log });
    void inspector
      .inspect(query)
      .then((r) =>
        send(
          r.ok
            ? { type: "inspected", requestId, result: r.value }
            : { type: "error", requestId, phase: "request", message: r.error, diagnostics: [], runDir: null, logTail: [] },
        ),
      );
  };

  const exit = (code: number): void => {
    if (exiting) return;
    exiting = true;
    engine?.dispose();
    inspector?.dispose();
    // let pending IPC messages flush, then leave
    const done = () => {
      if (process.connected) process.disconnect();
      process.exitCode = code;
      setTimeout(() => process.exit(code), 200).unref();
    };
    whenDrained(done);
  };
  const exitWhenIdle = (): void => {
    if (running === null) exit(0);
    else void running.then(() => exit(0));
  };

  process.on("message", (raw: unknown) => {
    const checked = validateRequest(raw);
    if (!checked.ok) {
      // a refused start ends the (never begun) run; any other refused message changes nothing
      const isStart = typeof raw === "object" && raw !== null && (raw as { type?: unknown }).type === "start";
      send({
        type: "error",
        requestId: null,
        phase: isStart ? "config" : "request",
        message: `rejected a request: ${checked.error}`,
        diagnostics: [],
        runDir: null,
        logTail: [],
      });
      return;
    }
    const req = checked.value;
    if (req.type === "inspect") return inspect(req.requestId, req.query);
    if (req.type === "start") {
      if (engine !== null) {
        void engine.handle(req); // answers with an error: one run per process
        return;
      }
      engine = createEngine(req.engine);
      running = engine.handle(req).finally(() => {
        running = null;
      });
      return;
    }
    handle(req);
    if (req.type === "shutdown") exitWhenIdle();
  });

  process.on("disconnect", () => {
    // the parent is gone: stop at the next step boundary (leaving a checkpoint), then exit
    engine?.stop();
    exitWhenIdle();
  });
  process.on("SIGINT", () => engine?.stop());

  const crash = (what: string, e: unknown): void => {
    const message = `${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    process.stderr.write(`cnn-studio trainer: ${message}\n`);
    const runDir = engine?.runDir ?? null;
    try {
      engine?.dispose(); // the PyTorch engine's Python child goes too
    } catch {
      // crashing already
    }
    if (runDir !== null) markRunFailed(runDir, message, []);
    send({ type: "error", requestId: null, phase: "process", message, diagnostics: [], runDir, logTail: runDir ? logTail(runDir) : [] }, () => process.exit(1));
    setTimeout(() => process.exit(1), 1000).unref();
  };
  process.on("uncaughtException", (e) => crash("uncaught exception", e));
  process.on("unhandledRejection", (e) => crash("unhandled rejection", e));

  send({ type: "ready", pid: process.pid, version: deps.version });
}
