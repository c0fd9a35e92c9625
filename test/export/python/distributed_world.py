"""distributed.py's world_from_env (distributed.test.ts): [rank, size, local rank] of this process's environment, as JSON."""
import json

from engine import distributed

w = distributed.world_from_env()
print(json.dumps([w.rank, w.size, w.local_rank]))
