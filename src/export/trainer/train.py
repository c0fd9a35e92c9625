"""A CNN Studio training run that can leave the machine: `python train.py` (written by
`cnn-studio export FILE --model M --to pytorch --with-trainer --out DIR --dataset D ...`).

Trains the exported model (model.py) with CNN Studio's PyTorch engine (engine/trainer.py, the same
program the extension runs) on the prepared data (data/), with the run's configuration (config.json),
and writes the run folder the CNN Studio Runs view reads (run_folder.py): point the extension's
`cnnStudio.remoteRunsDirectories` at a synced or mounted copy of the runs folder to follow it live.
Needs Python 3.8+ and PyTorch; no CNN Studio, no Node.

Distributed: the environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT, as torchrun and
SLURM set them) passes to the engine unchanged; only rank 0 (or a run without RANK) writes the run
folder. Ctrl+C (SIGINT) or SIGTERM stops at the next step with a checkpoint; resume with --resume RUN_DIR.
The build bundles this file as text (src/export/trainer/scripts.ts).
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run_folder import RunFolder, create_run_dir, latest_checkpoint  # noqa: E402


def arguments():
    p = argparse.ArgumentParser(description="Train the exported CNN Studio model; the run folder is what CNN Studio's Runs view reads.")
    p.add_argument("--runs-dir", help="where the run folder is created (default $CNN_STUDIO_RUNS_DIR, else runs/ next to train.py)")
    p.add_argument("--data", help="a folder of prepared data (data.json and its files; default data/ next to train.py)")
    p.add_argument("--epochs", type=int, help="train this many epochs instead of config.json's (with --resume: until this epoch)")
    p.add_argument("--resume", metavar="RUN_DIR", help="continue a run from its newest checkpoint")
    return p.parse_args()


def read_json(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"train.py: cannot read {what} {path}: {e}")


def prepared_data(folder):
    """data.json with absolute paths to its split files."""
    meta = read_json(os.path.join(folder, "data.json"), "the prepared data")
    data = dict(meta["data"])
    for split in ("train", "validation"):
        s = dict(data[split])
        for key in ("images", "labels", "masks"):
            if key not in s:  # masks: segmentation data only
                continue
            s[key] = os.path.join(folder, s[key])
            if not os.path.isfile(s[key]):
                sys.exit(f"train.py: the prepared data lacks {s[key]}")
        data[split] = s
    return meta, data


def rank():
    """This process's rank (torchrun, SLURM through the sbatch example); 0 when not distributed."""
    text = os.environ.get("RANK", "").strip()
    try:
        return int(text) if text else 0
    except ValueError:
        sys.exit(f"train.py: RANK must be a whole number, got '{text}'")


class Run:
    """The run folder of rank 0 (None elsewhere), fed with the engine's messages (as pythonRun.ts does)."""

    def __init__(self, folder, config, meta):
        self.folder, self.config, self.meta = folder, config, meta
        self.position = {"epoch": 0, "step": 0, "globalStep": 0}
        self.last_print = 0.0
        self.last_status = 0.0

    def log(self, line, echo=True):
        if self.folder is not None:
            self.folder.log(line)
        if echo:
            print(line, flush=True)

    def handle(self, m, hello):
        """One message of trainer.py; returns (exit code, message) once the run has ended, else None."""
        kind = m.get("type")
        run, config, p = self.folder, self.config, self.position
        if kind == "hello":
            hello.update(m)
        elif kind == "ready":
            device = hello.get("device", "cpu")
            on_gpu = device.startswith("cuda")
            shown = f"{device}{' (' + hello['deviceName'] + ')' if on_gpu and hello.get('deviceName') else ''}" if on_gpu else "cpu"
            threads = "" if on_gpu else f", {hello.get('threads')} threads"
            extra = f"; {self.meta['dataText']}" if self.meta.get("dataText") else ""
            if run is not None:
                run.status("running", p["epoch"], p["step"], p["globalStep"])
            self.log(f"backend torch (PyTorch {hello.get('torch')}, Python {hello.get('python')}, {shown}{threads}); "
                     f"{m['stepsPerEpoch']} steps per epoch of {config['batchSize']}; {self.meta['normalizationText']}{extra}")
            for line in m.get("transfer") or []:
                self.log(line)
        elif kind == "step":
            rec = {"type": "step", "epoch": m["epoch"], "step": m["step"], "globalStep": m["globalStep"], "loss": m.get("loss"),
                   "accuracy": m["accuracy"], "lr": m["lr"]}
            if "momentum" in m:
                rec["momentum"] = m["momentum"]
            rec["imagesPerSecond"] = m["imagesPerSecond"]
            rec["time"] = m["time"]
            if run is not None:
                run.append_metrics(rec)
            self.position = {"epoch": m["epoch"], "step": m["step"], "globalStep": m["globalStep"]}
            self.heartbeat(m)
        elif kind == "epoch":
            rec = {k: m.get(k) for k in ("epoch", "epochs", "trainLoss", "trainAccuracy", "valLoss", "valAccuracy", "trainTop5",
                                         "valTop5", "lr", "seconds")}
            if run is not None:
                run.append_metrics({"type": "epoch", **rec, "time": m["time"]})
            self.log(epoch_line(m, config["epochs"]))
        elif kind == "checkpoint":
            self.log(f"checkpoint {m['path']} ({m['reason']}, epoch {m['epoch']}, step {m['step']})")
        elif kind == "done":
            if m.get("kind") == "completed":
                final = m.get("final")
                if run is not None:
                    run.status("completed", p["epoch"], p["step"], p["globalStep"])
                acc = f": validation accuracy {100 * final['valAccuracy']:.2f}%" if final else ""
                self.log(f"completed in {m['seconds']:.1f} s{acc}")
                return 0, None
            if run is not None:
                run.status("stopped", m["epoch"], m["step"], m["globalStep"], "stopped on request")
            self.log(f"stopped at epoch {m['epoch']}, step {m['step']}")
            return 130, None
        elif kind == "error":
            if m.get("traceback"):
                self.log(m["traceback"], echo=False)
            phase = "model" if m.get("phase") == "model" else ("config" if m.get("phase") == "setup" else "training")
            return 1, (phase, m.get("message", "the engine failed"))
        return None

    def heartbeat(self, m):
        """A progress line on the terminal every 10 s, and status.json's position (its updatedAt says the run is alive) every 30 s."""
        t = time.monotonic()
        if t - self.last_print >= 10:
            self.last_print = t
            loss = "nan" if m.get("loss") is None else f"{m['loss']:.4f}"
            print(f"epoch {m['epoch']}/{self.config['epochs']} step {m['step']} loss {loss} acc {100 * m['accuracy']:.1f}% "
                  f"{m['imagesPerSecond']:.0f} img/s", flush=True)
        if self.folder is not None and t - self.last_status >= 30:
            self.last_status = t
            p = self.position
            self.folder.status("running", p["epoch"], p["step"], p["globalStep"])

    def fail(self, phase, message):
        if self.folder is not None:
            self.folder.log(f"error ({phase}): {message}")
            self.folder.failed(message, self.position)
        print(f"train.py: error ({phase}): {message}", file=sys.stderr, flush=True)


def epoch_line(m, epochs):
    """src/trainer/train/loop.ts epochLogLine."""
    def f(v, digits=4):
        return "NaN" if v is None else f"{v:.{digits}f}"
    top5 = f", top-5 {100 * m['valTop5']:.2f}%" if m.get("valTop5") is not None else ""
    return (f"epoch {m['epoch']}/{epochs}: train loss {f(m.get('trainLoss'))}, accuracy {100 * m['trainAccuracy']:.2f}%; "
            f"validation loss {f(m.get('valLoss'))}, accuracy {100 * m['valAccuracy']:.2f}%{top5} ({m['seconds']:.1f} s)")


def start_engine(temp):
    """trainer.py as a child with the same environment; it ignores SIGINT and SIGTERM (inherited), so that a
    Ctrl+C or a scheduler's SIGTERM reaches this process, which asks the engine to stop with a checkpoint."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return subprocess.Popen([sys.executable, "-u", os.path.join(HERE, "engine", "trainer.py")], cwd=temp, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def follow_stderr(child, tail):
    """The engine's standard error goes to ours; its last lines are kept for a failure's message."""
    for line in child.stderr:
        sys.stderr.write(line)
        tail.append(line.rstrip("\n"))
        del tail[:-200]


def main():
    args = arguments()
    is_main = rank() == 0
    meta, data = prepared_data(os.path.abspath(args.data) if args.data else os.path.join(HERE, "data"))
    resume_from, metrics_lines, folder = None, 0, None
    if args.resume:
        run_dir = os.path.abspath(args.resume)
        config = read_json(os.path.join(run_dir, "config.json"), "the run's configuration")
        found = latest_checkpoint(run_dir)
        if found is None:
            sys.exit(f"train.py: cannot resume {run_dir}: it has no complete checkpoint")
        resume_from, position = found
        if is_main:
            folder = RunFolder(run_dir)
            moved = folder.rewind_metrics(position["metricsLines"])
            folder.log(f"resuming from {resume_from} (epoch {position['epoch']}, step {position['step']}, global step "
                       f"{position['globalStep']}){f'; {moved} metrics lines after it moved to metrics.discarded.jsonl' if moved else ''}")
            metrics_lines = folder.metrics_lines
        checkpoints = os.path.join(run_dir, "checkpoints")
    else:
        config = read_json(os.path.join(HERE, "config.json"), "the run's configuration")
        runs_dir = os.path.abspath(args.runs_dir or os.environ.get("CNN_STUDIO_RUNS_DIR") or os.path.join(HERE, "runs"))
        config["runsDir"] = runs_dir
        if args.epochs is not None:
            config["epochs"] = args.epochs
        if is_main:
            folder = RunFolder(create_run_dir(runs_dir, config["model"]))
            folder.write_config(config)
            folder.log(f"new run: {config['model']} from {config['file']} on {meta['datasetText']}")
            checkpoints = folder.checkpoints_dir
        else:
            checkpoints = None  # set below: another rank's own scratch folder
    if args.resume and args.epochs is not None:
        config["epochs"] = args.epochs  # as `cnn-studio train --resume --epochs`: config.json keeps the run's own
    weights = (config.get("transfer") or {}).get("weights")
    if weights and not args.resume:
        # the exported weights file travels in weights/ next to train.py
        config["transfer"]["weights"] = os.path.join(HERE, "weights", os.path.basename(weights))

    run = Run(folder, config, meta)
    with tempfile.TemporaryDirectory(prefix="cnn-studio-train-") as temp:
        if checkpoints is None:
            checkpoints = os.path.join(temp, "checkpoints")
            os.makedirs(checkpoints)
        job = {"code": os.path.join(HERE, "model.py"), "model": config["model"], "data": data, "normalization": meta["normalization"],
               "config": config, "checkpoints": checkpoints, "resume": resume_from, "metricsLines": metrics_lines}
        job_file = os.path.join(temp, "job.json")
        with open(job_file, "w", encoding="utf-8") as f:
            json.dump(job, f)
        child = start_engine(temp)
        tail = []
        threading.Thread(target=follow_stderr, args=(child, tail), daemon=True).start()
        return drive(child, job_file, run, tail)


def drive(child, job_file, run, tail):
    """Sends the job, relays stop requests, and records the engine's messages until the run ends."""
    stops = []

    def on_signal(signum, _frame):
        stops.append(signum)
        if len(stops) == 1:
            print("stopping at the next step (a checkpoint is written); press Ctrl+C again to abort", file=sys.stderr, flush=True)
            send(child, "stop")
        else:
            child.kill()

    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, on_signal)
    send(child, json.dumps({"job": job_file}))
    hello = {}
    result = None
    for line in child.stdout:
        try:
            m = json.loads(line)
        except ValueError:
            continue  # a stray print
        if not isinstance(m, dict):
            continue
        if m.get("type") == "error" and not hello and "import torch failed" in m.get("message", ""):
            result = (1, ("config", f"PyTorch is not installed for {sys.executable}: {m['message']}"))
        else:
            result = run.handle(m, hello)
        if result is not None:
            break
    try:
        child.stdin.close()
    except OSError:
        pass
    code = child.wait()
    if result is None and run.folder is None and code == 0:
        return 0  # another rank than 0: the engine reports on rank 0 only
    if result is None:
        why = f"signal {-code}" if code < 0 else f"exit code {code}"
        last = "\n".join(tail[-12:])
        result = (1, ("process", f"the PyTorch trainer exited ({why}) before the run ended{'; its last output:' + chr(10) + last if last else ''}"))
    exit_code, failure = result
    if failure is not None:
        run.fail(*failure)
    return exit_code


def send(child, line):
    try:
        child.stdin.write(line + "\n")
        child.stdin.flush()
    except (OSError, ValueError):
        pass  # the engine has ended


if __name__ == "__main__":
    sys.exit(main())
