"""checkpoint.py as a module of its own (pythonSources.test.ts): save a state_dict, load it into a fresh model.

Usage: checkpoint_roundtrip.py CHECKPOINT_PY OUT_DIR. Prints "ok EPOCH STEP NAMED", or "no torch" without PyTorch.
"""
import importlib.util
import sys

try:
    import torch
except ImportError:
    print("no torch")
    sys.exit(0)

spec = importlib.util.spec_from_file_location("checkpoint", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
a = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
b = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
path = m.save_checkpoint(a, sys.argv[2], name="t", epoch=1, step=2)
index = m.load_checkpoint(b, sys.argv[2])
assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
print("ok", index["position"]["epoch"], index["position"]["step"], path.endswith("e0001-s000002.safetensors"))
