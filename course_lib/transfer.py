"""Reusing what a network learned (lesson 10): autoencoders, greedy pretraining, transfer.

Images enter the dense models here as rows of 64 pixels (n, 64) in [0, 1] and the convolutional
ones as (n, 1, 8, 8). Every training function seeds its own generator, so results depend only on
the arguments.
"""

import copy
import itertools
from collections.abc import Callable, Sequence

import numpy as np

from course_lib import training

TRANSFER_CUT = 7
"""The digit CNN's layers [0, 7) (two conv blocks and the Flatten) are the reusable base."""


def _check_sizes(sizes: Sequence[int], name: str = "sizes") -> tuple[int, ...]:
    sizes = tuple(sizes)
    if len(sizes) < 2 or not all(isinstance(s, int) and s > 0 for s in sizes):
        raise ValueError(f"{name} must be at least two positive ints, got {sizes}")
    return sizes


def _check_rows(x, width: int, name: str = "x") -> None:
    if x.ndim != 2 or x.shape[1] != width:
        raise ValueError(f"{name} must have shape (n, {width}), got {tuple(x.shape)}")


def dense_stack(sizes: Sequence[int], *, last_activation: bool = True):
    """Linear layers sizes[0] -> sizes[1] -> ..., a ReLU after each (optionally not the last)."""
    from torch import nn

    sizes = _check_sizes(sizes)
    layers: list = []
    for k, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(n_in, n_out))
        if last_activation or k < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def autoencoder(sizes: Sequence[int] = (64, 32, 2), seed: int = 0):
    """Encoder sizes[0] -> ... -> sizes[-1] (a linear code) and the mirror-image decoder.

    Returns nn.Sequential(encoder, decoder): model[0] maps (n, sizes[0]) to codes (n, sizes[-1]),
    model[1] maps codes back to (n, sizes[0]) through a sigmoid (pixels are in [0, 1]).
    """
    import torch
    from torch import nn

    sizes = _check_sizes(sizes)
    torch.manual_seed(seed)
    encoder = dense_stack(sizes, last_activation=False)
    decoder = nn.Sequential(*dense_stack(sizes[::-1], last_activation=False), nn.Sigmoid())
    return nn.Sequential(encoder, decoder)


def corrupt(x, noise: float, generator=None):
    """x plus Gaussian noise of standard deviation ``noise``, clipped to [0, 1]. Any shape."""
    import torch

    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    if noise == 0:
        return x
    return (x + noise * torch.randn(x.shape, generator=generator)).clamp(0.0, 1.0)


def fit_reconstruction(
    model,
    x,
    *,
    epochs: int,
    batch_size: int = 64,
    lr: float = 3e-3,
    noise: float = 0.0,
    seed: int = 0,
) -> list[float]:
    """Train ``model`` to give back its input: minimise mean((model(corrupt(x)) - x)^2).

    x: (n, d) float tensor. noise > 0 makes it a denoising autoencoder (fresh noise every batch).
    Returns the mean training loss of every epoch.
    """
    import torch

    if epochs < 1 or batch_size < 1 or lr <= 0:
        raise ValueError(
            f"need epochs >= 1, batch_size >= 1, lr > 0; got {epochs}, {batch_size}, {lr}"
        )
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        total = 0.0
        for start in range(0, len(x), batch_size):
            batch = x[order[start : start + batch_size]]
            optimiser.zero_grad()
            loss = torch.mean((model(corrupt(batch, noise, generator)) - batch) ** 2)
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        history.append(total / len(x))
    model.eval()
    return history


def reconstruction_error(model, x, target=None) -> float:
    """mean((model(x) - target)^2), target defaulting to x. x, target: (n, d) tensors."""
    import torch

    target = x if target is None else target
    if target.shape != x.shape:
        raise ValueError(
            f"target must have the shape of x {tuple(x.shape)}, got {tuple(target.shape)}"
        )
    with torch.no_grad():
        return float(torch.mean((model(x) - target) ** 2))


def greedy_pretrain(x, sizes: Sequence[int], *, epochs: int = 20, lr: float = 3e-3, seed: int = 0):
    """Greedy layer-wise pretraining: one shallow autoencoder per layer, trained on the codes below.

    x: (n, sizes[0]) unlabelled inputs. Layer k is Linear(sizes[k], sizes[k+1]) + ReLU, trained
    (with a throw-away linear decoder) to reconstruct the output of the layers below it, which
    stay fixed. Returns the list of trained nn.Linear encoder layers and their reconstruction
    loss histories.
    """
    import torch
    from torch import nn

    sizes = _check_sizes(sizes)
    _check_rows(x, sizes[0])
    layers, histories, h = [], [], x
    for k, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        torch.manual_seed(seed + k)
        encoder = nn.Linear(n_in, n_out)
        shallow = nn.Sequential(encoder, nn.ReLU(), nn.Linear(n_out, n_in))
        histories.append(fit_reconstruction(shallow, h, epochs=epochs, lr=lr, seed=seed + k))
        layers.append(encoder)
        with torch.no_grad():
            h = torch.relu(encoder(h))
    return layers, histories


def deep_classifier(sizes: Sequence[int], classes: int, pretrained=None, seed: int = 0):
    """MLP sizes[0] -> ... -> sizes[-1] (ReLU each) -> Linear(sizes[-1], classes).

    pretrained: optional list of nn.Linear layers (from ``greedy_pretrain``) whose weights are
    copied into the hidden layers; otherwise they start from PyTorch's random initialisation.
    """
    import torch
    from torch import nn

    sizes = _check_sizes(sizes)
    torch.manual_seed(seed)
    model = nn.Sequential(*dense_stack(sizes), nn.Linear(sizes[-1], classes))
    if pretrained is not None:
        hidden = [m for m in model[:-1] if isinstance(m, nn.Linear)]
        if len(pretrained) != len(hidden):
            raise ValueError(f"pretrained must hold {len(hidden)} layers, got {len(pretrained)}")
        for mine, theirs in zip(hidden, pretrained, strict=True):
            if mine.weight.shape != theirs.weight.shape:
                raise ValueError(
                    f"pretrained layer shape {tuple(theirs.weight.shape)} does not match "
                    f"{tuple(mine.weight.shape)}"
                )
            mine.load_state_dict(theirs.state_dict())
    return model


def labelled_subset(labels: np.ndarray, per_class: int, seed: int = 0) -> np.ndarray:
    """Sorted indices of ``per_class`` random examples of every class in ``labels`` (n,)."""
    labels = np.asarray(labels)
    classes, counts = np.unique(labels, return_counts=True)
    if per_class < 1 or per_class > counts.min():
        raise ValueError(f"per_class must be in [1, {counts.min()}], got {per_class}")
    rng = np.random.default_rng(seed)
    picks = [rng.choice(np.flatnonzero(labels == c), per_class, replace=False) for c in classes]
    return np.sort(np.concatenate(picks))


def freeze(module):
    """Stop training ``module``: requires_grad = False on all its parameters. Returns it."""
    for parameter in module.parameters():
        parameter.requires_grad_(False)
    return module


def count_trainable(model) -> int:
    """Number of parameters (scalars) that an optimiser would change."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def transfer_model(
    pretrained, classes: int, *, frozen: bool = True, seed: int = 0, cut: int = TRANSFER_CUT
):
    """A copy of ``pretrained``'s first ``cut`` layers (the base) with a fresh head.

    pretrained: the digit CNN (input (n, 1, 8, 8)); with the default cut the base gives (n, 128)
    features and the head is Linear(128, 64), ReLU, Linear(64, classes). In general the head is
    a newly initialised digit CNN's layers [cut, end). frozen: freeze the base (feature
    extraction). The pretrained network itself is never modified.
    """
    import torch
    from torch import nn

    from course_lib import cnn

    if not 1 <= cut < len(pretrained):
        raise ValueError(f"cut must be in [1, {len(pretrained) - 1}], got {cut}")
    base = copy.deepcopy(pretrained[:cut])
    if frozen:
        freeze(base)
    torch.manual_seed(seed)
    head = cnn.digit_cnn(classes)[cut:]
    return nn.Sequential(base, head)


def train_steps(model, x, y, *, steps: int, batch_size: int = 32, lr: float = 2e-3, seed: int = 0):
    """``training.fit`` for about ``steps`` optimiser steps whatever the number of examples."""
    batches = -(-len(x) // batch_size)
    return training.fit(model, x, y, epochs=max(1, round(steps / batches)), batch_size=batch_size,
                        lr=lr, seed=seed)  # fmt: skip


def test_accuracy(model, x, y) -> float:
    """Accuracy of ``model`` on (x, y), without tracking gradients."""
    import torch

    with torch.no_grad():
        return training.accuracy(model(x).numpy(), y.numpy())


METHODS = ("from scratch", "feature extraction", "fine-tuning")
CONTROL = "frozen random base"
"""The control: feature extraction on a base that was never trained (what is the training worth?)"""


def transfer_methods(pretrained, classes: int, seed: int) -> dict[str, Callable]:
    """Trainers by method name: each takes (x, y, steps) and returns a trained model."""
    from course_lib import cnn

    def scratch(x, y, steps):
        import torch

        torch.manual_seed(seed)
        model = cnn.digit_cnn(classes)
        train_steps(model, x, y, steps=steps, seed=seed)
        return model

    def features(x, y, steps):
        model = transfer_model(pretrained, classes, frozen=True, seed=seed)
        train_steps(model, x, y, steps=steps, seed=seed)
        return model

    def fine_tune(x, y, steps):
        model = features(x, y, steps // 2)
        for parameter in model.parameters():
            parameter.requires_grad_(True)
        train_steps(model, x, y, steps=steps - steps // 2, lr=5e-4, seed=seed)
        return model

    return dict(zip(METHODS, (scratch, features, fine_tune), strict=True))


def select_classes(digits, classes: Sequence[int]):
    """The digits of the given classes as tensors: images (m, 1, 8, 8), labels (m,) renumbered
    0..len(classes)-1 in the order of ``classes``."""
    import torch

    keep = np.isin(digits.labels, classes)
    if not keep.any():
        raise ValueError(f"classes {list(classes)} do not occur in the labels")
    images = torch.from_numpy(digits.images[keep][:, None]).float()
    labels = np.searchsorted(np.asarray(classes), digits.labels[keep])
    return images, torch.from_numpy(labels).long()


def transfer_curves(
    pretrained,
    train: tuple,
    test: tuple,
    per_class: Sequence[int],
    seeds: Sequence[int],
    *,
    steps: int = 150,
) -> dict[str, np.ndarray]:
    """Test accuracy of every method in METHODS (and CONTROL) against the number of labels.

    train, test: (images (n, 1, 8, 8), labels (n,)) tensors of the new task. For every
    ``per_class`` and seed, the same labelled subset is given to every method.
    Returns method -> accuracies of shape (len(per_class), len(seeds)).
    """
    import torch

    from course_lib import cnn

    (x, y), (x_test, y_test) = train, test
    classes = int(y.max()) + 1
    results = {name: np.zeros((len(per_class), len(seeds))) for name in (*METHODS, CONTROL)}
    for j, seed in enumerate(seeds):
        torch.manual_seed(1000 + seed)
        untrained = cnn.digit_cnn(classes)
        trainers = transfer_methods(pretrained, classes, seed)
        trainers[CONTROL] = transfer_methods(untrained, classes, seed)["feature extraction"]
        for i, n in enumerate(per_class):
            idx = torch.from_numpy(labelled_subset(y.numpy(), n, seed=seed))
            for name, trainer in trainers.items():
                model = trainer(x[idx], y[idx], steps)
                results[name][i, j] = test_accuracy(model, x_test, y_test)
    return results


def nearest_neighbour_accuracy(codes, labels, query_codes, query_labels) -> float:
    """Fraction of query points whose nearest code (Euclidean) has the same label.

    codes: (n, k), labels: (n,), query_codes: (m, k), query_labels: (m,).
    """
    codes, query_codes = np.asarray(codes, float), np.asarray(query_codes, float)
    if codes.ndim != 2 or query_codes.ndim != 2 or codes.shape[1] != query_codes.shape[1]:
        raise ValueError(
            f"codes and query_codes must be (n, k) and (m, k), got {codes.shape} and "
            f"{query_codes.shape}"
        )
    distances = ((query_codes[:, None, :] - codes[None, :, :]) ** 2).sum(axis=-1)
    predicted = np.asarray(labels)[distances.argmin(axis=1)]
    return float(np.mean(predicted == np.asarray(query_labels)))


def shift_images(images: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Every image moved ``dy`` pixels down and ``dx`` right, filling with 0 (data augmentation).

    images: (n, h, w) -> (n, h, w); |dy| < h and |dx| < w.
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must be rank 3 (n, h, w), got shape {images.shape}")
    _, h, w = images.shape
    if abs(dy) >= h or abs(dx) >= w:
        raise ValueError(f"shifts must be smaller than the image {h}x{w}, got dy={dy}, dx={dx}")
    out = np.zeros_like(images)
    out[:, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = images[
        :, max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out
