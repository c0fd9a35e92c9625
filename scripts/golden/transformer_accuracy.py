#!/usr/bin/python3
"""PyTorch's held-out accuracy for the MNIST transformers: examples/vit-mnist.ts `vitMnist` and
examples/convnext-mnist.ts `convnextMnist` (their PyTorch twins are in scripts/golden/modern.py:
torchvision's VisionTransformer and ConvNeXt with a one-channel stem), trained on the bundled
mnist-sample (dist/data/mnist-sample.bin; run `node scripts/build.mjs` first) by
bench/torch_train.py's training loop with the recipe below, for a few seeds. A CNN Studio run of
the same recipe should land within 1.5 points of the mean.

Run with Debian's torch:

    /usr/bin/python3 scripts/golden/transformer_accuracy.py [vitMnist|convnextMnist ...]

Writes test/golden/trainer-optim/transformerAccuracy.json (the models not named keep their entry).
"""
import argparse
import contextlib
import importlib.util
import io
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "golden", "trainer-optim", "transformerAccuracy.json")

# One-cycle AdamW on the 8,000 training digits (as LeNet-5's reference), short enough for the
# default test run: each training takes about two minutes of one core in TensorFlow.js's wasm backend.
RECIPES = {
    "vitMnist": {"model": "vitMnist", "epochs": 4, "batchSize": 64, "optimizer": "adamw", "lr": 2e-3,
                 "weightDecay": 0.05, "schedule": "onecycle"},
    "convnextMnist": {"model": "convnextMnist", "epochs": 4, "batchSize": 64, "optimizer": "adamw", "lr": 4e-3,
                      "weightDecay": 0.05, "schedule": "onecycle"},
}
SEEDS = [0, 1, 2]


def load(name: str, path: str):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(torch_train, recipe, seed: int):
    args = argparse.Namespace(
        model=recipe["model"], data=os.path.join(ROOT, "dist", "data", "mnist-sample.bin"), epochs=recipe["epochs"],
        batch_size=recipe["batchSize"], optimizer=recipe["optimizer"], lr=recipe["lr"], momentum=0.0, nesterov=False,
        weight_decay=recipe["weightDecay"], schedule=recipe["schedule"], step_size=1, gamma=0.1, seed=seed)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        torch_train.train(args)
    lines = [json.loads(line) for line in out.getvalue().strip().splitlines()]
    last = lines[-1]
    return {"seed": seed, "valAccuracy": last["final"]["valAccuracy"], "valLoss": last["final"]["valLoss"],
            "curve": [line["valAccuracy"] for line in lines[:-1]], "seconds": round(last["seconds"], 1),
            "cpuSeconds": round(last["cpuSeconds"], 1)}


def train_one(name: str, seed: int):
    """One training run in this process (single-threaded, like the LeNet-5 reference)."""
    torch.set_num_threads(1)
    modern = load("modern", os.path.join(ROOT, "scripts", "golden", "modern.py"))
    torch_train = load("torch_train", os.path.join(ROOT, "bench", "torch_train.py"))
    torch_train.MODELS.update({"vitMnist": modern.vit_mnist, "convnextMnist": modern.convnext_mnist})
    return run(torch_train, RECIPES[name], seed)


def main() -> int:
    names = sys.argv[1:] or list(RECIPES)
    doc = {"generator": "scripts/golden/transformer_accuracy.py", "dataset": "mnist-sample", "models": {}}
    if os.path.exists(OUT):
        with open(OUT) as f:
            doc = json.load(f)
    # every (model, seed) run is independent: run them side by side, one thread each, and write the
    # file after each run (a model's mean is written once all its seeds are in)
    for name in names:
        doc["models"][name] = {"recipe": RECIPES[name], "runs": [], "meanValAccuracy": None}
    with ProcessPoolExecutor(max_workers=len(names) * len(SEEDS)) as pool:
        futures = {pool.submit(train_one, name, seed): name for name in names for seed in SEEDS}
        for future in as_completed(futures):
            name = futures[future]
            entry = doc["models"][name]
            entry["runs"] = sorted(entry["runs"] + [future.result()], key=lambda r: r["seed"])
            print(name, entry["runs"], flush=True)
            if len(entry["runs"]) == len(SEEDS):
                entry["meanValAccuracy"] = sum(r["valAccuracy"] for r in entry["runs"]) / len(SEEDS)
                print(f"{name}: mean {entry['meanValAccuracy']:.4f}", flush=True)
            with open(OUT, "w") as f:
                json.dump(doc, f, indent=1)
                f.write("\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
