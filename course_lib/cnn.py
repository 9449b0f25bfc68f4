"""Convolutional networks (lesson 05), and the course's digit classifier that later lessons reuse.

``pretrained_digit_cnn()`` trains the small CNN on the fixed digits split once and caches the
state dict (with its sha256) under ``build/cache``; later calls load it. It is the "pretrained
network" of lessons 07, 09 and 10: trained here, never downloaded.
"""

import hashlib
import io
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from course_lib import data

CACHE_DIR = Path(
    os.environ.get("COURSE_CACHE", Path(__file__).resolve().parents[1] / "build" / "cache")
)
DIGIT_CNN_EPOCHS = 30


def digit_tensors(digits: data.Digits):
    """Digits as torch tensors: images (n, 1, 8, 8) float32, labels (n,) int64."""
    import torch

    return torch.from_numpy(digits.images[:, None]).float(), torch.from_numpy(digits.labels).long()


def digit_cnn(classes: int = 10):
    """The course's small CNN for 8x8 digits: two 3x3 conv + max-pool blocks, then two dense layers.

    Input (n, 1, 8, 8) -> logits (n, classes). Shapes: 8x8x1 -> 8x8x16 -> 4x4x16 -> 4x4x32
    -> 2x2x32 -> 128 -> 64 -> classes.
    """
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, classes),
    )  # fmt: skip


def pretrained_digit_cnn(digit_classes: Sequence[int] = tuple(range(10)), seed: int = 0):
    """The digit CNN trained on the training split of the given digit classes (cached).

    digit_classes: which digits to train on (lesson 10 uses 0-4); the network's outputs are
    ordered as ``digit_classes``. Returns the model in eval mode.
    """
    import torch

    from course_lib import training

    classes = sorted(set(int(c) for c in digit_classes))
    if not classes or classes[0] < 0 or classes[-1] > 9:
        raise ValueError(f"digit_classes must be digits 0..9, got {list(digit_classes)}")
    model = digit_cnn(len(classes))
    name = f"digit_cnn_{''.join(map(str, classes))}_seed{seed}_e{DIGIT_CNN_EPOCHS}"
    path, digest = CACHE_DIR / f"{name}.pt", CACHE_DIR / f"{name}.sha256"
    if path.is_file() and digest.is_file() and _sha256(path) == digest.read_text().strip():
        model.load_state_dict(torch.load(path, weights_only=True))
        return model.eval()
    train, _ = data.digits_split()
    keep = np.isin(train.labels, classes)
    x, y = digit_tensors(
        data.Digits(train.images[keep], np.searchsorted(classes, train.labels[keep]))
    )
    torch.manual_seed(seed)
    model = digit_cnn(len(classes))
    training.fit(model, x, y, epochs=DIGIT_CNN_EPOCHS, batch_size=32, lr=2e-3, seed=seed)
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    _atomic_write(path, buffer.getvalue())
    _atomic_write(digest, _sha256(path).encode())
    return model.eval()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _atomic_write(path: Path, content: bytes) -> None:
    """Write via a temporary file and rename, so parallel lessons never read half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)
