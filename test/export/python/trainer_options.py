"""trainer.py's decay groups, warm-up + cosine, clipping and label smoothing against PyTorch's goldens
(torchTrainOptions.test.ts). Usage: trainer_options.py GOLDEN (test/golden/trainer-optim/transformer.json).
Prints the names excluded from decay and the worst differences, as JSON."""
import json
import sys

import torch
from torch import nn

from engine import trainer

golden = json.load(open(sys.argv[1]))
report = {}


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.class_token = nn.Parameter(torch.zeros(1, 1, 4))
        self.pos_embedding = nn.Parameter(torch.zeros(1, 3, 4))
        self.emb = nn.Embedding(5, 4)
        self.norm = nn.LayerNorm(4)
        self.fc = nn.Linear(4, 3)
        self.relative_position_bias_table = nn.Parameter(torch.zeros(9, 2))
        self.conv = nn.Conv2d(2, 3, 2)


model = Tiny()
with torch.no_grad():
    for n, p in model.named_parameters():
        p.copy_(torch.tensor(golden["init"][n]["values"]).reshape(p.shape))
report["excluded"] = [n for n, _ in model.named_parameters() if n in trainer.no_decay(model)]

case = golden["decay"][0]
params = list(model.parameters())
opt = torch.optim.AdamW(trainer.param_groups(model, params, {"excludeFromDecay": True}), lr=case["config"]["lr"],
                        weight_decay=case["config"]["weightDecay"])
worst = 0.0
for s, expected in enumerate(case["steps"]):
    for n, p in model.named_parameters():
        p.grad = torch.tensor(golden["grads"][s][n]).reshape(p.shape)
    opt.step()
    for n, p in model.named_parameters():
        worst = max(worst, float((p.detach().reshape(-1) - torch.tensor(expected[n])).abs().max()))
report["decayWorst"] = worst
report["oneGroup"] = len(trainer.param_groups(model, params, {"excludeFromDecay": False})) == len(params)

worst = 0.0
for sch in golden["schedules"]:
    at = trainer.schedule(sch["config"], sch["lr"], sch["epochs"], sch["stepsPerEpoch"])
    for e in sch["sequence"]:
        lr, m = at(e["epoch"], e["step"])
        assert m is None
        worst = max(worst, abs(lr - e["lr"]) / e["lr"])
report["scheduleWorst"] = worst

c = golden["clip"][0]
ps = [nn.Parameter(torch.zeros(golden["init"][n]["shape"])) for n in c["grads"]]
for p, n in zip(ps, c["grads"]):
    p.grad = torch.tensor(c["grads"][n]).reshape(p.shape)
trainer.clip_gradients(ps, c["maxNorm"])
report["clipWorst"] = max(float((p.grad.reshape(-1) - torch.tensor(c["clipped"][n])).abs().max()) for p, n in zip(ps, c["grads"]))

ls = golden["labelSmoothing"]
logits = torch.tensor(ls["logits"]).reshape(ls["shape"])
report["smoothingWorst"] = max(abs(float(trainer.training_loss(logits, torch.tensor(ls["labels"]), k["labelSmoothing"])) - k["loss"])
                               for k in ls["cases"])
print(json.dumps(report))
