"""Experiment drivers of lesson 05: the degradation experiment and the convolution timings.

``degradation`` trains plain and residual networks of growing depth (``depth_net``) on the
digits with ``training.fit`` and reports their training error, and the gradient that reaches
their first and last convolution before training. ``conv_seconds`` times one convolution layer
(naive loops, numpy im2col with one or more BLAS threads, PyTorch) for ``make bench``.
``rebuild_mnist_cnn`` retrains the course's digit CNN and writes the files that ship it
(``make mnist-cnn``, i.e. ``python -m course_lib.cnn_experiments mnist-cnn``).
"""

import copy
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course_lib import cnn, data, training
from course_lib.cnn_architectures import depth_net


@dataclass(frozen=True)
class DepthRun:
    """One network of the degradation experiment, trained."""

    depth: int
    shortcut: bool
    train_error: float
    """Fraction of the training digits it misclassifies after training, all of them in one batch
    (batch norm normalises with the statistics of the whole training set)."""
    losses: list[float]
    """Mean training loss of each epoch."""
    first_grad: float
    """Norm of dE/dW of the first convolution, before training (one batch)."""
    last_grad: float
    """The same for the last convolution."""


def degradation_digits(n: int = 2000) -> tuple[torch.Tensor, torch.Tensor]:
    """Every (4000 // n)-th training digit (all classes alike), average-pooled to 14x14.

    -> images (n, 1, 14, 14), labels (n,).
    """
    x, y = cnn.mnist_tensors(data.mnist_split().train)
    step = len(x) // n
    return F.avg_pool2d(x[::step][:n], 2), y[::step][:n]


def conv_gradient_norms(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> list[float]:
    """||dE/dW|| of every convolution of ``model`` (in order) for one batch, cross-entropy E.

    The model is copied first, so its parameters and batch-norm statistics stay as they were.
    """
    probe = copy.deepcopy(model).train()
    F.cross_entropy(probe(x), y).backward()
    return [m.weight.grad.norm().item() for m in probe.modules() if isinstance(m, nn.Conv2d)]


def degradation(
    depths: tuple[int, ...] = (4, 10, 20, 32),
    *,
    n: int = 2000,
    epochs: int = 2,
    width: int = 12,
    lr: float = 0.05,
    seed: int = 0,
) -> list[DepthRun]:
    """Train ``depth_net(depth, shortcut)`` for every depth, plain and residual, alike.

    SGD with momentum 0.9 (He et al.'s optimiser) at ``lr``, batch 32, ``epochs`` passes over
    ``degradation_digits(n)``, the same seed for every network.
    """
    x, y = degradation_digits(n)
    runs = []
    for depth in depths:
        for shortcut in (False, True):
            torch.manual_seed(seed)
            model = depth_net(depth, shortcut, width)
            grads = conv_gradient_norms(model, x[:64], y[:64])
            optimiser = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
            sgd = {"optimiser": optimiser, "batch_size": 32, "seed": seed}
            history = training.fit(model, x, y, epochs=epochs, **sgd)
            with torch.no_grad():  # one batch of all n digits: batch norm uses their statistics
                error = (model.train()(x).argmax(dim=1) != y).float().mean().item()
            runs.append(DepthRun(depth, shortcut, error, history["loss"], grads[0], grads[-1]))
    return runs


CONV_LAYER = {"x": (64, 16, 32, 32), "w": (32, 16, 3, 3), "padding": 1}
"""The layer ``conv_seconds`` times: 64 images 32x32x16, 32 filters 3x3, 'same' padding."""


def _time_conv(method: str, repeats: int = 5) -> float:
    """Best CPU seconds of ``repeats`` runs of one method on CONV_LAYER (in this process)."""
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=CONV_LAYER["x"]), rng.normal(size=CONV_LAYER["w"])
    padding = CONV_LAYER["padding"]
    grad_out = rng.normal(size=cnn.conv2d_forward(x, w, padding=padding).shape)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)

    def naive() -> None:  # forward only, one image: loops are too slow for the batch
        cnn.conv2d_naive(np.pad(x[0], ((0, 0), (1, 1), (1, 1))), w, np.zeros(len(w)))

    def im2col() -> None:
        cnn.conv2d_forward(x, w, padding=padding)
        cnn.conv2d_backward(grad_out, x, w, padding=padding)

    def torch_conv() -> None:
        F.conv2d(tx, tw, padding=padding).backward(torch.from_numpy(grad_out))

    run = {"naive": naive, "im2col": im2col, "torch": torch_conv}[method]
    times = []
    for _ in range(repeats):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def conv_seconds(method: str, threads: int = 1) -> float:
    """CPU seconds of one pass over CONV_LAYER, timed in a fresh Python process.

    method: 'naive' (the lesson's loops, forward, one image), 'im2col' (numpy, forward and
    backward) or 'torch' (forward and backward). threads: BLAS threads for numpy (read when numpy
    starts, hence the new process) and torch threads. CPU seconds add up every thread's time.
    """
    if method not in ("naive", "im2col", "torch"):
        raise ValueError(f"method must be 'naive', 'im2col' or 'torch', got {method!r}")
    names = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    env = {**os.environ, **dict.fromkeys(names, str(threads))}
    code = (
        f"import torch; torch.set_num_threads({threads}); "
        f"from course_lib import cnn_experiments; print(cnn_experiments._time_conv({method!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return float(result.stdout.strip().splitlines()[-1])


def rebuild_mnist_cnn(folder: Path = data.DATASETS_DIR) -> dict[str, str]:
    """Run ``cnn.train_mnist_cnn(seed=0)`` and write its weights and curves into ``folder``.

    -> {file name: sha256} of the two files (``cnn.MNIST_CNN_FILES``), for datasets/MANIFEST.toml.
    """
    model, history = cnn.train_mnist_cnn(seed=0)
    weights, curves = (Path(folder) / name for name in cnn.MNIST_CNN_FILES)
    torch.save(model.state_dict(), weights)
    curves.write_text(json.dumps(history, indent=1) + "\n")
    return {path.name: data.sha256(path) for path in (weights, curves)}


if __name__ == "__main__":
    if sys.argv[1:] != ["mnist-cnn"]:
        sys.exit("usage: python -m course_lib.cnn_experiments mnist-cnn")
    for name, digest in rebuild_mnist_cnn().items():
        path = data.DATASETS_DIR / name
        print(f"datasets/{name}: sha256 = {digest!r}, bytes = {path.stat().st_size}")
