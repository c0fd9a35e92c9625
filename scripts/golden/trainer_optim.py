"""Goldens for the trainer's optimisers, schedules and loss (src/trainer/train), from PyTorch.

Run with Debian's torch: /usr/bin/python3 scripts/golden/trainer_optim.py
Writes test/golden/trainer-optim/optim.json, read by test/trainer/optim.test.ts.
Parameters and gradients are fixed float32 values (stored in the JSON), the gradients are set by
hand (p.grad = g) so that only the optimiser's formulas are compared.
"""
import json, math, os
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "golden", "trainer-optim", "optim.json")
STEPS = 6

g = torch.Generator().manual_seed(1234)
shapes = {"w": [3, 4], "b": [4]}
init = {k: torch.randn(*s, generator=g) for k, s in shapes.items()}
grads = [{k: torch.randn(*s, generator=g) * 0.5 for k, s in shapes.items()} for _ in range(STEPS)]


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def run_optimizer(make, lrs=None, momenta=None):
    params = {k: torch.nn.Parameter(v.clone()) for k, v in init.items()}
    opt = make(list(params.values()))
    out = []
    for s in range(STEPS):
        for grp in opt.param_groups:
            if lrs is not None:
                grp["lr"] = lrs[s]
            if momenta is not None:
                if "betas" in grp:
                    grp["betas"] = (momenta[s], grp["betas"][1])
                else:
                    grp["momentum"] = momenta[s]
        for k, p in params.items():
            p.grad = grads[s][k].clone()
        opt.step()
        out.append({k: flat(p) for k, p in params.items()})
    return out


cases = []
def case(name, optimizer, cfg, make, lrs=None, momenta=None):
    cases.append({"name": name, "optimizer": optimizer, "config": cfg, "lrs": lrs, "momenta": momenta,
                  "steps": run_optimizer(make, lrs, momenta)})

S = torch.optim
case("sgd plain", "sgd", {"lr": 0.1}, lambda p: S.SGD(p, lr=0.1))
case("sgd momentum", "sgd", {"lr": 0.1, "momentum": 0.9}, lambda p: S.SGD(p, lr=0.1, momentum=0.9))
case("sgd momentum dampening", "sgd", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}, lambda p: S.SGD(p, lr=0.05, momentum=0.8, dampening=0.3))
case("sgd nesterov weight decay", "sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weightDecay": 0.01},
     lambda p: S.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01))
case("sgd weight decay", "sgd", {"lr": 0.2, "weightDecay": 0.05}, lambda p: S.SGD(p, lr=0.2, weight_decay=0.05))
case("adam", "adam", {"lr": 0.01}, lambda p: S.Adam(p, lr=0.01))
case("adam weight decay betas eps", "adam", {"lr": 0.02, "weightDecay": 0.01, "betas": [0.8, 0.99], "eps": 1e-6},
     lambda p: S.Adam(p, lr=0.02, weight_decay=0.01, betas=(0.8, 0.99), eps=1e-6))
case("adamw", "adamw", {"lr": 0.01, "weightDecay": 0.01}, lambda p: S.AdamW(p, lr=0.01))
case("adamw weight decay", "adamw", {"lr": 0.05, "weightDecay": 0.1, "betas": [0.85, 0.995]},
     lambda p: S.AdamW(p, lr=0.05, weight_decay=0.1, betas=(0.85, 0.995)))
lrs = [0.01, 0.03, 0.05, 0.02, 0.01, 0.001]
mom = [0.95, 0.9, 0.85, 0.88, 0.92, 0.95]
case("adam with changing lr and beta1", "adam", {"lr": 0.01}, lambda p: S.Adam(p, lr=0.01), lrs, mom)
case("sgd with changing lr and momentum", "sgd", {"lr": 0.01, "momentum": 0.9}, lambda p: S.SGD(p, lr=0.01, momentum=0.9), lrs, mom)


def schedule_sequence(kind, epochs, steps_per_epoch, optimizer="sgd"):
    p = [torch.nn.Parameter(torch.zeros(1))]
    opt = S.SGD(p, lr=0.1, momentum=0.9) if optimizer == "sgd" else S.Adam(p, lr=0.1)
    if kind == "step":
        sch = S.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    elif kind == "cosine":
        sch = S.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs, eta_min=0.001)
    else:
        sch = S.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=epochs * steps_per_epoch)
    seq = []
    for e in range(epochs):
        for s in range(steps_per_epoch):
            grp = opt.param_groups[0]
            m = grp["betas"][0] if "betas" in grp else grp["momentum"]
            seq.append({"epoch": e, "step": e * steps_per_epoch + s, "lr": grp["lr"], "momentum": m})
            p[0].grad = torch.zeros(1)
            opt.step()
            if kind == "onecycle":
                sch.step()
        if kind != "onecycle":
            sch.step()
    return seq

schedules = [
    {"name": "step", "optimizer": "sgd", "config": {"name": "step", "stepSize": 2, "gamma": 0.5}, "lr": 0.1, "epochs": 7, "stepsPerEpoch": 3, "sequence": schedule_sequence("step", 7, 3)},
    {"name": "cosine", "optimizer": "sgd", "config": {"name": "cosine", "minLr": 0.001}, "lr": 0.1, "epochs": 6, "stepsPerEpoch": 2, "sequence": schedule_sequence("cosine", 6, 2)},
    {"name": "onecycle sgd", "optimizer": "sgd", "config": {"name": "onecycle"}, "lr": 0.1, "epochs": 4, "stepsPerEpoch": 5, "sequence": schedule_sequence("onecycle", 4, 5, "sgd")},
    {"name": "onecycle adam", "optimizer": "adam", "config": {"name": "onecycle"}, "lr": 0.1, "epochs": 3, "stepsPerEpoch": 7, "sequence": schedule_sequence("onecycle", 3, 7, "adam")},
]

logits = torch.randn(5, 7, generator=g) * 2
labels = torch.tensor([0, 3, 6, 2, 3])
z = logits.clone().requires_grad_(True)
loss = torch.nn.functional.cross_entropy(z, labels)
loss.backward()
ce = {"logits": flat(logits), "shape": [5, 7], "labels": labels.tolist(), "loss": float(loss), "grad": flat(z.grad)}

doc = {
    "generator": "scripts/golden/trainer_optim.py",
    "torch": torch.__version__,
    "init": {k: {"shape": shapes[k], "values": flat(v)} for k, v in init.items()},
    "grads": [{k: flat(v) for k, v in gs.items()} for gs in grads],
    "optimizers": cases,
    "schedules": schedules,
    "crossEntropy": ce,
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump(doc, f, indent=1)
print(f"wrote {OUT}: {len(cases)} optimiser cases, {len(schedules)} schedules")
