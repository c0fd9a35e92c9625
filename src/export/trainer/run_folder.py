"""A CNN Studio run folder, written by the standalone trainer (train.py) exactly as the extension's trainer writes it.

This is a port of src/trainer/runFiles.ts (and the parts of src/trainer/runSetup.ts and
src/trainer/engines/torch/pythonRun.ts that record a run): `<runs>/<yyyy-mm-dd-HHMMSS>-<model>/` with
    config.json      the training configuration
    metrics.jsonl    append-only, one JSON object per step ("step") and per epoch ("epoch")
    checkpoints/     written by the engine (trainer.py) with the exported save_checkpoint()
    log.txt          human-readable log, appended
    status.json      state (running, completed, stopped, failed), written atomically
so that the Runs view and the training curves of CNN Studio read a run made on another machine
(cnnStudio.remoteRunsDirectories pointed at a synced or mounted copy). Standard library only.
The build bundles this file as text (src/export/trainer/scripts.ts).
"""

import datetime
import json
import os
import re
import struct


def now_iso():
    """`new Date().toISOString()`: UTC with milliseconds and a Z."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_json(value, indent=None):
    """`JSON.stringify`: compact separators, non-ASCII kept, NaN and infinities as null."""
    def clean(v):
        if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v
    if indent is None:
        return json.dumps(clean(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return json.dumps(clean(value), ensure_ascii=False, indent=indent, allow_nan=False)


def write_file_atomic(path, text):
    """Writes through `<path>.tmp-<pid>` renamed into place (as runFiles.ts writeFileAtomic)."""
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise


def run_dir_name(model, date):
    """runFiles.ts runDirName: local time `yyyy-mm-dd-HHMMSS-<model>`."""
    return date.strftime("%Y-%m-%d-%H%M%S") + "-" + re.sub(r"[^A-Za-z0-9_.-]", "_", model)


def create_run_dir(runs_dir, model, date=None):
    """A new run folder (never reusing one: -2, -3, ... within the same second), with its checkpoints/."""
    os.makedirs(runs_dir, exist_ok=True)
    base = os.path.join(runs_dir, run_dir_name(model, date or datetime.datetime.now()))
    k = 1
    while True:
        d = base if k == 1 else f"{base}-{k}"
        try:
            os.mkdir(d)
            os.mkdir(os.path.join(d, "checkpoints"))
            return d
        except FileExistsError:
            k += 1


def log_tail(run_dir, lines=40):
    """The last `lines` lines of log.txt."""
    try:
        with open(os.path.join(run_dir, "log.txt"), "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 64 * 1024))
            text = f.read().decode("utf-8", "replace")
        return [l for l in re.split(r"\r?\n", text) if l][-lines:]
    except OSError:
        return []


class RunFolder:
    """The writing side of a run folder (runFiles.ts RunFiles)."""

    def __init__(self, run_dir):
        self.dir = run_dir
        self.metrics_path = os.path.join(run_dir, "metrics.jsonl")
        self.checkpoints_dir = os.path.join(run_dir, "checkpoints")
        self.metrics_lines = count_lines(self.metrics_path)

    def write_config(self, config):
        write_file_atomic(os.path.join(self.dir, "config.json"), to_json(config, 2) + "\n")

    def append_metrics(self, record):
        with open(self.metrics_path, "a", encoding="utf-8", newline="\n") as f:
            f.write(to_json(record) + "\n")
        self.metrics_lines += 1

    def log(self, message):
        stamp = now_iso()
        with open(os.path.join(self.dir, "log.txt"), "a", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(f"{stamp} {l}" for l in message.split("\n")) + "\n")

    def status(self, state, epoch, step, global_step, message=None, tail=None):
        full = {"state": state, "epoch": epoch, "step": step, "globalStep": global_step, "message": message,
                "updatedAt": now_iso(), "pid": os.getpid(), "logTail": tail if tail is not None else []}
        write_file_atomic(os.path.join(self.dir, "status.json"), to_json(full, 2) + "\n")

    def failed(self, message, at):
        self.status("failed", at["epoch"], at["step"], at["globalStep"], message, log_tail(self.dir))

    def rewind_metrics(self, keep):
        """Lines after the first `keep` (steps a resumed checkpoint does not include) move to metrics.discarded.jsonl."""
        try:
            with open(self.metrics_path, "rb") as f:
                data = f.read()
        except OSError:
            self.metrics_lines = 0
            return 0
        lines = data.split(b"\n")
        if data.endswith(b"\n") or not data:
            lines = lines[:-1]
        if len(lines) <= keep:
            self.metrics_lines = len(lines)
            return 0
        cut = sum(len(l) + 1 for l in lines[:keep])
        rest = data[cut:]
        with open(os.path.join(self.dir, "metrics.discarded.jsonl"), "ab") as f:
            f.write(rest if rest.endswith(b"\n") else rest + b"\n")
        with open(self.metrics_path, "r+b") as f:
            f.truncate(cut)
        self.metrics_lines = keep
        return len(lines) - keep


def count_lines(path):
    """Non-empty lines of a file (0 when it cannot be read)."""
    try:
        with open(path, "rb") as f:
            return sum(1 for l in f if l.strip(b"\n"))
    except OSError:
        return 0


CHECKPOINT_MODEL = re.compile(r"^e\d{4,}-s\d{6,}\.safetensors$")


def latest_checkpoint(run_dir):
    """The newest complete checkpoint of a run (runSetup.ts resumeCheckpoint): (model file, position) or None.

    Complete: its model file's safetensors header is readable, says it is a CNN Studio checkpoint,
    and its optimiser file lies beside it (written first)."""
    folder = os.path.join(run_dir, "checkpoints")
    try:
        names = sorted((n for n in os.listdir(folder) if CHECKPOINT_MODEL.match(n)), reverse=True)
    except OSError:
        return None
    for name in names:
        path = os.path.join(folder, name)
        if not os.path.isfile(path[: -len(".safetensors")] + ".optimizer.safetensors"):
            continue
        try:
            with open(path, "rb") as f:
                (length,) = struct.unpack("<Q", f.read(8))
                if length > 100 * 1024 * 1024:
                    continue
                meta = json.loads(f.read(length).decode("utf-8")).get("__metadata__", {})
            if meta.get("checkpoint") != "cnn-studio-checkpoint":
                continue
            return path, json.loads(meta["position"])
        except (OSError, ValueError, KeyError, struct.error):
            continue
    return None
