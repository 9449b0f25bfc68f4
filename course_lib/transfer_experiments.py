"""Lesson 10's experiments: the source network, the new task and the sweeps that compare ways
to start, all built from what the lesson wrote in ``course_lib.transfer``.

The source network is ``cnn.mnist_cnn(5)`` trained on the 28x28 digits 0-4; the new task is
digits 5-9 with a few labels each. Every run trains until its validation loss stops improving
(``transfer.fit_early_stopping``) and seeds torch itself, so that a result depends only on its
arguments. The source network (``train_source_cnn``) and the two sweeps (``transfer_sweep``,
``cut_sweep``) take minutes, so their results ship in ``datasets/`` (``SHIPPED``, checksummed in
MANIFEST.toml) and the lesson loads them; ``make transfer-results`` (``python -m
course_lib.transfer_experiments transfer-results``) recomputes them one after the other.
"""

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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

SOURCE_DIGITS, TARGET_DIGITS = (0, 1, 2, 3, 4), (5, 6, 7, 8, 9)
CUT = 7
"""``mnist_cnn``'s layers [0, 7), two conv blocks and the Flatten (3,136 features), are the base."""
CUTS = {"after conv block 1": 3, "after conv block 2": CUT, "after the dense layer": 10}
BASE_LR = HEAD_LR = 1e-5
"""Fine-tuning's learning rates, one small rate for every layer as in seed 003 (a new network
here trains at 1e-3)."""
SCRATCH, SHIFTS, FEATURES, FINE_TUNING = (
    "from scratch", "from scratch + shifts", "feature extraction", "fine-tuning",
)  # fmt: skip
PER_CLASS, SEEDS, CUT_PER_CLASS = (1, 3, 10, 30), (0, 1, 2, 3, 4), 10
"""The shipped sweeps: labels per class and seeds of ``transfer_sweep``, labels of ``cut_sweep``."""
SHIPPED = ("transfer_source_cnn.pt", "transfer_sweep.json", "transfer_cut_sweep.json")
"""The source network's weights and the two sweeps' accuracies, in ``datasets/``."""
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


def train_source_cnn(seed: int = 0) -> nn.Sequential:
    """``mnist_cnn(5)`` trained on the digits 0-4 of the training split: random shifts of up to
    2 pixels, Adam 1e-3, batch 64, early stopping (patience 3) on the validation digits 0-4."""
    task = digit_task(SOURCE_DIGITS)
    torch.manual_seed(seed)
    model = cnn.mnist_cnn(len(SOURCE_DIGITS))
    shifts = {"transform": cnn.random_shift, "batch_size": 64, "patience": 3, "seed": seed}
    fit_early_stopping(model, task.x, task.y, task.x_val, task.y_val, **shifts)
    return model.eval()


def source_cnn() -> nn.Sequential:
    """``train_source_cnn(seed=0)`` as shipped in ``datasets/``: outputs the digits 0-4 in order.

    Returns it in eval mode.
    """
    model = cnn.mnist_cnn(len(SOURCE_DIGITS))
    path = data.verified_path(SHIPPED[0])
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


def sweep_runs(source: nn.Sequential, task: Task, per_class: int, seed: int) -> dict[str, float]:
    """Test accuracy of every method in METHODS on the same ``per_class`` labels per class."""
    idx = labelled_subset(task.y.numpy(), per_class, seed)
    runs = {
        SCRATCH: train_from_scratch(task, idx, seed),
        SHIFTS: train_from_scratch(task, idx, seed, shifts=True),
        CONTROL: train_feature_extraction(random_base(seed), CUT, task, idx, seed),
        FEATURES: train_feature_extraction(source, CUT, task, idx, seed),
    }
    accuracies = {name: task_accuracy(model, task) for name, model in runs.items()}
    tuned = train_fine_tuning(runs[FEATURES], task, idx, seed)  # in place
    return {name: accuracies.get(name, task_accuracy(tuned, task)) for name in METHODS}


def transfer_sweep(
    source: nn.Sequential, task: Task, per_class: Sequence[int], seeds: Sequence[int]
) -> dict[str, np.ndarray]:
    """``sweep_runs`` for each number of labels per class and seed (minutes: the lesson loads
    ``shipped_transfer_sweep()``). Returns method -> accuracies (len(per_class), len(seeds))."""
    results = {name: np.zeros((len(per_class), len(seeds))) for name in METHODS}
    for j, seed in enumerate(seeds):
        for i, n in enumerate(per_class):
            for name, accuracy in sweep_runs(source, task, n, seed).items():
                results[name][i, j] = accuracy
    return results


def cut_sweep(
    source: nn.Sequential, task: Task, per_class: int, seeds: Sequence[int]
) -> dict[tuple[str, str], np.ndarray]:
    """Feature extraction with the base cut at each of CUTS, from the source and from a random
    network, with ``per_class`` labels per class. Returns (cut name, "pretrained" or "random")
    -> test accuracies (len(seeds),)."""
    results: dict[tuple[str, str], list[float]] = {}
    for seed in seeds:
        idx = labelled_subset(task.y.numpy(), per_class, seed)
        for where, cut in CUTS.items():
            for kind, base in (("pretrained", source), ("random", random_base(seed))):
                model = train_feature_extraction(base, cut, task, idx, seed)
                results.setdefault((where, kind), []).append(task_accuracy(model, task))
    return {key: np.array(accs) for key, accs in results.items()}


def first_of_the_rest(flags: np.ndarray) -> int:
    """The first index from which every one of ``flags`` (k,) is True (k if the last is False):
    with flags "within the spread" per budget, the budget from which reuse stops mattering."""
    flags = np.asarray(flags, bool)
    return next(i for i in range(len(flags) + 1) if flags[i:].all())


# --- the shipped results ------------------------------------------------------------------------


def shipped_transfer_sweep() -> dict[str, np.ndarray]:
    """``transfer_sweep(source_cnn(), digit_task(TARGET_DIGITS), PER_CLASS, SEEDS)`` as shipped."""
    found = json.loads(data.verified_path(SHIPPED[1]).read_text())
    return {name: np.array(found[name]) for name in METHODS}


def shipped_cut_sweep() -> dict[tuple[str, str], np.ndarray]:
    """``cut_sweep(source_cnn(), digit_task(TARGET_DIGITS), CUT_PER_CLASS, SEEDS)`` as shipped."""
    found = json.loads(data.verified_path(SHIPPED[2]).read_text())
    return {tuple(key.split("|")): np.array(accs) for key, accs in found.items()}


def rebuild_transfer_results(folder: Path = data.DATASETS_DIR) -> dict[str, str]:
    """Train the source network, then run both sweeps on it as reloaded from ``folder``, one run
    after the other; write the three SHIPPED files. -> {file name: sha256}, for MANIFEST.toml."""
    weights, sweep, cuts = (Path(folder) / name for name in SHIPPED)
    torch.save(train_source_cnn(seed=0).state_dict(), weights)
    source = cnn.mnist_cnn(len(SOURCE_DIGITS))
    source.load_state_dict(torch.load(weights, weights_only=True))
    task = digit_task(TARGET_DIGITS)
    table = transfer_sweep(source.eval(), task, PER_CLASS, SEEDS)
    sweep.write_text(json.dumps({k: v.tolist() for k, v in table.items()}, indent=1) + "\n")
    by_cut = cut_sweep(source, task, CUT_PER_CLASS, SEEDS)
    cuts.write_text(
        json.dumps({"|".join(k): v.tolist() for k, v in by_cut.items()}, indent=1) + "\n"
    )
    return {path.name: data.sha256(path) for path in (weights, sweep, cuts)}


if __name__ == "__main__":
    if sys.argv[1:] != ["transfer-results"]:
        sys.exit("usage: python -m course_lib.transfer_experiments transfer-results")
    torch.set_num_threads(1)
    for name, digest in rebuild_transfer_results().items():
        path = data.DATASETS_DIR / name
        print(f"datasets/{name}: sha256 = {digest!r}, bytes = {path.stat().st_size}")
