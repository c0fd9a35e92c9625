"""The PyTorch training engine's Python side, run with the user's interpreter: `python -I -u trainer.py`.

It imports torch, reports what it found, then reads one job (a JSON file named on standard input),
builds the exported model, and trains exactly as CNN Studio's TensorFlow.js loop does
(src/trainer/train/loop.ts): the same shuffling and augmentation (the counter-based mulberry32
generators of src/trainer/rng.ts, ported), the same normalisation, optimisers (torch.optim),
schedules, metrics, evaluation and checkpoints (written with the exported save_checkpoint()).
Messages to the parent are JSON lines on standard output; the parent writes metrics.jsonl and
log.txt. "stop" on standard input (or its end) stops at the next step with a checkpoint.
Under torchrun, SLURM or CNN Studio's own launcher (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT set) it is one
rank of a data-parallel run: distributed.py, next to this file, has what that and --precision/--channels-last/--compile need.
The build bundles this file as text (src/trainer/engines/torch/script.ts); test/export/pythonSources.test.ts compiles it.
"""

import datetime
import importlib.util
import json
import math
import os
import sys
import threading
import time
import traceback

OUT = sys.stdout


def send(message):
    OUT.write(json.dumps(message, allow_nan=False) + "\n")
    OUT.flush()


def finite(x):
    return x if isinstance(x, (int, float)) and math.isfinite(x) else None


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


try:
    import torch
    import torch.nn.functional as F
except Exception as e:  # noqa: BLE001
    send({"type": "error", "phase": "setup", "message": f"import torch failed: {type(e).__name__}: {e}"})
    sys.exit(3)


def load_sibling(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(os.path.dirname(os.path.abspath(__file__)), file))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---- random numbers: src/trainer/rng.ts --------------------------------------------------------

M32 = 0xFFFFFFFF


def imul(a, b):
    return (a * b) & M32


def mix32(h):
    h ^= h >> 16
    h = imul(h, 0x85EBCA6B)
    h ^= h >> 13
    h = imul(h, 0xC2B2AE35)
    h ^= h >> 16
    return h


def hash_key(parts):
    h = 0x9E3779B9
    for p in parts:
        if isinstance(p, int):
            h = mix32(h ^ (p & M32))
            h = mix32(h ^ ((p // 2 ** 32) & M32))
        else:
            for ch in p:
                h = mix32(h ^ ord(ch))
            h = mix32(h ^ 0xFF)
    return h


class Mulberry32:
    def __init__(self, seed):
        self.s = seed & M32

    def next(self):
        self.s = (self.s + 0x6D2B79F5) & M32
        t = self.s
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296

    def int(self, n):
        return math.floor(self.next() * n)


def rng_for(seed, *key):
    return Mulberry32(hash_key([seed, *key]))


def permutation(n, rng):
    p = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rng.int(i + 1)
        p[i], p[j] = p[j], p[i]
    return p


# ---- schedules: src/trainer/train/schedules.ts ---------------------------------------------------

def schedule(s, base_lr, epochs, steps_per_epoch):
    name = s["name"]
    if name == "none":
        return lambda e, k: (base_lr, None)
    if name == "step":
        return lambda e, k: (base_lr * s["gamma"] ** (e // s["stepSize"]), None)
    if name == "cosine":
        return lambda e, k: (s["minLr"] + (base_lr - s["minLr"]) * (1 + math.cos(math.pi * min(e, epochs) / epochs)) / 2, None)
    if name == "warmup-cosine":
        return warmup_cosine(s, base_lr, epochs * steps_per_epoch, s["warmupEpochs"] * steps_per_epoch)
    total = epochs * steps_per_epoch
    initial = base_lr / s["divFactor"]
    minimum = initial / s["finalDivFactor"]
    phases = [(s["pctStart"] * total - 1, (initial, base_lr), (0.95, 0.85)), (total - 1, (base_lr, minimum), (0.85, 0.95))]

    def cos(start, end, pct):
        return end + (start - end) / 2 * (math.cos(math.pi * pct) + 1)

    def at(e, k):
        start = 0
        for i, (end, lr, m) in enumerate(phases):
            if k <= end or i == len(phases) - 1:
                pct = (k - start) / (end - start)
                return cos(lr[0], lr[1], pct), cos(m[0], m[1], pct)
            start = end
        return minimum, 0.95

    return at


def warmup_cosine(s, base_lr, total, warmup):
    """SequentialLR(LinearLR(start_factor=warmupStart, total_iters=warmup), CosineAnnealingLR(T_max=total - warmup, eta_min=minLr)), per step."""
    span = max(1, total - warmup)

    def at(e, k):
        if k < warmup:
            return base_lr * (s["warmupStart"] + (1 - s["warmupStart"]) * k / warmup), None
        t = min(k - warmup, span)
        return s["minLr"] + (base_lr - s["minLr"]) * (1 + math.cos(math.pi * t / span)) / 2, None

    return at


# ---- what transformers need: src/trainer/train/{optimizers,loss}.ts ------------------------------

def no_decay(model):
    """--exclude-from-decay's rule (optimizers.ts excludedFromDecay): fewer than 2 dimensions, an Embedding's weight,
    or an own name ending in 'token' or containing 'pos_embed' or 'position_bias'."""
    embeddings = {f"{m}.weight" if m else "weight" for m, mod in model.named_modules() if isinstance(mod, torch.nn.Embedding)}
    spared = set()
    for name, p in model.named_parameters():
        own = name.rsplit(".", 1)[-1]
        if p.ndim < 2 or name in embeddings or own.endswith("token") or "pos_embed" in own or "position_bias" in own:
            spared.add(name)
    return spared


def param_groups(model, params, o):
    """One group (PyTorch's default: decay everywhere), or timm's two: the second without weight decay."""
    if not o.get("excludeFromDecay", False):
        return params
    spared = {id(p) for n, p in model.named_parameters() if n in no_decay(model)}
    groups = [{"params": [p for p in params if id(p) not in spared]},
              {"params": [p for p in params if id(p) in spared], "weight_decay": 0.0}]
    return [g for g in groups if g["params"]]


def training_loss(logits, y, label_smoothing):
    """nn.CrossEntropyLoss(label_smoothing=...) (plain cross-entropy at 0)."""
    if label_smoothing > 0:
        return F.cross_entropy(logits, y, label_smoothing=label_smoothing)
    return F.cross_entropy(logits, y)


def clip_gradients(params, max_norm):
    """torch.nn.utils.clip_grad_norm_ (norm_type 2) when max_norm is above 0."""
    if max_norm > 0:
        torch.nn.utils.clip_grad_norm_(params, max_norm)


# ---- transfer learning: transfer.py, written next to this file --------------------------------------

def load_transfer():
    return load_sibling("cnn_studio_transfer", "transfer.py")


def prepare_transfer(model, job, t, module):
    """--weights (not on resume: the checkpoint has the weights) and --freeze; (report or None, lr-for group of each parameter)."""
    try:
        weights = transfer_of(job).get("weights")
        report = t.load_weights(model, weights, module) if weights and not job.get("resume") else None
        frozen, eval_norms, group_of = t.plan_transfer(model, transfer_of(job), job["model"])
        t.freeze(model, frozen, eval_norms)
    except t.TransferError as e:
        send({"type": "error", "phase": "model", "message": str(e)})
        sys.exit(1)
    return report, group_of, t.describe_plan(model, frozen, eval_norms, group_of, transfer_of(job).get("lrFor", []))


def transfer_of(job):
    return job["config"].get("transfer") or {}


# ---- the job -------------------------------------------------------------------------------------

stop = threading.Event()


def control():
    for line in sys.stdin:
        if line.strip() == "stop":
            stop.set()
    if not job_from_env:
        stop.set()  # the parent is gone


def load_job():
    with open(json.loads(job_line)["job"], encoding="utf-8") as f:
        return json.load(f)


def read_split(s, channels, height, width):
    with open(s["images"], "rb") as f:
        images = torch.frombuffer(bytearray(f.read()), dtype=torch.uint8).view(s["count"], channels, height, width)
    with open(s["labels"], "rb") as f:
        labels = torch.frombuffer(bytearray(f.read()), dtype=torch.int32).long()
    return images, labels


def rank_counts(logits, labels, k):
    """Top-1 and top-k hits, ties going to the lower index (src/trainer/train/loss.ts countCorrect)."""
    target = logits.gather(1, labels[:, None])
    index = torch.arange(logits.shape[1], device=logits.device)[None, :]
    higher = (logits > target) | ((logits == target) & (index < labels[:, None])) | torch.isnan(logits)
    rank = higher.sum(1)
    return int((rank == 0).sum()), int((rank < k).sum())


def logits_of(output):
    """The class scores of a forward's output: a dict's "out" (torchvision's segmentation models), else a list's or
    tuple's first element (Inception's auxiliary logits come second), else the tensor itself."""
    if isinstance(output, dict):
        return output["out"]
    if isinstance(output, (list, tuple)):
        return output[0]
    return output


def main():
    job = load_job()
    config = job["config"]
    problem = ddp.gpu_problem(config, device)
    if problem:
        send({"type": "error", "phase": "config", "message": problem})
        sys.exit(1)
    ddp.init(world, device)
    spec = importlib.util.spec_from_file_location("cnn_studio_model", job["code"])
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        torch.manual_seed(config["seed"])
        model = module.MODELS[job["model"]]()
    except Exception:  # noqa: BLE001
        send({"type": "error", "phase": "model", "message": "building the exported model failed:\n" + traceback.format_exc(limit=5)})
        sys.exit(1)
    transfer = load_transfer()
    weights_report, group_of, plan_lines = prepare_transfer(model, job, transfer, module)
    lr_for = transfer_of(job).get("lrFor", [])
    model.to(device)
    channels_last = ddp.channels_last(config, device)
    if channels_last:
        model.to(memory_format=torch.channels_last)
    precision = ddp.Precision(config.get("precision", "fp32"), device)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True

    d = job["data"]
    C, H, W = d["channels"], d["height"], d["width"]
    train_x, train_y = read_split(d["train"], C, H, W)
    val_x, val_y = read_split(d["validation"], C, H, W)
    seg = load_sibling("cnn_studio_segmentation", "segmentation.py") if d.get("segmentation") else None
    if seg is not None:  # masks replace the labels (segmentation.py)
        train_y, val_y = seg.read_masks(d["train"], H, W), seg.read_masks(d["validation"], H, W)
    on_device = device.type != "cuda" or train_x.numel() + val_x.numel() < 4 * 1024 ** 3
    if on_device:
        train_x, train_y, val_x, val_y = (t.to(device) for t in (train_x, train_y, val_x, val_y))
    norm = job["normalization"]
    table = torch.tensor([[(v / 255 - m) / s for v in range(256)] for m, s in zip(norm["mean"], norm["std"])], dtype=torch.float64)
    table = table.to(torch.float32).to(device)
    channel = torch.arange(C, device=device)[None, :, None, None]

    def normalise(images):
        images = images.to(device, non_blocking=True).long()
        x = table[channel, images]
        return x.contiguous(memory_format=torch.channels_last) if channels_last else x

    params = [p for p in model.parameters() if p.requires_grad]
    names = {id(p): n for n, p in model.named_parameters()}
    o = config["optimizer"]
    groups = transfer.lr_groups(param_groups(model, params, o), model, group_of, lr_for)
    if o["name"] == "sgd":
        optimizer = torch.optim.SGD(groups, lr=o["lr"], momentum=o["momentum"], dampening=o["dampening"],
                                    weight_decay=o["weightDecay"], nesterov=o["nesterov"])
    elif o["name"] == "adam":
        optimizer = torch.optim.Adam(groups, lr=o["lr"], betas=tuple(o["betas"]), eps=o["eps"], weight_decay=o["weightDecay"])
    else:
        optimizer = torch.optim.AdamW(groups, lr=o["lr"], betas=tuple(o["betas"]), eps=o["eps"], weight_decay=o["weightDecay"])
    group = optimizer.param_groups[0]
    epochs, batch = config["epochs"], config["batchSize"]
    train_count = d["train"]["count"]
    steps_per_epoch = math.ceil(ddp.shard_length(train_count, world) / batch)
    global_batch = batch * world.size
    lr_at = schedule(config["schedule"], o["lr"], epochs, steps_per_epoch)
    group_lr_at = [schedule(config["schedule"], g["lr"], epochs, steps_per_epoch) for g in lr_for]
    classes = d["classes"]
    many = classes > 10
    position = {"epoch": 0, "step": 0, "globalStep": 0, "lossSum": 0, "correct": 0, "correctTop5": 0, "seen": 0,
                "metricsLines": job["metricsLines"], "seconds": 0}
    rng_scheme = "counter-based mulberry32: shuffle = hash(seed, 'shuffle', epoch), augment = hash(seed, 'augment', globalStep)"

    def set_hyper(lr, momentum):
        for g in optimizer.param_groups:
            g["lr"] = lr
            if momentum is not None:
                if o["name"] == "sgd":
                    g["momentum"] = momentum
                else:
                    g["betas"] = (momentum, g["betas"][1])

    def momentum_now():
        return group["momentum"] if o["name"] == "sgd" else group["betas"][0]

    # ---- resume ----
    resume = job.get("resume")
    if resume:
        index = module.load_checkpoint(model, resume)
        by_name = {n: p for n, p in model.named_parameters()}
        scalars = index["optimizer"]["scalars"]
        for key, value in module.load_optimizer_state(resume).items():
            pname, slot = key.rsplit(".", 1)
            p = by_name.get(pname)
            if p is None:
                raise ValueError(f"{resume}: optimizer state {key} belongs to no parameter of the model")
            state = optimizer.state[p]
            state[slot] = value.clone().to(device)
            if o["name"] != "sgd":
                state["step"] = torch.tensor(float(scalars.get("step", 0)))
        set_hyper(scalars.get("lr", o["lr"]), scalars.get("momentum", scalars.get("beta1")) if config["schedule"]["name"] == "onecycle" else None)
        position.update(index["position"])
        position["metricsLines"] = job["metricsLines"]

    def checkpoint(reason, validation=None):
        if not world.primary:
            return None  # rank 0 alone writes the run folder
        extra = []
        for p in params:
            for slot, v in optimizer.state.get(p, {}).items():
                if slot in ("exp_avg", "exp_avg_sq", "momentum_buffer") and torch.is_tensor(v):
                    extra.append((f"optimizer.{names[id(p)]}.{slot}", "optimizer", v))
        if o["name"] == "sgd":
            scalars = {"lr": group["lr"], "momentum": group["momentum"]}
        else:
            steps = [float(s["step"]) for s in optimizer.state.values() if "step" in s]
            scalars = {"lr": group["lr"], "beta1": group["betas"][0], "step": int(max(steps)) if steps else 0}
        clean = {k: (v if not isinstance(v, float) or math.isfinite(v) else None) for k, v in position.items()}
        path = module.save_checkpoint(model, job["checkpoints"], name=job["model"], epoch=position["epoch"], step=position["step"],
                                      reason=reason, position=clean, extra=extra,
                                      optimizer={"name": o["name"], "scalars": scalars},
                                      rng={"seed": config["seed"], "scheme": rng_scheme},
                                      **({"validation": validation} if validation else {}))
        send({"type": "checkpoint", "path": path, "epoch": position["epoch"], "step": position["step"],
              "globalStep": position["globalStep"], "reason": reason})
        return path

    def evaluate(x_all, y_all):
        if seg is not None:
            return seg.evaluate(model, normalise, logits_of, x_all, y_all, min(256, max(batch, 1)), classes, device)
        model.eval()
        n_all = y_all.shape[0]
        size = min(256, max(batch, 1))
        loss_sum, top1, top5 = 0.0, 0, 0
        first, last = ddp.validation_range(n_all, world)
        with torch.no_grad():
            for start in range(first, last, size):
                end = min(start + size, last)
                x = normalise(x_all[start:end])
                y = y_all[start:end].to(device)
                with precision.autocast():
                    logits = logits_of(model(x))
                logits = logits.float()
                z = logits.double()
                loss_sum += float((torch.logsumexp(z, 1) - z.gather(1, y[:, None])[:, 0]).sum())
                a, b = rank_counts(logits, y, 5)
                top1 += a
                top5 += b
        model.train()
        loss_sum, top1, top5 = ddp.sum_over_ranks([loss_sum, top1, top5], world, device)
        return loss_sum / n_all, top1 / n_all, top5 / n_all

    def agreed_stop(asked):
        """Every rank stops at the same step: the ranks' stop requests, summed (one process: its own)."""
        return ddp.sum_over_ranks([1.0 if asked else 0.0], world, device)[0] > 0 if world.distributed else asked

    net = ddp.compiled(ddp.wrap(model, world, device), config)

    send({"type": "ready", "params": sum(p.numel() for p in model.parameters()), "stepsPerEpoch": steps_per_epoch,
          "onDevice": on_device, "position": position, **({"weights": weights_report} if weights_report is not None else {}),
          **({"transfer": plan_lines} if plan_lines else {})})

    aug = config["augment"]
    P, flip = aug["cropPadding"], aug["flip"]
    seconds_before = position["seconds"]
    started = time.perf_counter()
    step_times, last_eval, last_epoch = [], -1.0, None
    model.train()
    epoch, first_step = position["epoch"], position["step"]
    if epoch == 0 or first_step >= steps_per_epoch:
        epoch, first_step = epoch + 1, 0
    while epoch <= epochs:
        order = ddp.shard(torch.tensor(permutation(train_count, rng_for(config["seed"], "shuffle", epoch)), dtype=torch.long), world)
        if on_device:
            order = order.to(device)
        if first_step == 0:
            position.update(epoch=epoch, step=0, lossSum=0, correct=0, correctTop5=0, seen=0)
        epoch_start = time.perf_counter()
        for s in range(first_step, steps_per_epoch):
            t0 = time.perf_counter()
            idx = order[s * batch:(s + 1) * batch]
            n = idx.shape[0]
            step0 = position["globalStep"]
            lr, momentum = lr_at(epoch - 1, step0)
            set_hyper(lr, momentum)
            transfer.set_group_lrs(optimizer, group_lr_at, epoch - 1, step0)
            images = train_x[idx]
            y = train_y[idx]
            if P > 0 or flip:
                rng = rng_for(config["seed"], "augment", step0 + 1, *([world.rank] if world.distributed else []))
                draws = []
                for _ in range(n):
                    dy = rng.int(2 * P + 1) - P if P > 0 else 0
                    dx = rng.int(2 * P + 1) - P if P > 0 else 0
                    draws.append((dy + P, dx + P, 1 if flip and rng.next() < 0.5 else 0))
                dev = images.device
                t = torch.tensor(draws, device=dev)
                ar_h, ar_w = torch.arange(H, device=dev), torch.arange(W, device=dev)
                rows = ar_h[None, :] + t[:, 0:1]
                cols = torch.where(t[:, 2:3] == 1, W - 1 - ar_w[None, :], ar_w[None, :]) + t[:, 1:2]
                padded = F.pad(images, (P, P, P, P)) if P > 0 else images
                images = padded[torch.arange(n, device=dev)[:, None, None, None], torch.arange(C, device=dev)[None, :, None, None],
                                rows[:, None, :, None], cols[:, None, None, :]]
                if seg is not None:
                    y = seg.augment_masks(y, rows, cols, P)
            x = normalise(images)
            y = y.to(device, non_blocking=True)
            with precision.autocast():
                output = net(x)
                logits = logits_of(output)
                loss_t = seg.training_loss(output, y) if seg is not None else training_loss(logits, y, config.get("labelSmoothing", 0))
            optimizer.zero_grad(set_to_none=True)
            precision.backward(loss_t)
            if o.get("clipGradNorm", 0) > 0:
                precision.unscale(optimizer)
            clip_gradients(params, o.get("clipGradNorm", 0))
            precision.step(optimizer)
            loss = float(loss_t)
            if seg is not None:  # pixel accuracy, as images' worth (fractional)
                top1, top5 = seg.pixel_counts(logits.detach().float(), y, classes)
            else:
                top1, top5 = rank_counts(logits.detach().float(), y, 5)
            stopping = stop.is_set()
            if world.distributed:  # the global batch's sums, and whether any rank was asked to stop
                loss_n, top1, top5, n, asked = ddp.sum_over_ranks([loss * n, top1, top5, n, 1.0 if stopping else 0.0], world, device)
                loss, n, stopping = loss_n / n, int(n), asked > 0
                if seg is None:
                    top1, top5 = int(top1), int(top5)
            position["step"] = s + 1
            position["globalStep"] += 1
            position["lossSum"] += loss * n
            position["correct"] += top1
            position["correctTop5"] += top5
            position["seen"] += n
            ddp.fault_injection(world, position["globalStep"])
            dt = time.perf_counter() - t0
            step_times.append(dt / n)
            if len(step_times) > 50:
                step_times.pop(0)
            per_image = sum(step_times) / len(step_times)
            images_left = (epochs - epoch) * train_count + max(0, train_count - position["step"] * global_batch)
            eval_seconds = last_eval if last_eval >= 0 else d["validation"]["count"] * per_image / 3
            message = {"type": "step", "epoch": epoch, "step": position["step"], "globalStep": position["globalStep"],
                       "loss": finite(loss), "accuracy": top1 / n, "lr": lr}
            if momentum is not None:
                message["momentum"] = momentum
            message.update(imagesPerSecond=1 / per_image if per_image > 0 else 0,
                           etaSeconds=max(0.0, images_left * per_image + (epochs - epoch + 1) * eval_seconds), time=now())
            memory = ddp.gpu_memory(device)
            if memory:
                message["gpuMemory"] = memory
            if world.primary:
                send(message)
            position["metricsLines"] += 1
            if stopping and position["step"] < steps_per_epoch:
                position["seconds"] = seconds_before + time.perf_counter() - started
                path = checkpoint("stop")
                send({"type": "done", "kind": "stopped", "epoch": position["epoch"], "step": position["step"],
                      "globalStep": position["globalStep"], "checkpoint": path})
                return
        first_step = 0
        t_eval = time.perf_counter()
        val_loss, val_acc, val_top5 = evaluate(val_x, val_y)  # segmentation: the third is the mean IoU
        last_eval = time.perf_counter() - t_eval
        seen = max(position["seen"], 1)
        last_epoch = {"type": "epoch", "epoch": epoch, "epochs": epochs, "trainLoss": finite(position["lossSum"] / seen),
                      "trainAccuracy": position["correct"] / seen, "valLoss": finite(val_loss), "valAccuracy": val_acc,
                      "trainTop5": position["correctTop5"] / seen if many and seg is None else None,
                      "valTop5": val_top5 if many and seg is None else None,
                      **({"valMiou": val_top5} if seg is not None else {}),
                      "lr": lr_at(epoch - 1, max(0, position["globalStep"] - 1))[0],
                      "seconds": time.perf_counter() - epoch_start, "time": now()}
        memory = ddp.gpu_memory(device)
        if world.primary:
            send({**last_epoch, **({"gpuMemory": memory} if memory else {})})
        position["metricsLines"] += 1
        position["seconds"] = seconds_before + time.perf_counter() - started
        path = checkpoint("epoch", {"loss": finite(val_loss), "accuracy": val_acc})
        if agreed_stop(stop.is_set()) and epoch < epochs:
            send({"type": "done", "kind": "stopped", "epoch": position["epoch"], "step": position["step"],
                  "globalStep": position["globalStep"], "checkpoint": path})
            return
        epoch += 1
    final = None
    if last_epoch is not None:
        final = {k: last_epoch[k] for k in ("epoch", "trainLoss", "trainAccuracy", "valLoss", "valAccuracy", "valTop5")}
    send({"type": "done", "kind": "completed", "final": final, "seconds": seconds_before + time.perf_counter() - started})


# ---- the run: only when run as a program (the tests import this file for its functions) ----------

if __name__ == "__main__":
    ddp = load_sibling("cnn_studio_distributed", "distributed.py")
    world = ddp.world_from_env()
    cuda_error = None
    try:
        cuda = torch.cuda.is_available()
    except Exception as e:  # noqa: BLE001
        cuda, cuda_error = False, str(e)
    forced = os.environ.get("CNN_STUDIO_TORCH_DEVICE")
    device = ddp.device_for(world, cuda, forced)
    hello = {"type": "hello", "torch": torch.__version__, "python": sys.version.split()[0], "cuda": cuda,
             "cudaVersion": torch.version.cuda, "device": str(device),
             "deviceName": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
             "cudaError": cuda_error, "threads": torch.get_num_threads()}
    if world.distributed:
        hello.update(rank=world.rank, worldSize=world.size)
    if device.type == "cuda":
        hello["gpus"] = ddp.gpu_names()
    send(hello)

    # the job file: named by the first line of standard input, or (under torchrun or srun, whose ranks may have no input)
    # by $CNN_STUDIO_JOB, when the end of standard input does not mean "stop"
    job_from_env = os.environ.get("CNN_STUDIO_JOB")
    job_line = json.dumps({"job": job_from_env}) if job_from_env else sys.stdin.readline()
    if not job_line.strip():
        sys.exit(0)
    threading.Thread(target=control, daemon=True).start()

    try:
        main()
        ddp.finish(world)
    except Exception as e:  # noqa: BLE001
        text = traceback.format_exc(limit=8)
        hint = ""
        if "out of memory" in str(e).lower():
            hint = " (reduce the batch size)"
        send({"type": "error", "phase": "training", "message": f"{type(e).__name__}: {e}{hint}", "traceback": text})
        sys.exit(1)
