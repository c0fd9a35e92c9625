"""PyTorch counterpart of the CNN Studio trainer, for the accuracy and throughput comparisons.

Reads the same bundled dataset (dist/data/mnist-sample.bin, see scripts/build-mnist-sample.mjs),
normalises with the training split's mean/std like src/trainer/data, and trains the same models
(examples/lenet5.ts lenet5Mnist, examples/mnist-cnn.ts ourCnn, examples/mnist-resnet.ts
mnistResNet, examples/simple-cnn.ts simpleCnn, and the transformers examples/vit-mnist.ts vitMnist
and examples/convnext-mnist.ts convnextMnist) with the same optimiser, schedule, epochs and
batch size. Run with Debian's torch: /usr/bin/python3 bench/torch_train.py --help

Modes:
  train       train and evaluate; prints one JSON line per epoch and a final summary line
  throughput  images/s of training steps at a batch size (synthetic-free: real digits, or random
              3x32x32 inputs for simpleCnn, which is a CIFAR model)
"""
import argparse, gzip, json, math, os, struct, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_mnist_sample(path):
    raw = gzip.open(path, "rb").read()
    if raw[:8] != b"CNNSMNS1":
        raise SystemExit(f"{path}: not a CNN Studio mnist-sample file (magic {raw[:8]!r})")
    count, train, rows, cols, classes = struct.unpack_from("<5I", raw, 8)
    off = 8 + 20
    labels = torch.tensor(list(raw[off:off + count]), dtype=torch.long)
    off += count
    pixels = torch.frombuffer(bytearray(raw[off:off + count * rows * cols]), dtype=torch.uint8)
    images = pixels.reshape(count, 1, rows, cols).float() / 255.0
    return images[:train], labels[:train], images[train:], labels[train:]


class LeNet5(nn.Module):
    def __init__(self, input_size=28, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
            nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2))
        s = ((input_size - 4) // 2 - 4) // 2
        self.classifier = nn.Sequential(
            nn.Linear(16 * s * s, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class OurCNN(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1); self.relu1 = nn.ReLU(); self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1); self.relu2 = nn.ReLU(); self.pool2 = nn.MaxPool2d(2)
        self.flatten = nn.Flatten(); self.fc1 = nn.Linear(32 * 7 * 7, 128); self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x):
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        return self.fc2(self.relu3(self.fc1(self.flatten(x))))


class ResidualBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False); self.bn1 = nn.BatchNorm2d(c)
        self.relu = nn.ReLU(inplace=True); self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)

    def forward(self, x):
        out = self.conv2(self.relu(self.bn1(self.conv1(x))))
        return self.relu(torch.add(out, x))


class SimpleResNet(nn.Module):
    def __init__(self, channels=32, num_blocks=3, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, 3, padding=1, bias=False); self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU(inplace=True)
        self.blocks = nn.Sequential(*[ResidualBlock(channels) for _ in range(num_blocks)])
        self.avgpool = nn.AdaptiveAvgPool2d(1); self.fc = nn.Linear(channels, num_classes)

    def forward(self, x):
        x = self.blocks(self.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class SimpleCNN(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.classifier = nn.Linear(128, num_classes)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


# The MNIST transformers (examples/vit-mnist.ts vitMnist, examples/convnext-mnist.ts convnextMnist):
# torchvision's classes with a one-channel stem, so module paths and state_dict names are
# torchvision's, and the initial values the examples write. The same twins as
# scripts/golden/generate.py's vit_mnist and convnext_mnist (keep them equal).


def vit_mnist():
    """ViT on 28x28 digits: 7x7 patches (16 tokens + class token), width 64, 4 layers of 4 heads, MLP 128."""
    from torchvision.models.vision_transformer import VisionTransformer
    model = VisionTransformer(image_size=28, patch_size=7, num_layers=4, num_heads=4, hidden_dim=64, mlp_dim=128,
                              num_classes=10)
    model.conv_proj = nn.Conv2d(1, 64, kernel_size=7, stride=7)
    nn.init.trunc_normal_(model.conv_proj.weight, std=(1 / (1 * 7 * 7)) ** 0.5)
    nn.init.zeros_(model.conv_proj.bias)
    for block in model.encoder.layers:
        for m in block.mlp:
            if isinstance(m, nn.Linear):
                m.reset_parameters()
    model.heads.head.reset_parameters()
    return model


def convnext_mnist():
    """ConvNeXt on 28x28 digits: 4x4 stride-4 stem to 32 channels, stages 32 and 64 wide of 2 blocks each."""
    from torchvision.models.convnext import CNBlockConfig, ConvNeXt
    model = ConvNeXt([CNBlockConfig(32, 64, 2), CNBlockConfig(64, None, 2)], stochastic_depth_prob=0.0, num_classes=10)
    model.features[0][0] = nn.Conv2d(1, 32, kernel_size=4, stride=4)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            m.reset_parameters()
    return model


MODELS = {"lenet5Mnist": lambda: LeNet5(28, 10), "ourCnn": OurCNN, "mnistResNet": SimpleResNet, "simpleCnn": SimpleCNN,
          "vitMnist": vit_mnist, "convnextMnist": convnext_mnist}


def make_optimizer(name, params, lr, momentum, weight_decay, nesterov):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=0.01 if weight_decay is None else weight_decay)
    raise SystemExit(f"unknown optimizer {name}")


def make_schedule(name, opt, epochs, steps_per_epoch, lr, step_size, gamma):
    """(scheduler, per_step): step and cosine are stepped once per epoch, one-cycle once per batch."""
    if name == "none":
        return None, False
    if name == "step":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=step_size, gamma=gamma), False
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs), False
    if name == "onecycle":
        return torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps_per_epoch), True
    raise SystemExit(f"unknown schedule {name}")


def evaluate(model, x, y, batch=500):
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out = model(x[i:i + batch])
            loss_sum += F.cross_entropy(out, y[i:i + batch], reduction="sum").item()
            correct += (out.argmax(1) == y[i:i + batch]).sum().item()
    return loss_sum / len(x), correct / len(x)


def train(args):
    torch.manual_seed(args.seed)
    xtr, ytr, xte, yte = load_mnist_sample(args.data)
    mean, std = xtr.mean().item(), xtr.std(unbiased=False).item()
    xtr, xte = (xtr - mean) / std, (xte - mean) / std
    model = MODELS[args.model]()
    wd = args.weight_decay if args.weight_decay is not None else (0.01 if args.optimizer == "adamw" else 0.0)
    opt = make_optimizer(args.optimizer, model.parameters(), args.lr, args.momentum, wd, args.nesterov)
    n = len(xtr)
    steps = math.ceil(n / args.batch_size)
    sched, per_step = make_schedule(args.schedule, opt, args.epochs, steps, args.lr, args.step_size, args.gamma)
    g = torch.Generator().manual_seed(args.seed)
    history = []
    t0, c0 = time.perf_counter(), time.process_time()
    for epoch in range(1, args.epochs + 1):
        e0, ec0 = time.perf_counter(), time.process_time()
        model.train()
        perm = torch.randperm(n, generator=g)
        loss_sum, correct = 0.0, 0
        for s in range(steps):
            idx = perm[s * args.batch_size:(s + 1) * args.batch_size]
            out = model(xtr[idx])
            loss = F.cross_entropy(out, ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            if sched is not None and per_step:
                sched.step()
            loss_sum += loss.item() * len(idx)
            correct += (out.argmax(1) == ytr[idx]).sum().item()
        if sched is not None and not per_step:
            sched.step()
        vl, va = evaluate(model, xte, yte)
        # wall and CPU seconds of the epoch (training and validation); on a busy machine the CPU time
        # is the closer figure to an idle core's wall time
        rec = {"epoch": epoch, "trainLoss": loss_sum / n, "trainAccuracy": correct / n, "valLoss": vl, "valAccuracy": va,
               "seconds": time.perf_counter() - e0, "cpuSeconds": time.process_time() - ec0}
        history.append(rec)
        print(json.dumps(rec), flush=True)
    print(json.dumps({"model": args.model, "seed": args.seed, "final": history[-1], "seconds": time.perf_counter() - t0,
                      "cpuSeconds": time.process_time() - c0}), flush=True)


def throughput(args):
    torch.manual_seed(args.seed)
    model = MODELS[args.model]()
    if args.model == "simpleCnn":
        x = torch.randn(args.batch_size * 8, 3, 32, 32); y = torch.randint(0, 10, (len(x),))
    else:
        xtr, ytr, _, _ = load_mnist_sample(args.data)
        x, y = xtr[: args.batch_size * 8], ytr[: args.batch_size * 8]
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model.train()

    def step(i):
        j = (i % 8) * args.batch_size
        loss = F.cross_entropy(model(x[j:j + args.batch_size]), y[j:j + args.batch_size])
        opt.zero_grad(); loss.backward(); opt.step()

    for i in range(args.warmup):
        step(i)
    t0 = time.perf_counter(); i = 0
    while True:
        step(i); i += 1
        if i >= args.steps and time.perf_counter() - t0 > args.min_seconds:
            break
    dt = time.perf_counter() - t0
    print(json.dumps({"model": args.model, "batchSize": args.batch_size, "steps": i, "imagesPerSecond": i * args.batch_size / dt,
                      "threads": torch.get_num_threads()}), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["train", "throughput"])
    p.add_argument("--model", default="lenet5Mnist", choices=sorted(MODELS))
    p.add_argument("--data", default=os.path.join(ROOT, "dist/data/mnist-sample.bin"))
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--optimizer", default="adam", choices=["sgd", "adam", "adamw"])
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--momentum", type=float, default=0.0)
    p.add_argument("--nesterov", action="store_true")
    p.add_argument("--weight-decay", type=float, default=None)
    p.add_argument("--schedule", default="none", choices=["none", "step", "cosine", "onecycle"])
    p.add_argument("--step-size", type=int, default=1)
    p.add_argument("--gamma", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--min-seconds", type=float, default=2.0)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    (train if args.mode == "train" else throughput)(args)


if __name__ == "__main__":
    main()
