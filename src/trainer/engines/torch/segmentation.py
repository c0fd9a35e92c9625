"""Segmentation training for the PyTorch engine (trainer.py loads this file, written next to it).

As torchvision's references/segmentation/train.py: cross-entropy with ignore_index=255 on the output "out", plus
0.5 x the same loss on "aux" when the model returns one; pixel accuracy and mean IoU from a confusion matrix (its
utils.ConfusionMatrix), the mean over the classes present in targets or predictions. The TensorFlow.js loop does the
same (src/trainer/train/segmentation.ts). The build bundles this file as text (src/trainer/engines/torch/script.ts).
"""

import torch
import torch.nn.functional as F

IGNORE_INDEX = 255
AUX_WEIGHT = 0.5


def read_masks(s, height, width):
    """A split's masks file: count x H x W class indices (uint8), as int64."""
    with open(s["masks"], "rb") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.uint8).view(s["count"], height, width).long()


def training_loss(output, target):
    """The loss of "out", plus 0.5 x that of "aux" (torchvision's criterion)."""
    if isinstance(output, dict):
        loss = F.cross_entropy(output["out"], target, ignore_index=IGNORE_INDEX)
        if "aux" in output:
            loss = loss + AUX_WEIGHT * F.cross_entropy(output["aux"], target, ignore_index=IGNORE_INDEX)
        return loss
    return F.cross_entropy(output, target, ignore_index=IGNORE_INDEX)


def augment_masks(masks, rows, cols, pad):
    """The masks cropped and flipped as their images: padding is 255 (ignored)."""
    n = masks.shape[0]
    padded = F.pad(masks, (pad, pad, pad, pad), value=IGNORE_INDEX) if pad > 0 else masks
    return padded[torch.arange(n, device=masks.device)[:, None, None], rows[:, :, None], cols[:, None, :]]


class ConfusionMatrix:
    """torchvision's: rows the target class, columns the prediction; pixels of 255 are left out."""

    def __init__(self, classes, device):
        self.classes = classes
        self.mat = torch.zeros((classes, classes), dtype=torch.int64, device=device)

    def update(self, target, prediction):
        k = (target >= 0) & (target < self.classes)
        inds = self.classes * target[k].to(torch.int64) + prediction[k]
        self.mat += torch.bincount(inds, minlength=self.classes ** 2).reshape(self.classes, self.classes)

    def pixel_accuracy(self):
        total = float(self.mat.sum())
        return float(torch.diag(self.mat).sum()) / total if total > 0 else 0.0

    def mean_iou(self):
        h = self.mat.double()
        union = h.sum(1) + h.sum(0) - torch.diag(h)
        present = union > 0
        if not bool(present.any()):
            return 0.0
        return float((torch.diag(h)[present] / union[present]).mean())


def pixel_counts(logits, target, classes):
    """The batch's pixel accuracy as images' worth (n x accuracy), twice (the top-1 and top-k slots of the loop)."""
    cm = ConfusionMatrix(max(classes, logits.shape[1]), logits.device)
    cm.update(target, logits.argmax(1))
    hits = cm.pixel_accuracy() * target.shape[0]
    return hits, hits


def evaluate(model, normalise, logits_of, x_all, y_all, size, classes, device):
    """Mean per-pixel cross-entropy of "out" (float64, over the non-ignored pixels), pixel accuracy, mean IoU."""
    model.eval()
    cm = None
    loss_sum, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, y_all.shape[0], size):
            x = normalise(x_all[start:start + size])
            y = y_all[start:start + size].to(device)
            logits = logits_of(model(x))
            loss_sum += float(F.cross_entropy(logits.double(), y, ignore_index=IGNORE_INDEX, reduction="sum"))
            count += int((y != IGNORE_INDEX).sum())
            cm = cm or ConfusionMatrix(max(classes, logits.shape[1]), device)
            cm.update(y, logits.argmax(1))
    model.train()
    return loss_sum / count if count > 0 else float("nan"), cm.pixel_accuracy(), cm.mean_iou()
