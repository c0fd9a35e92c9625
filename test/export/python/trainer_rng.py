"""trainer.py's port of src/trainer/rng.ts (torchEngine.test.ts): a shuffle and a run of draws, as JSON."""
import json

from engine import trainer

r = trainer.rng_for(7, "augment", 12)
print(json.dumps({"perm": trainer.permutation(50, trainer.rng_for(3, "shuffle", 2)),
                  "draws": [r.int(9) for _ in range(20)] + [r.next()]}))
