"""Lesson 10's experiments: the source network, the new task and the sweeps that compare ways
to start, all built from what the lesson wrote in ``course_lib.transfer``.

The source network is ``cnn.mnist_cnn(5)`` trained on the 28x28 digits 0-4; the new task is
digits 5-9 with a few labels each. Every run trains until its validation loss stops improving
(``transfer.fit_early_stopping``) and seeds torch itself, so that a result depends only on its
arguments. The source network and the sweeps are computed once and cached in ``build/cache``,
under a name that hashes their recipe and the source code they run.
"""

import hashlib
import inspect
import io
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from course_lib import cnn, data, training
from course_lib.transfer import (
    fine_tuning_groups,
    fit_early_stopping,
    stacked_classifier,
    transfer_model,
)

CACHE_DIR = cnn.CACHE_DIR
SOURCE_DIGITS, TARGET_DIGITS = (0, 1, 2, 3, 4), (5, 6, 7, 8, 9)
CUT = 7
"""``mnist_cnn``'s layers [0, 7), two conv blocks and the Flatten (3,136 features), are the base."""
CUTS = {"after conv block 1": 3, "after conv block 2": CUT, "after the dense layer": 10}
BASE_LR, HEAD_LR = 1e-4, 1e-3
"""Fine-tuning's learning rates: the base's ten times smaller than the head's (1e-3, the rate
of every new network here)."""
SCRATCH, SHIFTS, FEATURES, FINE_TUNING = (
    "from scratch", "from scratch + shifts", "feature extraction", "fine-tuning",
)  # fmt: skip
CONTROL = "frozen random base"
"""The control: feature extraction on a base that was never trained (what are its weights worth?)"""
METHODS = (SCRATCH, SHIFTS, FEATURES, FINE_TUNING, CONTROL)


@dataclass(frozen=True)
class Task:
    """A classification task as tensors: images (n, 1, 28, 28) in [0, 1], labels (n,) in 0..k-1,
    for training, validation (early stopping) and test (read once, at the end)."""

    x: torch.Tensor
    y: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


def digit_task(digits: Sequence[int], split: data.Split | None = None) -> Task:
    """The ``digits`` of ``data.mnist_split()`` (or ``split``), labels renumbered in that order."""
    split = split or data.mnist_split()
    parts = []
    for part in split:
        keep = np.isin(part.labels, digits)
        if not keep.any():
            raise ValueError(f"digits {list(digits)} do not occur in the labels")
        labels = np.searchsorted(np.asarray(digits), part.labels[keep])
        parts += cnn.mnist_tensors(data.Digits(part.images[keep], labels))
    return Task(*parts)


def labelled_subset(labels: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    """Sorted indices of ``per_class`` random examples of every class in ``labels`` (n,)."""
    labels = np.asarray(labels)
    classes, counts = np.unique(labels, return_counts=True)
    if not 1 <= per_class <= counts.min():
        raise ValueError(f"per_class must be in [1, {counts.min()}], got {per_class}")
    rng = np.random.default_rng(seed)
    picks = [rng.choice(np.flatnonzero(labels == c), per_class, replace=False) for c in classes]
    return np.sort(np.concatenate(picks))


def task_accuracy(model: nn.Module, task: Task) -> float:
    """Fraction of the task's test images that ``model`` classifies right (in eval mode)."""
    model.eval()
    with torch.no_grad():
        return training.accuracy(model(task.x_test).numpy(), task.y_test.numpy())


def new_head(cut: int, classes: int, seed: int) -> nn.Sequential:
    """Freshly initialised layers [cut, end) of ``mnist_cnn(classes)``: what follows the base."""
    torch.manual_seed(seed)
    return cnn.mnist_cnn(classes)[cut:]


def random_base(seed: int) -> nn.Sequential:
    """An ``mnist_cnn`` that was never trained, for the control (seeded by 1000 + seed)."""
    torch.manual_seed(1000 + seed)
    return cnn.mnist_cnn(len(SOURCE_DIGITS)).eval()


def features(base: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The frozen ``base``'s output for the images x (n, 1, 28, 28), computed once."""
    base.eval()
    with torch.no_grad():
        return torch.cat([base(xb) for xb in x.split(500)])


def nearest_neighbour_accuracy(
    codes: np.ndarray, labels: np.ndarray, query_codes: np.ndarray, query_labels: np.ndarray
) -> float:
    """Fraction of the queries whose nearest code (Euclidean) has their label.

    codes: (n, k), labels: (n,), query_codes: (m, k), query_labels: (m,).
    """
    codes, query_codes = np.asarray(codes, float), np.asarray(query_codes, float)
    if codes.ndim != 2 or query_codes.ndim != 2 or codes.shape[1] != query_codes.shape[1]:
        raise ValueError(
            f"codes and query_codes must be (n, k) and (m, k), got {codes.shape} and "
            f"{query_codes.shape}"
        )
    squared = (codes**2).sum(axis=1)[None, :] - 2 * query_codes @ codes.T  # + |query|^2, same row
    predicted = np.asarray(labels)[squared.argmin(axis=1)]
    return float(np.mean(predicted == np.asarray(query_labels)))


# --- greedy layer-wise pretraining -------------------------------------------------------------


def greedy_comparison(
    layers: Sequence[nn.Linear], split: data.Split, per_class: Sequence[int], seeds: Sequence[int]
) -> dict[int, dict[str, np.ndarray]]:
    """Test accuracy of ``stacked_classifier`` started from the pretrained ``layers`` and from a
    random start, trained with early stopping on ``per_class`` labelled digits of each class.

    Returns per_class -> {"random start": (len(seeds),), "pretrained": (len(seeds),)}.
    """
    x, y = cnn.mnist_tensors(split.train)
    x_val, y_val = cnn.mnist_tensors(split.val)
    test = Task(x, y, x_val, y_val, *cnn.mnist_tensors(split.test))
    shapes = [(layer.in_features, layer.out_features) for layer in layers]
    results: dict[int, dict[str, np.ndarray]] = {}
    for n in per_class:
        results[n] = {"random start": np.zeros(len(seeds)), "pretrained": np.zeros(len(seeds))}
        for j, seed in enumerate(seeds):
            idx = labelled_subset(split.train.labels, n, seed)
            for start, accs in results[n].items():
                torch.manual_seed(seed)
                fresh = [nn.Linear(a, b) for a, b in shapes]
                model = stacked_classifier(layers if start == "pretrained" else fresh, 10)
                fit_early_stopping(model, x[idx], y[idx], x_val, y_val, seed=seed)
                accs[j] = task_accuracy(model, test)
    return results


# --- the source network ---------------------------------------------------------------------


def source_cnn(seed: int = 0) -> nn.Sequential:
    """``mnist_cnn(5)`` trained on the digits 0-4 of the training split (cached): random shifts
    of up to 2 pixels, Adam 1e-3, batch 64, early stopping on the validation digits 0-4.

    Its outputs are the digits 0-4 in order. Returns it in eval mode.
    """
    recipe = {"digits": SOURCE_DIGITS, "seed": seed, "batch_size": 64, "patience": 3}
    path = _cache_path("source_cnn", recipe, [source_cnn], "pt")
    model = cnn.mnist_cnn(len(SOURCE_DIGITS))
    if not path.is_file():
        task = digit_task(SOURCE_DIGITS)
        torch.manual_seed(seed)
        model = cnn.mnist_cnn(len(SOURCE_DIGITS))
        fit_early_stopping(
            model, task.x, task.y, task.x_val, task.y_val, patience=3, batch_size=64,
            transform=cnn.random_shift, seed=seed,
        )  # fmt: skip
        buffer = io.BytesIO()
        torch.save(model.state_dict(), buffer)
        _atomic_write(path, buffer.getvalue())
    model.load_state_dict(torch.load(path, weights_only=True))
    return model.eval()


# --- one run of each way to start ------------------------------------------------------------


def train_from_scratch(task: Task, idx: np.ndarray, seed: int, shifts: bool = False) -> nn.Module:
    """A fresh ``mnist_cnn`` trained on the labelled images ``idx`` (optionally shifted)."""
    torch.manual_seed(seed)
    model = cnn.mnist_cnn(int(task.y.max()) + 1)
    transform = cnn.random_shift if shifts else None
    fit_early_stopping(model, task.x[idx], task.y[idx], task.x_val, task.y_val,
                       transform=transform, seed=seed)  # fmt: skip
    return model


def train_feature_extraction(
    base: nn.Sequential, cut: int, task: Task, idx: np.ndarray, seed: int
) -> nn.Sequential:
    """``transfer_model(base, cut, new head)`` with only its head trained, on the base's features.

    The base is frozen, so the features of an image never change: they are computed once, and
    the head alone is trained on them (the same result as training the whole frozen model).
    """
    model = transfer_model(base, cut, new_head(cut, int(task.y.max()) + 1, seed))
    f, f_val = features(model[0], task.x[idx]), features(model[0], task.x_val)
    torch.manual_seed(seed)
    fit_early_stopping(model[1], f, task.y[idx], f_val, task.y_val, seed=seed)
    return model


def train_fine_tuning(model: nn.Sequential, task: Task, idx: np.ndarray, seed: int) -> nn.Module:
    """Fine-tune a trained feature extractor ``model`` (base, head): every layer, small steps."""
    optimiser = torch.optim.Adam(fine_tuning_groups(model, BASE_LR, HEAD_LR))
    torch.manual_seed(seed)
    fit_early_stopping(model, task.x[idx], task.y[idx], task.x_val, task.y_val,
                       optimiser=optimiser, seed=seed)  # fmt: skip
    return model


# --- the sweeps -------------------------------------------------------------------------------


def transfer_sweep(
    source: nn.Sequential, task: Task, per_class: Sequence[int], seeds: Sequence[int]
) -> dict[str, np.ndarray]:
    """Test accuracy of every method in METHODS for each number of labels per class and seed.

    For one (per_class, seed) every method gets the same labelled images. Returns method ->
    accuracies (len(per_class), len(seeds)). Cached.
    """
    recipe = {"per_class": list(per_class), "seeds": list(seeds), "source": _state_hash(source),
              "task": _task_hash(task), "lr": [BASE_LR, HEAD_LR]}  # fmt: skip

    def compute() -> dict[str, list]:
        results = {name: np.zeros((len(per_class), len(seeds))) for name in METHODS}
        for j, seed in enumerate(seeds):
            control = random_base(seed)
            for i, n in enumerate(per_class):
                idx = labelled_subset(task.y.numpy(), n, seed)
                runs = {
                    SCRATCH: train_from_scratch(task, idx, seed),
                    SHIFTS: train_from_scratch(task, idx, seed, shifts=True),
                    CONTROL: train_feature_extraction(control, CUT, task, idx, seed),
                    FEATURES: train_feature_extraction(source, CUT, task, idx, seed),
                }
                for name, model in runs.items():
                    results[name][i, j] = task_accuracy(model, task)
                tuned = train_fine_tuning(runs[FEATURES], task, idx, seed)  # in place
                results[FINE_TUNING][i, j] = task_accuracy(tuned, task)
        return {name: acc.tolist() for name, acc in results.items()}

    funcs = [transfer_sweep, train_from_scratch, train_feature_extraction, train_fine_tuning]
    return {k: np.array(v) for k, v in _cached("transfer_sweep", recipe, funcs, compute).items()}


def cut_sweep(
    source: nn.Sequential, task: Task, per_class: int, seeds: Sequence[int]
) -> dict[tuple[str, str], np.ndarray]:
    """Feature extraction with the base cut at each of CUTS, from the source and from a random
    network, with ``per_class`` labels per class. Returns (cut name, "pretrained" or "random")
    -> test accuracies (len(seeds),). Cached."""
    recipe = {"per_class": per_class, "seeds": list(seeds), "source": _state_hash(source),
              "task": _task_hash(task), "cuts": CUTS}  # fmt: skip

    def compute() -> dict[str, list]:
        results: dict[str, list] = {}
        for seed in seeds:
            idx = labelled_subset(task.y.numpy(), per_class, seed)
            for where, cut in CUTS.items():
                for kind, base in (("pretrained", source), ("random", random_base(seed))):
                    model = train_feature_extraction(base, cut, task, idx, seed)
                    results.setdefault(f"{where}|{kind}", []).append(task_accuracy(model, task))
        return results

    funcs = [cut_sweep, train_feature_extraction]
    found = _cached("cut_sweep", recipe, funcs, compute)
    return {tuple(k.split("|")): np.array(v) for k, v in found.items()}


# --- the cache ----------------------------------------------------------------------------------


def _fingerprint(funcs: Sequence[Callable]) -> str:
    """The source code a cached result depends on: ``funcs`` and what the lesson wrote."""
    shared = [fit_early_stopping, transfer_model, fine_tuning_groups, cnn.mnist_cnn,
              cnn.random_shift, training.fit, training.evaluate, digit_task, labelled_subset,
              new_head, random_base, features]  # fmt: skip
    return "".join(inspect.getsource(f) for f in (*shared, *funcs))


def _cache_path(name: str, recipe: dict, funcs: Sequence[Callable], ext: str) -> Path:
    text = json.dumps(recipe, sort_keys=True, default=list) + _fingerprint(funcs)
    return CACHE_DIR / f"{name}_{hashlib.sha256(text.encode()).hexdigest()[:16]}.{ext}"


def _cached(name: str, recipe: dict, funcs: Sequence[Callable], compute: Callable) -> Any:
    """``compute()`` (JSON-able), once per recipe and code: later calls read build/cache."""
    path = _cache_path(name, recipe, funcs, "json")
    if path.is_file():
        return json.loads(path.read_text())
    result = compute()
    _atomic_write(path, json.dumps(result).encode())
    return result


def _state_hash(model: nn.Module) -> str:
    digest = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        digest.update(name.encode() + tensor.numpy().tobytes())
    return digest.hexdigest()[:16]


def _task_hash(task: Task) -> str:
    digest = hashlib.sha256()
    for tensor in vars(task).values():
        digest.update(tensor.numpy().tobytes())
    return digest.hexdigest()[:16]


def _atomic_write(path: Path, content: bytes) -> None:
    """Write via a temporary file and a rename, so that parallel runs never read half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)
