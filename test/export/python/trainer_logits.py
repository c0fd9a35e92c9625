"""trainer.py's logits_of (torchEngine.test.ts): the number of classes it finds in a dict, a list, a tuple and a tensor."""
import torch

from engine import trainer

a, b = torch.ones(2, 3), torch.zeros(2, 5)
print([trainer.logits_of(o).shape[1] for o in ({"out": a, "aux": b}, [a, b], (a, b), a)])
