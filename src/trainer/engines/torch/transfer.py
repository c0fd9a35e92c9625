"""Transfer learning in the PyTorch engine (issue 15): --weights, --freeze and --lr-for.

The same rules as the TensorFlow.js engine (src/shared/trainConfigTransfer.ts, src/trainer/train/freeze.ts,
src/trainer/weightFiles/match.ts): weights files are read without running code (torch.load(weights_only=True)
for PyTorch files; .safetensors with torch alone, as Debian has no `safetensors` package), matched by
state_dict name (a `module.` prefix stripped when that matches more), missing and mismatched tensors stay
freshly initialised. Frozen parameters get requires_grad=False (no gradient, no optimiser state, no
weight decay); BatchNorm layers whose parameters are all frozen stay in evaluation mode.
trainer.py loads this file (written next to it) with importlib; the tests import it directly.
"""

import collections
import re

import torch

SAFETENSORS_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}
STRIPPABLE_PREFIXES = ("module.",)
LEGACY_MAGIC = bytes([0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19])


class TransferError(Exception):
    """A --weights, --freeze or --lr-for problem, in words for the user."""


# ---- reading weights files -------------------------------------------------------------------------

def tensor_entries(d):
    tensors = collections.OrderedDict((k, v) for k, v in d.items() if isinstance(k, str) and torch.is_tensor(v))
    return tensors, [str(k) for k, v in d.items() if not (isinstance(k, str) and torch.is_tensor(v))]


def state_dict_of(obj, path, notes):
    """A bare state_dict, or the one a checkpoint dict holds under 'state_dict' or 'model' (pytorchZip.ts findStateDict, same notes)."""
    if isinstance(obj, dict):
        tensors, others = tensor_entries(obj)
        if tensors:
            if others:
                notes.append(f"entries that are not tensors were ignored: {', '.join(others)}")
            return tensors
        for key in ("state_dict", "model"):
            inner = obj.get(key)
            if not isinstance(inner, dict):
                continue
            tensors, others = tensor_entries(inner)
            if not tensors:
                continue
            rest = [str(k) for k in obj if k != key]
            notes.append(f'the state_dict is the file\'s "{key}" entry' + (f" (the file also holds: {', '.join(rest)})" if rest else ""))
            if others:
                notes.append(f"entries that are not tensors were ignored: {', '.join(others)}")
            return tensors
    raise TransferError(f"{path} holds no state_dict (a dict of tensors, or one under 'state_dict' or 'model')")


def read_weights(path, checkpoints):
    """(state_dict, notes) of a PyTorch zip file (torch.load with weights_only=True), a .safetensors file or a CNN
    Studio checkpoint index of the format before; `checkpoints` has src/export/checkpoint.py's functions (the
    exported model's module), which read .safetensors with torch alone and check a checkpoint's CRC-32."""
    with open(path, "rb") as f:
        head = f.read(16)
    notes = []
    try:
        if head[:2] == b"PK":
            try:
                obj = torch.load(path, map_location="cpu", weights_only=True)
            except Exception as e:  # noqa: BLE001
                raise TransferError(f"{path}: torch.load(weights_only=True) refused it: {e}") from None
            sd = state_dict_of(obj, path, notes)
        elif head.startswith(LEGACY_MAGIC):
            raise TransferError(f"{path} is a legacy torch.save file (before PyTorch 1.6): re-save it with PyTorch >= 1.6, or as .safetensors")
        elif len(head) >= 9 and head[8:9] == b"{":
            sd = collections.OrderedDict(checkpoints.read_safetensors(path)[0])
        elif head[:1] == b"{":
            sd = collections.OrderedDict(checkpoints.checkpoint_state_dict(path)[0])
        else:
            raise TransferError(f"{path} is neither a PyTorch (zip) file, a .safetensors file nor a CNN Studio checkpoint")
    except (ValueError, KeyError) as e:
        raise TransferError(f"{path}: {e}") from None
    stored = {v: k for k, v in SAFETENSORS_DTYPES.items()}
    converted = collections.Counter(stored.get(t.dtype, str(t.dtype)) for t in sd.values() if t.dtype != torch.float32)
    for dtype, n in converted.items():
        notes.append(f"{n} {'tensor' if n == 1 else 'tensors'} stored as {dtype} converted to float32")
    return sd, notes


def match_weights(model, sd, path, notes):
    """The report of src/trainer/weightFiles/match.ts and the file's tensor for every loaded name."""
    own = collections.OrderedDict(model.state_dict())
    file_names = list(sd.keys())

    def stripped(name, prefix):
        return name[len(prefix):] if prefix and name.startswith(prefix) else name

    def matches(prefix):
        return sum(1 for n in file_names if stripped(n, prefix) in own)

    prefix, best = "", matches("")
    for p in STRIPPABLE_PREFIXES:
        if any(n.startswith(p) for n in file_names) and matches(p) > best:
            prefix, best = p, matches(p)
    by_model = {}
    for file_name in file_names:
        name = stripped(file_name, prefix)
        if name not in own or (name in by_model and file_name != name):
            continue
        by_model[name] = file_name
    loaded, missing, mismatched, values, taken = [], [], [], {}, set()
    for name, t in own.items():
        file_name = by_model.get(name)
        if file_name is None:
            missing.append(name)
            continue
        taken.add(file_name)
        v = sd[file_name]
        if list(v.shape) == list(t.shape):
            loaded.append(name)
            values[name] = v
        else:
            mismatched.append({"name": name, "fileShape": list(v.shape), "modelShape": list(t.shape)})
    report = {"file": path, "loaded": loaded, "missing": missing, "unexpected": [n for n in file_names if n not in taken],
              "mismatched": mismatched, "notes": notes}
    if prefix:
        report["strippedPrefix"] = prefix
    return report, values


def load_weights(model, path, checkpoints):
    """Loads the matched tensors of the file into the model (bit for bit where the dtypes agree); returns the report."""
    sd, notes = read_weights(path, checkpoints)
    report, values = match_weights(model, sd, path, notes)
    own = model.state_dict(keep_vars=True)
    with torch.no_grad():
        for name, v in values.items():
            own[name].copy_(v.to(own[name].dtype))
    return report


# ---- --freeze and --lr-for -------------------------------------------------------------------------

def glob_regex(glob):
    """src/shared/trainConfigTransfer.ts globRegExp: '*' any run of characters (dots too), '?' one; a module path matches its tensors."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(f"^{body}(?:\\..*)?$")


def some(names):
    head = ", ".join(names[:6])
    return f"{head}, … ({len(names)} in all)" if len(names) > 6 else head


def plan_transfer(model, transfer, model_name):
    """(frozen names, BatchNorm modules kept in eval mode, {name: lr-for group index}); src/trainer/train/freeze.ts planTransfer."""
    transfer = transfer or {}
    freeze, lr_for = transfer.get("freeze", []), transfer.get("lrFor", [])
    params = [n for n, _ in model.named_parameters()]
    buffers = [n for n, _ in model.named_buffers()]
    frozen = set()
    for glob in freeze:
        rx = glob_regex(glob)
        hits = [n for n in params if rx.match(n)]
        if not hits and not any(rx.match(n) for n in buffers):
            raise TransferError(f"--freeze {glob} matches no parameter of {model_name} (its parameters: {some(params)})")
        frozen.update(hits)
    if params and len(frozen) == len(params):
        raise TransferError(f"--freeze {','.join(freeze)} freezes every parameter of {model_name}: nothing would train (leave the new head out of the globs)")
    eval_norms = []
    for path, m in model.named_modules():
        if not isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            continue
        own = [f"{path}.{n}" if path else n for n, _ in m.named_parameters(recurse=False)]
        if own:
            keep = all(n in frozen for n in own)
        else:
            own_buffers = [f"{path}.{n}" if path else n for n, _ in m.named_buffers(recurse=False)]
            keep = any(glob_regex(g).match(b) for g in freeze for b in own_buffers)
        if keep:
            eval_norms.append(m)
    group_of = {}
    for i, g in enumerate(lr_for):
        rx = glob_regex(g["glob"])
        if not any(rx.match(n) for n in params):
            raise TransferError(f"--lr-for {g['glob']} matches no parameter of {model_name} (its parameters: {some(params)})")
        for n in params:
            if n not in frozen and n not in group_of and rx.match(n):
                group_of[n] = i
    return frozen, eval_norms, group_of


def describe_plan(model, frozen, eval_norms, group_of, lr_for):
    """The plan in words for the run log (src/trainer/train/freeze.ts describePlan)."""
    lines = []
    if frozen:
        total = sum(1 for _ in model.parameters())
        norms = f"; {len(eval_norms)} BatchNorm layers keep their running statistics (evaluation mode)" if eval_norms else ""
        lines.append(f"frozen: {len(frozen)} of {total} parameter tensors{norms}")
    for i, g in enumerate(lr_for):
        lines.append(f"learning rate {g['lr']:g} for {g['glob']}: {sum(1 for x in group_of.values() if x == i)} parameter tensors")
    return lines


def freeze(model, frozen, eval_norms):
    """requires_grad=False for the frozen parameters; the frozen BatchNorm layers stay in eval mode whenever model.train() runs."""
    for n, p in model.named_parameters():
        if n in frozen:
            p.requires_grad_(False)
    if not eval_norms:
        return
    train = model.train

    def train_keeping_frozen_norms(mode=True):
        train(mode)
        for m in eval_norms:
            m.eval()
        return model

    model.train = train_keeping_frozen_norms


def lr_groups(groups, model, group_of, lr_for):
    """Splits the optimiser's parameter groups by --lr-for group (the run's --lr first), each with its own 'lr'."""
    if not lr_for or not groups:
        return groups
    if not isinstance(groups[0], dict):
        groups = [{"params": groups}]
    index = {id(p): group_of.get(n) for n, p in model.named_parameters()}
    out = []
    for which in [None, *range(len(lr_for))]:
        for g in groups:
            ps = [p for p in g["params"] if index.get(id(p)) == which]
            if ps:
                extra = {} if which is None else {"lr": lr_for[which]["lr"], "lr_for": which}
                out.append({**g, "params": ps, **extra})
    return out


def set_group_lrs(optimizer, schedules, e, k):
    """Each --lr-for group's learning rate now: its own schedule's (PyTorch's schedulers scale each group from its own lr)."""
    for g in optimizer.param_groups:
        which = g.get("lr_for")
        if which is not None:
            g["lr"] = schedules[which](e, k)[0]
