import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import * as readline from "node:readline";
import { PYTHON_ISOLATED, pythonCandidates } from "../../../export/pythonProcess";
import type { DistributedConfig } from "../../../shared/trainConfigTorch";
import { parseTorchLine, type TorchLine } from "../../../shared/torchLines";
import type { Checked } from "../../../shared/validate";

/**
 * The PyTorch engine's processes (issue 16): one trainer.py per rank of this machine, started the
 * way torchrun starts them (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
 * MASTER_PORT; torch.distributed's env:// rendezvous), or a single one without those variables.
 * The primary process (local rank 0) speaks for the run: its JSON lines drive the run folder and
 * the events. Every other rank is watched: an error line, or an exit before the run ended, is a
 * failure naming the rank and its last stderr lines, handed to the primary's line reader so that
 * the run ends on it like on any other error.
 */

/** The variables of a rendezvous that a single process must not inherit (a trainer started inside torchrun). */
const RANK_VARIABLES = ["RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "GROUP_RANK", "MASTER_ADDR", "MASTER_PORT"];

export interface RankFailure {
  rank: number;
  message: string;
}

export class RankProcess {
  readonly stderrTail: string[] = [];
  readonly lines: LineReader;

  constructor(
    readonly child: ChildProcessWithoutNullStreams,
    readonly rank: number,
  ) {
    child.stdin.on("error", () => undefined);
    readline.createInterface({ input: child.stderr }).on("line", (l) => {
      this.stderrTail.push(l);
      if (this.stderrTail.length > 200) this.stderrTail.shift();
    });
    this.lines = new LineReader(child);
  }

  exitText(): string {
    const c = this.child;
    return c.signalCode ? `signal ${c.signalCode}` : `exit code ${c.exitCode ?? "?"}`;
  }

  write(text: string): void {
    if (this.child.stdin.writable) this.child.stdin.write(text);
  }
}

/** A free TCP port of this machine (the rendezvous of a one-machine run without --master-port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function rankEnv(d: DistributedConfig | undefined, port: number | null, localRank: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !RANK_VARIABLES.includes(k)));
  env["PYTHONUNBUFFERED"] = "1";
  if (!d || d.worldSize === 1) return env;
  const rank = d.nodeRank * d.nprocPerNode + localRank;
  Object.assign(env, {
    RANK: String(rank),
    WORLD_SIZE: String(d.worldSize),
    LOCAL_RANK: String(localRank),
    LOCAL_WORLD_SIZE: String(d.nprocPerNode),
    GROUP_RANK: String(d.nodeRank),
    MASTER_ADDR: d.masterAddr,
    MASTER_PORT: String(port ?? d.masterPort),
  });
  // torchrun's default: one thread per process unless the user chose (the ranks share the cores)
  if (env["OMP_NUM_THREADS"] === undefined) env["OMP_NUM_THREADS"] = "1";
  return env;
}

function spawnRank(python: string, script: string, env: NodeJS.ProcessEnv): Promise<ChildProcessWithoutNullStreams | null> {
  // isolated, in the run's private temporary folder: nothing of the user's folders is imported
  const child = spawn(python, [...PYTHON_ISOLATED, "-u", script], { cwd: path.dirname(script), stdio: ["pipe", "pipe", "pipe"], env });
  return new Promise((resolve) => {
    child.once("spawn", () => resolve(child));
    child.once("error", () => resolve(null));
  });
}

export class RankGroup {
  private closing = false;
  private readonly failures: RankFailure[] = [];
  private failureWaiters: (() => void)[] = [];

  private constructor(
    readonly primary: RankProcess,
    readonly python: string,
    readonly distributed: DistributedConfig | undefined,
    readonly others: RankProcess[] = [],
  ) {}

  /** Starts the first interpreter of the candidates that exists, then (data-parallel) the other ranks of this machine with it. */
  static async start(
    requested: string | null | undefined,
    script: string,
    d: DistributedConfig | undefined,
  ): Promise<{ ok: true; group: RankGroup } | { ok: false; error: string }> {
    const port = d && d.worldSize > 1 && d.masterPort === null ? await freePort() : null;
    const firstRank = d ? d.nodeRank * d.nprocPerNode : 0;
    const tried: string[] = [];
    for (const python of pythonCandidates(requested)) {
      const child = await spawnRank(python, script, rankEnv(d, port, 0));
      if (child === null) {
        tried.push(`${python} (not found)`);
        continue;
      }
      const group = new RankGroup(new RankProcess(child, firstRank), python, d);
      for (let local = 1; local < (d?.nprocPerNode ?? 1); local++) {
        const other = await spawnRank(python, script, rankEnv(d, port, local));
        if (other === null) {
          group.kill();
          return { ok: false, error: `${python} could not be started for rank ${firstRank + local}` };
        }
        group.watch(new RankProcess(other, firstRank + local));
      }
      return { ok: true, group };
    }
    return {
      ok: false,
      error: `No Python interpreter found (tried ${tried.join(", ")}). The PyTorch engine needs Python 3 with PyTorch: install them (https://pytorch.org/get-started/locally/), or choose the interpreter with --python PATH, $CNN_STUDIO_PYTHON or the Python extension.`,
    };
  }

  get all(): RankProcess[] {
    return [this.primary, ...this.others];
  }

  get worldSize(): number {
    return this.distributed?.worldSize ?? 1;
  }

  /** Follows another rank: its error line or an early exit is a failure, reported through the primary's reader. */
  private watch(p: RankProcess): void {
    this.others.push(p);
    void (async () => {
      for (;;) {
        const m = await p.lines.next();
        if (m === null) break;
        if (m.ok && m.value.type === "error") {
          this.failed({ rank: p.rank, message: `rank ${p.rank} failed: ${m.value.message}` });
          return;
        }
      }
      if (p.child.exitCode === 0) return;
      const tail = p.stderrTail.slice(-12);
      this.failed({
        rank: p.rank,
        message: `rank ${p.rank} exited (${p.exitText()}) before the run ended${tail.length ? `; its last output:\n${tail.join("\n")}` : ""}`,
      });
    })();
  }

  private failed(f: RankFailure): void {
    if (this.closing) return;
    this.failures.push(f);
    for (const w of this.failureWaiters.splice(0)) w();
    this.primary.lines.inject({ ok: true, value: { type: "error", phase: "training", message: f.message } });
  }

  /** The first failure of another rank, waiting up to `ms` for one (when rank 0 failed, it is often the echo of another rank's death). */
  async otherFailure(ms: number): Promise<RankFailure | null> {
    if (this.failures.length === 0 && this.others.length > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.failureWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.failures[0] ?? null;
  }

  writeAll(text: string): void {
    for (const p of this.all) p.write(text);
  }

  /** Ends every rank still running (after the run ended, or when one rank failed). */
  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    this.closing = true;
    for (const p of this.all) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  }
}

/** The messages of the child's stdout (src/shared/torchLines.ts), checked, one at a time; null at the end. Lines that are no JSON object (stray prints) are skipped. */
export class LineReader {
  private readonly queue: Checked<TorchLine>[] = [];
  private waiting: ((m: Checked<TorchLine> | null) => void) | null = null;
  private ended = false;
  private readonly rl: readline.Interface;

  constructor(child: ChildProcessWithoutNullStreams) {
    this.rl = readline.createInterface({ input: child.stdout });
    this.rl.on("line", (line) => {
      const m = parseTorchLine(line);
      if (m !== null) this.inject(m); // else not a message (a stray print)
    });
    const end = () => {
      this.ended = true;
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(null);
      }
    };
    this.rl.on("close", () => {
      // let the exit code arrive before reporting the end
      if (child.exitCode !== null || child.signalCode !== null) end();
      else child.once("exit", end);
    });
  }

  /** A message, as if the process had written it (another rank's failure). */
  inject(m: Checked<TorchLine>): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(m);
    } else this.queue.push(m);
  }

  next(): Promise<Checked<TorchLine> | null> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async close(): Promise<void> {
    this.rl.close();
  }
}
