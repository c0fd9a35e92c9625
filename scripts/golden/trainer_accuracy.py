"""PyTorch's held-out accuracy for test/trainer/accuracy.test.ts: LeNet-5 (examples/lenet5.ts
lenet5Mnist) trained on the bundled mnist-sample (dist/data/mnist-sample.bin; run npm run build
first) by bench/torch_train.py with the test's recipe, for a few seeds.

Run with Debian's torch: /usr/bin/python3 scripts/golden/trainer_accuracy.py
Writes test/golden/trainer-optim/accuracy.json.
"""
import json, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "golden", "trainer-optim", "accuracy.json")
RECIPE = {"model": "lenet5Mnist", "epochs": 4, "batchSize": 32, "optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True, "schedule": "onecycle"}
SEEDS = [0, 1, 2]

results = []
for seed in SEEDS:
    args = [sys.executable, os.path.join(ROOT, "bench", "torch_train.py"), "train", "--model", RECIPE["model"], "--epochs", str(RECIPE["epochs"]),
            "--batch-size", str(RECIPE["batchSize"]), "--optimizer", RECIPE["optimizer"], "--lr", str(RECIPE["lr"]), "--momentum", str(RECIPE["momentum"]),
            "--nesterov", "--schedule", RECIPE["schedule"], "--seed", str(seed), "--threads", "1"]
    last = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    results.append({"seed": seed, "valAccuracy": last["final"]["valAccuracy"], "valLoss": last["final"]["valLoss"]})
    print(results[-1], flush=True)

mean = sum(r["valAccuracy"] for r in results) / len(results)
doc = {"generator": "scripts/golden/trainer_accuracy.py", "dataset": "mnist-sample", "recipe": RECIPE, "runs": results, "meanValAccuracy": mean}
with open(OUT, "w") as f:
    json.dump(doc, f, indent=1)
print(f"wrote {OUT}: mean {mean:.4f}")
