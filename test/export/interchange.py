"""Checkpoint interchange between CNN Studio's TensorFlow.js engine and exported PyTorch code.

Reads one JSON document on standard input, a list of jobs:
    {"code": exported .py, "model": name, "inputs": [[float32 .bin, shape], ...],
     "checkpoint": .json index written by the TensorFlow.js engine, "expected": float32 .bin of its
     evaluation output, "outDir": folder for the reverse direction, "seed": int}
For each job: builds the model, loads the TensorFlow.js checkpoint with the exported
load_checkpoint(), runs the input in eval() mode and reports the largest difference to the
expected output; then builds a fresh model (PyTorch's own initialisation, seeded, BatchNorm
statistics randomised), writes it with save_checkpoint() to outDir and its evaluation output to
outDir/output.bin, for the TensorFlow.js side to check. Prints one JSON document.
"""
import importlib.util
import json
import os
import sys
import traceback

import torch

torch.set_num_threads(2)


def read_f32(path, shape):
    with open(path, "rb") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(shape)


def randomise_batchnorm(model, generator):
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.track_running_stats:
            m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=generator) * 0.5)
            m.running_var.copy_(torch.rand(m.running_var.shape, generator=generator) + 0.5)
            m.num_batches_tracked.fill_(7)


def main():
    results = []
    modules = {}
    for i, job in enumerate(json.load(sys.stdin)):
        out = {"model": job["model"]}
        try:
            if job["code"] not in modules:
                spec = importlib.util.spec_from_file_location(f"exported_{i}", job["code"])
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                modules[job["code"]] = module
            module = modules[job["code"]]
            xs = [read_f32(f, shape) for f, shape in job["inputs"]]
            # TensorFlow.js → PyTorch
            model = module.MODELS[job["model"]]().eval()
            module.load_checkpoint(model, job["checkpoint"])
            with torch.no_grad():
                y = model(*xs)
            expected = read_f32(job["expected"], list(y.shape))
            out["maxAbsDiff"] = float((y - expected).abs().max())
            out["maxAbs"] = float(expected.abs().max())
            # PyTorch → TensorFlow.js
            torch.manual_seed(job["seed"])
            fresh = module.MODELS[job["model"]]()
            with torch.no_grad():
                randomise_batchnorm(fresh, torch.Generator().manual_seed(job["seed"]))
                fresh.eval()
                y2 = fresh(*xs)
            out["checkpointOut"] = module.save_checkpoint(fresh, job["outDir"], name=job["model"])
            with open(os.path.join(job["outDir"], "output.bin"), "wb") as f:
                f.write(y2.contiguous().numpy().astype("<f4").tobytes())
            out["outputShape"] = list(y2.shape)
        except Exception:
            out["error"] = traceback.format_exc(limit=6)
        results.append(out)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
