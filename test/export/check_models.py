"""Builds exported PyTorch models and reports what the analyzer reports, for test/export.

Reads one JSON document on standard input:
    [{"file": "/abs/exported.py", "models": [{"name": "lenet5", "inputs": [[2, 1, 32, 32]]}]}]
and prints one JSON document: for each file and model, the parameter and buffer counts, the module
tree (named_modules: path, class name, subtree parameters, trainable parameters, buffers), the
state_dict keys in order and the output shape(s) of a forward pass on meta tensors (shapes only,
no arithmetic), or the error that stopped it. Weight initialisation is skipped: it does not change
any of these and is by far the slowest part of building VGG-sized models.
"""
import importlib.util
import json
import sys
import traceback

import torch
from torch import nn

torch.set_num_threads(1)
for _name in ["kaiming_uniform_", "kaiming_normal_", "uniform_", "normal_", "xavier_uniform_", "xavier_normal_",
              "constant_", "zeros_", "ones_", "trunc_normal_", "orthogonal_"]:
    if hasattr(nn.init, _name):
        setattr(nn.init, _name, lambda tensor, *args, **kwargs: tensor)


def numel(tensors):
    return sum(t.numel() for t in tensors)


def describe(model, inputs):
    out = {
        "params": numel(model.parameters()),
        "trainableParams": numel(p for p in model.parameters() if p.requires_grad),
        "buffers": numel(model.buffers()),
        "modules": [
            [path, type(m).__name__, numel(m.parameters()), numel(p for p in m.parameters() if p.requires_grad),
             numel(m.buffers())]
            for path, m in model.named_modules()
        ],
        "stateDict": list(model.state_dict().keys()),
    }
    model = model.eval().to("meta")
    # An embedding's input is integer indices (an @input tag has no dtype).
    dtype = torch.long if any(isinstance(m, nn.Embedding) for m in model.modules()) else torch.float32
    with torch.no_grad():
        y = model(*[torch.zeros(*shape, device="meta", dtype=dtype) for shape in inputs])
    if isinstance(y, dict):
        out["output"] = {k: list(t.shape) for k, t in y.items()}
    else:
        out["output"] = [list(t.shape) for t in y] if isinstance(y, (list, tuple)) else list(y.shape)
    return out


def main():
    jobs = json.load(sys.stdin)
    results = []
    for i, job in enumerate(jobs):
        entry = {"file": job["file"], "models": {}}
        try:
            spec = importlib.util.spec_from_file_location(f"exported_{i}", job["file"])
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except Exception:
            entry["error"] = traceback.format_exc(limit=4)
            results.append(entry)
            continue
        for m in job["models"]:
            try:
                model = module.MODELS[m["name"]]()
                entry["models"][m["name"]] = describe(model, m["inputs"])
            except Exception:
                entry["models"][m["name"]] = {"error": traceback.format_exc(limit=6)}
        results.append(entry)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
