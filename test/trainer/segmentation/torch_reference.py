"""PyTorch's numbers for test/trainer/segmentation/loss.test.ts: F.cross_entropy(ignore_index=255) of `out` (+ 0.5 x `aux`)
and its gradients, and torchvision's ConfusionMatrix (references/segmentation/utils.py) pixel accuracy and IoU.

Input (argv[1], JSON): {"shape": [N, K, H, W], "out": [...], "aux": [...] | null, "target": [...]} (row-major).
Output (stdout, JSON): {"loss", "gradOut", "gradAux", "accuracy", "iou"}.
"""

import json
import sys

import torch
import torch.nn.functional as F

case = json.loads(sys.argv[1])
shape = case["shape"]
n, k, h, w = shape
out = torch.tensor(case["out"], dtype=torch.float32).view(*shape).requires_grad_(True)
target = torch.tensor(case["target"], dtype=torch.int64).view(n, h, w)
loss = F.cross_entropy(out, target, ignore_index=255)
aux = None
if case["aux"] is not None:
    aux = torch.tensor(case["aux"], dtype=torch.float32).view(*shape).requires_grad_(True)
    loss = loss + 0.5 * F.cross_entropy(aux, target, ignore_index=255)
loss.backward()

# torchvision's ConfusionMatrix.update and compute
mat = torch.zeros((k, k), dtype=torch.int64)
a, b = target.flatten(), out.detach().argmax(1).flatten()
keep = (a >= 0) & (a < k)
mat += torch.bincount(k * a[keep] + b[keep], minlength=k ** 2).reshape(k, k)
hist = mat.float()
acc = torch.diag(hist).sum() / hist.sum()
iu = torch.diag(hist) / (hist.sum(1) + hist.sum(0) - torch.diag(hist))

print(json.dumps({
    "loss": float(loss),
    "gradOut": out.grad.flatten().tolist(),
    "gradAux": aux.grad.flatten().tolist() if aux is not None else None,
    "accuracy": float(acc),
    "iou": [None if torch.isnan(x) else float(x) for x in iu],
}))
