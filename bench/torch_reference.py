"""What torchinfo needs to say the same: build the model and run a forward pass with hooks (CPU, batch 1)."""
import json, sys, time
import torch, torchvision

torch.set_num_threads(2)
out = {}
for name in sys.argv[1:]:
    t0 = time.perf_counter()
    model = getattr(torchvision.models, name)(weights=None).eval()
    t1 = time.perf_counter()
    calls = []
    for m in model.modules():
        if not list(m.children()):
            m.register_forward_hook(lambda mod, i, o: calls.append(tuple(o.shape)))
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    t2 = time.perf_counter()
    out[name] = {"buildMs": (t1 - t0) * 1e3, "forwardMs": (t2 - t1) * 1e3, "calls": len(calls)}
print(json.dumps(out))
