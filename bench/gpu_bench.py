"""The rows of bench/gpu.sh: the PyTorch engine (`cnn-studio train --backend torch`) against a plain
PyTorch loop (bench/gpu_reference.py) on the same exported model, batch size and steps, in the
same run. Run through bench/gpu.sh, which checks for CUDA and builds first; see bench/README.md.

Images/s: the engine's own figure at its last step (the mean time per image over its last 50
steps, training step only: data indexing, forward, backward, update, metrics; validation and
checkpoints excluded), and the reference's over the same number of final steps. Runs are long
enough that the first steps (cuDNN autotuning, allocations) fall outside that window.
"""
import argparse, json, math, os, random, shutil, struct, subprocess, sys, tempfile, time, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(ROOT, "dist", "cli.bundle.js")
NODE = os.environ.get("NODE", "node")
WINDOW = 50  # the engine's images/s is the mean over its last 50 steps (trainer.py)

# model key: file, export name, (C, H, W), batch on CUDA, batch in the CPU dry run
MODELS = {
    "lenet5": ("examples/lenet5.ts", "lenet5Mnist", (1, 28, 28), 128, 8),
    "mnistResNet": ("examples/mnist-resnet.ts", "mnistResNet", (1, 28, 28), 128, 8),
    "resnet18": ("examples/resnet.ts", "resnet18", (3, 224, 224), 64, 2),
}
MNIST_SAMPLE_TRAIN = 8000


def png_bytes(width, height, channels, pixels):
    """A minimal 8-bit grey or RGB PNG (filter 0 rows, zlib level 1)."""
    row = width * channels
    raw = b"".join(b"\x00" + pixels[y * row:(y + 1) * row] for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0 if channels == 1 else 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b"")


def synthetic_folder(dir, shape, train, val, classes=10, seed=0):
    """DIR/train/<class>/*.png and DIR/val/<class>/*.png of uniform random pixels."""
    c, h, w = shape
    rng = random.Random(seed)
    for split, count in (("train", train), ("val", val)):
        for i in range(count):
            folder = os.path.join(dir, split, f"class{i % classes}")
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, f"{i:05d}.png"), "wb") as f:
                f.write(png_bytes(w, h, c, rng.randbytes(c * h * w)))
    return f"folder:{dir}"


def synthetic_idx(dir, train, val, seed=0):
    """MNIST-style IDX files of random 28x28 digits (for the CPU dry run)."""
    rng = random.Random(seed)
    os.makedirs(dir, exist_ok=True)
    for prefix, n in (("train", train), ("t10k", val)):
        with open(os.path.join(dir, f"{prefix}-images-idx3-ubyte"), "wb") as f:
            f.write(struct.pack(">IIII", 0x803, n, 28, 28) + rng.randbytes(n * 28 * 28))
        with open(os.path.join(dir, f"{prefix}-labels-idx1-ubyte"), "wb") as f:
            f.write(struct.pack(">II", 0x801, n) + bytes(rng.randrange(10) for _ in range(n)))
    return f"idx:{dir}"


def run(cmd, timeout):
    try:
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        return r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired as e:
        return 124, e.stdout or "", f"timed out after {timeout} s"


def engine_row(a, key, dataset, train_count, precision, nproc, runs_dir):
    """The engine's images/s and step count, or (None, steps, note)."""
    file, name, _, gpu_batch, cpu_batch = MODELS[key]
    batch = cpu_batch if a.cpu_dry_run else gpu_batch
    steps_per_epoch = math.ceil(math.ceil(train_count / nproc) / batch)
    epochs = max(1, math.ceil(a.steps / steps_per_epoch))
    cmd = [NODE, CLI, "train", file, "--model", name, "--dataset", dataset, "--backend", "torch", "--python", sys.executable,
           "--epochs", str(epochs), "--batch-size", str(batch), "--seed", "0", "--out", runs_dir, "--json"]
    if precision != "fp32":
        cmd += ["--precision", precision]
    if nproc > 1:
        cmd += ["--nproc-per-node", str(nproc)]
    rc, out, err = run(cmd, a.row_timeout)
    for flag in ("--precision", "--nproc-per-node"):
        if rc == 2 and f"unknown option '{flag}'" in err:
            return None, 0, f"skipped: this CLI has no {flag} yet"
    last, started = None, None
    for line in out.splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get("type") == "progress":
            last = e
        elif e.get("type") == "started":
            started = e
    if rc != 0 or last is None:
        tail = " | ".join((err.strip() or out.strip()).splitlines()[-3:])
        return None, 0, f"engine failed (exit {rc}): {tail[:300]}"
    device = (started or {}).get("device") or (started or {}).get("backendDetail") or ""
    return last["imagesPerSecond"], last["globalStep"], str(device)[:60]


def reference_row(a, key, module_file, steps, precision, nproc):
    _, name, _, gpu_batch, cpu_batch = MODELS[key]
    batch = cpu_batch if a.cpu_dry_run else gpu_batch
    # The engine's step count is global; each reference rank takes as many steps as an engine rank.
    cmd = [sys.executable, os.path.join(ROOT, "bench", "gpu_reference.py"), "--module", module_file, "--model", name,
           "--batch", str(batch), "--steps", str(steps), "--window", str(min(WINDOW, steps)), "--precision", precision,
           "--nproc", str(nproc), "--device", "cpu" if a.cpu_dry_run else "cuda"]
    rc, out, err = run(cmd, a.row_timeout)
    lines = [l for l in out.splitlines() if l.startswith("{")]
    if rc != 0 or not lines:
        tail = " | ".join(err.strip().splitlines()[-3:])
        return None, f"reference failed (exit {rc}): {tail[:300]}"
    return json.loads(lines[-1])["imagesPerSecond"], ""


def datasets(a, tmp):
    """The dataset argument and training-image count of each model."""
    out = {}
    for key, (_, _, shape, gpu_batch, cpu_batch) in MODELS.items():
        if key not in a.models:
            continue
        batch = cpu_batch if a.cpu_dry_run else gpu_batch
        if a.cpu_dry_run and shape[0] == 1:
            out[key] = (synthetic_idx(os.path.join(tmp, "idx"), batch * a.steps, batch), batch * a.steps)
        elif shape[0] == 1:
            out[key] = ("mnist-sample", MNIST_SAMPLE_TRAIN)
        else:
            # Fewer images than steps × batch: several epochs give the steps (validation and checkpoints fall outside the timing).
            train = batch * min(a.steps, 20)
            out[key] = (synthetic_folder(os.path.join(tmp, f"synthetic-{key}"), shape, train, batch), train)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cpu-dry-run", action="store_true", help="tiny runs on the CPU that exercise every path of the script")
    p.add_argument("--models", default=",".join(MODELS), help=f"comma-separated, of {', '.join(MODELS)}")
    p.add_argument("--precisions", default="fp32,bf16")
    p.add_argument("--procs", default="1,all", help="process counts: 1 and/or all (every GPU; 2 CPU processes in the dry run)")
    p.add_argument("--steps", type=int, default=None, help="training steps per row (default 60; dry run 3)")
    p.add_argument("--budget", type=float, default=float(os.environ.get("BENCH_GPU_BUDGET", 420)), help="seconds; later rows are skipped")
    p.add_argument("--gpus", type=int, default=1)
    p.add_argument("--json-out", default=None, help="also write the rows as JSON here")
    a = p.parse_args()
    a.models = [m for m in a.models.split(",") if m in MODELS]
    a.steps = a.steps or (3 if a.cpu_dry_run else WINDOW + 10)
    a.row_timeout = 150 if not a.cpu_dry_run else 120
    everyone = 2 if a.cpu_dry_run else a.gpus
    # "all" on a one-GPU machine stays a row of its own, skipped with a note
    procs = [1 if x == "1" else max(everyone, 2) for x in a.procs.split(",") if x in ("1", "all")]
    started = time.perf_counter()
    tmp = tempfile.mkdtemp(prefix="cnn-studio-gpu-bench-")
    rows = []
    try:
        data = datasets(a, tmp)
        print(f"data ready in {time.perf_counter() - started:.0f} s ({tmp})", flush=True)
        for key in a.models:
            file, name = MODELS[key][0], MODELS[key][1]
            module_file = os.path.join(tmp, f"{key}.py")
            rc, _, err = run([NODE, CLI, "export", file, "--model", name, "--to", "pytorch", "--out", module_file], 120)
            if rc != 0:
                rows.append({"model": key, "note": f"export failed: {err.strip()[:200]}"})
                continue
            for precision in a.precisions.split(","):
                for nproc in procs:
                    row = {"model": key, "precision": precision, "processes": nproc}
                    rows.append(row)
                    if nproc > everyone:
                        row["note"] = "skipped: one GPU (the all-GPU row is the one-GPU row)"
                        continue
                    if time.perf_counter() - started > a.budget:
                        row["note"] = f"skipped: past the {a.budget:.0f} s budget"
                        continue
                    dataset, train = data[key]
                    runs = os.path.join(tmp, "runs")
                    ips, steps, note = engine_row(a, key, dataset, train, precision, nproc, runs)
                    row.update(engine=ips, steps=steps, note=note)
                    if ips is None:
                        continue
                    per_rank_steps = steps  # one global step is one step of every rank
                    ref, ref_note = reference_row(a, key, module_file, per_rank_steps, precision, nproc)
                    row.update(reference=ref, ratio=(ips / ref if ref else None))
                    if ref_note:
                        row["note"] = ref_note
                    shutil.rmtree(runs, ignore_errors=True)
                    print_row(row, flush=True)
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)
    print_table(rows, a, time.perf_counter() - started)
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump({"cpuDryRun": a.cpu_dry_run, "rows": rows}, f, indent=2)
    failed = [r for r in rows if str(r.get("note", "")).startswith(("engine failed", "reference failed", "export failed"))]
    return 1 if failed else 0


def fmt(x):
    return "-" if x is None else f"{x:,.0f}" if x >= 10 else f"{x:.2f}"


def print_row(r, flush=False):
    ratio = "-" if r.get("ratio") is None else f"{r['ratio']:.2f}x"
    print(f"  {r['model']:<12} {r.get('precision', '-'):<5} {r.get('processes', '-'):>3}  engine {fmt(r.get('engine')):>9} img/s"
          f"  pytorch {fmt(r.get('reference')):>9} img/s  ratio {ratio:>6}  {r.get('note', '')}", flush=flush)


def print_table(rows, a, seconds):
    mode = "CPU dry run (figures mean nothing)" if a.cpu_dry_run else f"CUDA, {a.gpus} GPU(s)"
    print(f"\n== PyTorch engine vs plain PyTorch: images/s, last {min(WINDOW, a.steps)} of {a.steps} steps ({mode}; goal ratio >= 0.95) ==")
    print(f"  {'model':<12} {'prec':<5} {'gpus':>3}")
    for r in rows:
        print_row(r)
    print(f"== {sum(1 for r in rows if r.get('ratio') is not None)} rows measured, {sum(1 for r in rows if r.get('ratio') is None)} not, in {seconds:.0f} s ==")


if __name__ == "__main__":
    sys.exit(main())
