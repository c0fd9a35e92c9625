"""transfer.py's load_weights on .pth and .safetensors files (torchTransfer.test.ts).

Usage: transfer_check.py TRANSFER_PY CHECKPOINT_PY WEIGHTS_BASE. make_weights.py (test/trainer/transfer/) wrote
WEIGHTS_BASE.pth and WEIGHTS_BASE.safetensors; each is loaded into a zeroed backbone. Prints, per extension, the
report and whether the loaded tensors are bit for bit the file's and the mismatched head stayed as it was.
"""
import importlib.util
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "trainer", "transfer"))
import make_weights  # noqa: E402


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


transfer = load_module("transfer", sys.argv[1])
checkpoints = load_module("checkpoint", sys.argv[2])
base = sys.argv[3]
out = {}
for ext in (".pth", ".safetensors"):
    file = torch.load(base + ".pth", weights_only=True)
    model = make_weights.backbone(10)
    with torch.no_grad():
        for p in model.state_dict().values():
            p.zero_()
    report = transfer.load_weights(model, base + ext, checkpoints)
    own = model.state_dict()
    exact = all(torch.equal(own[n], file[n]) and own[n].dtype == file[n].dtype for n in report["loaded"])
    fresh = all(bool((own[n] == 0).all()) for n in ("fc.weight", "fc.bias"))
    out[ext] = {"report": report, "exact": exact, "fresh": fresh}
print(json.dumps(out))
