"""Goldens for the training options transformers need (issue 14), from PyTorch.

Run with Debian's torch: /usr/bin/python3 scripts/golden/trainer_transformer_optim.py
Writes test/golden/trainer-optim/transformer.json, read by test/trainer/optimTransformer.test.ts:
(a) weight-decay exclusion (timm's param_groups_weight_decay: two parameter groups) with AdamW, Adam
and SGD, (b) the warm-up + cosine learning rate (SequentialLR of LinearLR and CosineAnnealingLR,
stepped every batch), (c) torch.nn.utils.clip_grad_norm_, (d) CrossEntropyLoss(label_smoothing).
Gradients are set by hand (p.grad = g), so that only the optimiser's formulas are compared.
(optim.json, from trainer_optim.py, stays as it is.)
"""
import json, math, os
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "golden", "trainer-optim", "transformer.json")
STEPS = 6
S = torch.optim

g = torch.Generator().manual_seed(4321)


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


class Tiny(nn.Module):
    """A parameter of every kind the rule looks at, with torchvision's and timm's names."""

    def __init__(self):
        super().__init__()
        self.class_token = nn.Parameter(torch.randn(1, 1, 4, generator=g))
        self.pos_embedding = nn.Parameter(torch.randn(1, 3, 4, generator=g))
        self.emb = nn.Embedding(5, 4)
        self.norm = nn.LayerNorm(4)
        self.fc = nn.Linear(4, 3)
        self.relative_position_bias_table = nn.Parameter(torch.randn(9, 2, generator=g))
        self.conv = nn.Conv2d(2, 3, 2)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=g))


def no_decay_names(model):
    """The rule: fewer than 2 dimensions, an Embedding's weight, or an own name ending in 'token' or containing 'pos_embed' or 'position_bias'."""
    embeddings = {f"{m}.weight" if m else "weight" for m, mod in model.named_modules() if isinstance(mod, nn.Embedding)}
    out = []
    for name, p in model.named_parameters():
        own = name.rsplit(".", 1)[-1]
        if p.ndim < 2 or name in embeddings or own.endswith("token") or "pos_embed" in own or "position_bias" in own:
            out.append(name)
    return out


model = Tiny()
names = [n for n, _ in model.named_parameters()]
excluded = no_decay_names(model)
assert excluded == ["class_token", "pos_embedding", "relative_position_bias_table", "emb.weight", "norm.weight", "norm.bias", "fc.bias",
                    "conv.bias"], excluded
init = {n: p.detach().clone() for n, p in model.named_parameters()}
grads = [{n: torch.randn(p.shape, generator=g) * 0.5 for n, p in model.named_parameters()} for _ in range(STEPS)]


def run_groups(make, wd):
    params = {n: nn.Parameter(v.clone()) for n, v in init.items()}
    groups = [{"params": [params[n] for n in names if n not in excluded], "weight_decay": wd},
              {"params": [params[n] for n in names if n in excluded], "weight_decay": 0.0}]
    opt = make(groups)
    out = []
    for s in range(STEPS):
        for n, p in params.items():
            p.grad = grads[s][n].clone()
        opt.step()
        out.append({n: flat(p) for n, p in params.items()})
    return out


decay_cases = []
for name, optimizer, cfg, make in [
    ("adamw excluding biases, norms and embeddings", "adamw", {"lr": 0.05, "weightDecay": 0.1}, lambda gr: S.AdamW(gr, lr=0.05)),
    ("adam (L2) excluding biases, norms and embeddings", "adam", {"lr": 0.02, "weightDecay": 0.05}, lambda gr: S.Adam(gr, lr=0.02)),
    ("sgd momentum (L2) excluding biases, norms and embeddings", "sgd", {"lr": 0.1, "momentum": 0.9, "weightDecay": 0.05},
     lambda gr: S.SGD(gr, lr=0.1, momentum=0.9)),
]:
    decay_cases.append({"name": name, "optimizer": optimizer, "config": cfg, "steps": run_groups(make, cfg["weightDecay"])})


def warmup_cosine(lr, epochs, steps_per_epoch, warmup_epochs, start, eta_min):
    p = [nn.Parameter(torch.zeros(1))]
    opt = S.AdamW(p, lr=lr)
    total, w = epochs * steps_per_epoch, warmup_epochs * steps_per_epoch
    if w == 0:
        sch = S.lr_scheduler.CosineAnnealingLR(opt, T_max=total, eta_min=eta_min)
    else:
        sch = S.lr_scheduler.SequentialLR(opt, [S.lr_scheduler.LinearLR(opt, start_factor=start, total_iters=w),
                                                S.lr_scheduler.CosineAnnealingLR(opt, T_max=total - w, eta_min=eta_min)], milestones=[w])
    seq = []
    for e in range(epochs):
        for s in range(steps_per_epoch):
            seq.append({"epoch": e, "step": e * steps_per_epoch + s, "lr": opt.param_groups[0]["lr"]})
            p[0].grad = torch.zeros(1)
            opt.step()
            sch.step()
    return seq


schedules = []
for lr, epochs, spe, we, start, eta in [(0.1, 4, 3, 1, 0.25, 0.001), (0.003, 5, 7, 2, 1 / 3, 0.0), (0.05, 3, 4, 0, 1 / 3, 0.0001),
                                        (0.01, 2, 50, 1, 0.01, 1e-5)]:
    schedules.append({"name": f"warm-up {we} of {epochs} epochs x {spe} steps, start {start:.3g}, eta_min {eta}", "lr": lr, "epochs": epochs,
                      "stepsPerEpoch": spe,
                      "config": {"name": "warmup-cosine", "warmupEpochs": we, "warmupStart": start, "minLr": eta},
                      "sequence": warmup_cosine(lr, epochs, spe, we, start, eta)})

clip_cases = []
for max_norm in [0.5, 1.0, 100.0]:
    clip_grads = {n: g_.clone() * 2 for n, g_ in grads[0].items()}
    params = {n: nn.Parameter(v.clone()) for n, v in init.items()}
    for n, p in params.items():
        p.grad = clip_grads[n].clone()
    total = torch.nn.utils.clip_grad_norm_(list(params.values()), max_norm)
    clip_cases.append({"maxNorm": max_norm, "grads": {n: flat(v) for n, v in clip_grads.items()}, "totalNorm": float(total),
                       "clipped": {n: flat(p.grad) for n, p in params.items()}})

# AdamW with clipping and the decay exclusion, six steps: the order (clip, then step) as the loops do it
params = {n: nn.Parameter(v.clone()) for n, v in init.items()}
opt = S.AdamW([{"params": [params[n] for n in names if n not in excluded], "weight_decay": 0.1},
               {"params": [params[n] for n in names if n in excluded], "weight_decay": 0.0}], lr=0.05)
clipped_steps = []
for s in range(STEPS):
    for n, p in params.items():
        p.grad = grads[s][n].clone()
    torch.nn.utils.clip_grad_norm_(list(params.values()), 0.7)
    opt.step()
    clipped_steps.append({n: flat(p) for n, p in params.items()})

logits = torch.randn(6, 7, generator=g) * 2
labels = torch.tensor([0, 3, 6, 2, 3, 5])
smoothing = []
for eps in [0.0, 0.1, 0.3, 1.0]:
    z = logits.clone().requires_grad_(True)
    loss = nn.CrossEntropyLoss(label_smoothing=eps)(z, labels)
    loss.backward()
    smoothing.append({"labelSmoothing": eps, "loss": float(loss), "grad": flat(z.grad)})

doc = {
    "generator": "scripts/golden/trainer_transformer_optim.py",
    "torch": torch.__version__,
    "init": {n: {"shape": list(v.shape), "values": flat(v)} for n, v in init.items()},
    "embeddingModules": ["emb"],
    "excluded": excluded,
    "grads": [{n: flat(v) for n, v in gs.items()} for gs in grads],
    "decay": decay_cases,
    "schedules": schedules,
    "clip": clip_cases,
    "clippedAdamW": {"config": {"lr": 0.05, "weightDecay": 0.1, "excludeFromDecay": True, "clipGradNorm": 0.7}, "steps": clipped_steps},
    "labelSmoothing": {"logits": flat(logits), "shape": [6, 7], "labels": labels.tolist(), "cases": smoothing},
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump(doc, f, indent=1)
print(f"wrote {OUT}: {len(decay_cases)} decay cases, {len(schedules)} schedules, {len(clip_cases)} clip cases, {len(smoothing)} smoothing cases")
