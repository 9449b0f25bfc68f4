"""Lesson 04's experiment drivers: test surfaces, measurements and plots around ``training``.

The lesson writes the algorithms (``course_lib.training``); this module holds the bench they are
tried on: two 2-D loss surfaces, a torch.optim walk to compare with, the signal and gradient of
every layer, the noise of a mini-batch gradient, label corruption, an epoch-by-epoch record of
``training.fit``, and the plots the lesson draws more than once.
"""

import time
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.axes import Axes
from torch import nn

from course_lib import cnn, data, training

Surface = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def bowl(theta: np.ndarray, condition: float = 25.0) -> tuple[np.ndarray, np.ndarray]:
    """Ill-conditioned quadratic f = (x^2 + condition * y^2) / 2 and its gradient.

    theta: (..., 2). Returns (f of shape (...), grad of shape (..., 2)); the minimum is 0 at 0.
    """
    theta = np.asarray(theta, dtype=float)
    scale = np.array([1.0, condition])
    return 0.5 * np.sum(scale * theta**2, axis=-1), scale * theta


def rosenbrock(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rosenbrock's valley f = (1 - x)^2 + 100 (y - x^2)^2 (minimum 0 at (1, 1)) and its gradient.

    theta: (..., 2). Returns (f of shape (...), grad of shape (..., 2)).
    """
    theta = np.asarray(theta, dtype=float)
    x, y = theta[..., 0], theta[..., 1]
    value = (1 - x) ** 2 + 100 * (y - x**2) ** 2
    grad = np.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], axis=-1)
    return value, grad


def torch_trajectory(
    optimiser_class: type[torch.optim.Optimizer],
    hyper: dict,
    grad_fn: training.GradFn,
    start: np.ndarray,
    steps: int,
) -> np.ndarray:
    """``training.trajectory``'s walk with every update made by torch.optim (float64).

    The gradient handed to torch is grad_fn at torch's own current point, so only the update
    rules are compared. Returns (steps + 1, d).
    """
    theta = torch.tensor(np.asarray(start, dtype=float), requires_grad=True)
    optimiser = optimiser_class([theta], **hyper)
    points = [theta.detach().numpy().copy()]
    for _ in range(steps):
        theta.grad = torch.from_numpy(np.asarray(grad_fn(theta.detach().numpy()), dtype=float))
        optimiser.step()
        points.append(theta.detach().numpy().copy())
    return np.array(points)


def noisy(grad_fn: training.GradFn, scale: float, rng: np.random.Generator) -> training.GradFn:
    """grad_fn plus independent Gaussian noise of standard deviation ``scale`` at every call."""
    return lambda theta: grad_fn(theta) + rng.normal(0.0, scale, size=np.shape(theta))


def contour_grid(
    surface: Surface, xlim: tuple[float, float], ylim: tuple[float, float], resolution: int = 150
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, log10(1 + f)) on a resolution x resolution grid over xlim x ylim, for contours."""
    xs, ys = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    return xs, ys, np.log10(1 + surface(np.stack([xs, ys], axis=-1))[0])


def plot_paths(
    ax: Axes,
    grid: tuple[np.ndarray, np.ndarray, np.ndarray],
    paths: dict[str, np.ndarray],
    minimum: tuple[float, float] = (0.0, 0.0),
    *,
    mark_start: bool = True,
) -> None:
    """Contours of a ``contour_grid`` with equal axis scales, and each named path (k, 2) on top;
    a star marks the minimum and, with ``mark_start``, a square the first path's first point."""
    xs, ys, levels = grid
    ax.contour(xs, ys, levels, levels=12, colors="0.75", linewidths=0.7)
    for name, path in paths.items():
        ax.plot(path[:, 0], path[:, 1], ".-", markersize=3, linewidth=1, label=name)
    ax.plot(*minimum, "k*", markersize=12, label="minimum")
    if mark_start:
        ax.plot(*next(iter(paths.values()))[0], "ks", markersize=6, label="start")
    ax.set(xlim=(xs.min(), xs.max()), ylim=(ys.min(), ys.max()), aspect="equal")
    ax.set(xlabel=r"$\theta_1$", ylabel=r"$\theta_2$")


def layer_outputs(model: nn.Sequential, x: torch.Tensor) -> list[torch.Tensor]:
    """The output H_j = W_j Z_{j-1} + b_j of every Linear layer j for the inputs x, in order."""
    outputs: list[torch.Tensor] = []
    linears = [m for m in model if isinstance(m, nn.Linear)]
    hooks = [m.register_forward_hook(lambda _m, _i, out: outputs.append(out)) for m in linears]
    with torch.no_grad():
        model(x)
    for hook in hooks:
        hook.remove()
    return outputs


def layer_grad_norms(model: nn.Sequential, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """||dL/dW_j|| of every Linear layer j for the mean cross-entropy on (x, y): (layers,)."""
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    return np.array([m.weight.grad.norm().item() for m in model if isinstance(m, nn.Linear)])


def gradient_noise(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_sizes: list[int],
    draws: int,
    seed: int = 0,
) -> dict[int, float]:
    """How far a mini-batch gradient strays from the full one: batch size B -> the root mean
    square over ``draws`` random batches of ||g_B - g|| / ||g||, with g the gradient on all of x."""

    def gradient(xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        model.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        return torch.cat([p.grad.flatten() for p in model.parameters()])

    generator = torch.Generator().manual_seed(seed)
    full = gradient(x, y)
    noise = {}
    for size in batch_sizes:
        errors = [
            (gradient(x[b], y[b]) - full).norm() / full.norm()
            for b in (torch.randperm(len(x), generator=generator)[:size] for _ in range(draws))
        ]
        noise[size] = float(np.sqrt(np.mean(np.square(errors))))
    return noise


def batch_regime(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    optimiser: torch.optim.Optimizer,
    batch_size: int,
    epochs: int,
    every: int,
    x_val: torch.Tensor,
    y_val: torch.Tensor,
) -> dict[str, np.ndarray]:
    """``training.fit`` in batches of ``batch_size`` for ``epochs`` epochs, scored on the
    validation data every ``every`` examples: each epoch's shuffled order is cut into slices of
    ``every`` examples, and ``fit`` runs one epoch on each slice.

    Returns the 'examples' processed, the optimiser 'steps' taken and the 'val_loss', each
    (records,); the first record is the untrained model.
    """
    generator = torch.Generator().manual_seed(0)
    untrained = training.evaluate(model, x_val, y_val, F.cross_entropy)["loss"]
    record = {"examples": [0], "steps": [0], "val_loss": [untrained]}
    for _ in range(epochs):
        for part in torch.randperm(len(x), generator=generator).split(every):
            history = training.fit(
                model,
                x[part],
                y[part],
                epochs=1,
                batch_size=batch_size,
                optimiser=optimiser,
                x_val=x_val,
                y_val=y_val,
                seed=len(record["steps"]),
            )
            record["examples"].append(record["examples"][-1] + len(part))
            record["steps"].append(record["steps"][-1] + -(-len(part) // batch_size))
            record["val_loss"].append(history["val_loss"][0])
    return {name: np.array(values) for name, values in record.items()}


def epoch_seconds(batch_size: int, n: int = 1000, repeats: int = 3) -> float:
    """CPU seconds of one ``training.fit`` epoch over n training digits in batches of
    ``batch_size``, with lesson 04's network (seed 000's 784-64-10) and SGD: the fastest of
    ``repeats`` epochs, after one epoch to warm up. For BENCH.md (``make bench``)."""
    x, y = cnn.mnist_tensors(data.mnist_split().train)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
    sgd = torch.optim.SGD(model.parameters(), lr=0.05)
    seconds = []
    for _ in range(repeats + 1):
        start = time.process_time()
        training.fit(model, x[:n], y[:n], epochs=1, batch_size=batch_size, optimiser=sgd)
        seconds.append(time.process_time() - start)
    return min(seconds[1:])


def corrupt_labels(
    labels: torch.Tensor, fraction: float, rng: np.random.Generator
) -> tuple[torch.Tensor, np.ndarray]:
    """A copy of labels (n,) in which round(fraction * n) of them, chosen at random, are moved to
    a different class at random. Returns (new labels, boolean mask of the changed ones)."""
    wrong = np.zeros(len(labels), dtype=bool)
    wrong[rng.permutation(len(labels))[: round(fraction * len(labels))]] = True
    shift = torch.from_numpy(rng.integers(1, 10, size=int(wrong.sum())))
    noisy_labels = labels.clone()
    noisy_labels[wrong] = (labels[wrong] + shift) % 10
    return noisy_labels, wrong


def fit_recorded(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    optimiser: torch.optim.Optimizer,
    epochs: int,
    x_val: torch.Tensor,
    y_val: torch.Tensor,
    probes: dict[str, Callable[[nn.Module], float]] | None = None,
    **fit_options,
) -> dict[str, list[float]]:
    """``training.fit`` one epoch at a time (epoch e shuffles with seed e), recording after each
    epoch what ``fit`` records ('loss' in train mode, averaged over the epoch, 'val_loss',
    'val_acc'), the eval-mode 'train_loss' and 'train_acc' on (x, y), and each probe(model).
    """
    record: dict[str, list[float]] = {}
    for epoch in range(epochs):
        history = training.fit(
            model, x, y, epochs=1, optimiser=optimiser, x_val=x_val, y_val=y_val, seed=epoch,
            **fit_options,
        )  # fmt: skip
        scores = training.evaluate(model, x, y, F.cross_entropy)
        history |= {f"train_{name}": [value] for name, value in scores.items()}
        history |= {name: [probe(model)] for name, probe in (probes or {}).items()}
        for key, values in history.items():
            record.setdefault(key, []).extend(values)
    return record


# --- The lesson's figures, drawn on axes the lesson creates ------------------------------------


def draw_walks(
    ax_path: Axes,
    ax_loss: Axes,
    grid: tuple[np.ndarray, np.ndarray, np.ndarray],
    paths: dict[str, np.ndarray],
    losses: dict[str, np.ndarray],
    *,
    mark_start: bool = True,
) -> None:
    """Paths (k, 2) over a contour grid on the left; loss curves (k,), log scale, on the right;
    one legend, right of the loss panel, for both (a name keeps its colour in both panels)."""
    plot_paths(ax_path, grid, paths, mark_start=mark_start)
    for name, loss in losses.items():
        ax_loss.semilogy(loss, label=name)
    ax_loss.set(xlabel="step", ylabel="loss")
    handles, labels = ax_loss.get_legend_handles_labels()
    for handle, label in zip(*ax_path.get_legend_handles_labels(), strict=True):
        if label not in labels:
            handles, labels = [*handles, handle], [*labels, label]
    ax_loss.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.04, 1.0), borderaxespad=0)


def draw_noise(ax: Axes, noise: dict[int, float], n: int) -> None:
    """Gradient noise against the batch size B (log-log): the measured points, the 1/sqrt(B) of
    independent draws, and the same times sqrt((n - B) / (n - 1)) for B of n drawn without
    replacement."""
    sizes = np.array(list(noise))
    line = np.geomspace(sizes.min(), sizes.max(), 50)
    one = noise[1] / np.sqrt(line)
    ax.loglog(sizes, list(noise.values()), "o", markersize=8, label="measured")
    ax.loglog(line, one, "k--", label=r"$\propto 1/\sqrt{B}$")
    ax.loglog(line, one * np.sqrt((n - line) / (n - 1)), "k:", label=f"without replacement, of {n}")
    ax.set(xlabel="batch size B", ylabel=r"$\|g_B - g\| \,/\, \|g\|$", title="gradient noise")
    ax.legend()


def draw_batch_costs(
    ax_examples: Axes, ax_steps: Axes, runs: dict[int, dict[str, np.ndarray]], target: float
) -> None:
    """Each batch size's validation loss against the examples processed (left) and against the
    optimiser steps taken (right), both on log axes, with the target loss as a grey line."""
    for batch_size, run in runs.items():
        for ax, cost in ((ax_examples, "examples"), (ax_steps, "steps")):
            ax.semilogx(run[cost][1:], run["val_loss"][1:], ".-", label=f"B = {batch_size}")
    for ax, xlabel in ((ax_examples, "examples processed"), (ax_steps, "optimiser steps")):
        ax.axhline(target, color="0.5", linewidth=1, linestyle=":")
        ax.set(xlabel=xlabel, ylabel="validation loss", ylim=(0, None))
        ax.legend()
    ax_examples.set_title("cost in examples (arithmetic)")
    ax_steps.set_title("cost in steps (one after another)")


def draw_per_layer(ax: Axes, values: dict[str, np.ndarray], ylabel: str, title: str) -> None:
    """One curve per scheme of a per-layer quantity (layers,), on a log scale."""
    for name, per_layer in values.items():
        ax.semilogy(np.arange(1, len(per_layer) + 1), per_layer, "o-", label=name)
    ax.set(xlabel="layer j", ylabel=ylabel, title=title)


def draw_epochs(
    ax: Axes,
    curves: dict[str, list[float]],
    styles: dict[str, dict],
    ylabel: str,
    title: str,
) -> None:
    """Named per-epoch curves against the epoch 1, 2, ...; styles[name] goes to its ``ax.plot``
    (colour, line style), so that a series keeps its look from panel to panel."""
    for name, values in curves.items():
        ax.plot(np.arange(1, len(values) + 1), values, label=name, **styles[name])
    ax.set(xlabel="epoch", ylabel=ylabel, title=title)


def draw_search(
    fig, ax_where: Axes, ax_lr: Axes, searches: dict[str, np.ndarray], losses: dict[str, np.ndarray]
) -> None:
    """Where each search put its (learning rate, weight decay) points, coloured by validation
    loss, and the validation loss against the learning rate."""
    for marker, (name, points) in zip("so", searches.items(), strict=True):
        dots = ax_where.scatter(
            *points.T,
            c=losses[name],
            vmin=0.3,
            vmax=1.5,
            cmap="viridis_r",
            marker=marker,
            s=80,
            edgecolors="k",
            label=name,
        )
        ax_lr.scatter(points[:, 0], losses[name], marker=marker, s=60, label=name)
    ax_where.set(xscale="log", yscale="log", xlabel="learning rate α", ylabel="weight decay λ")
    ax_lr.set(xscale="log", xlabel="learning rate α", ylabel="validation loss")
    ax_where.set_title("where each search looked")
    ax_lr.set_title("validation loss against α")
    fig.colorbar(dots, ax=ax_where, label="validation loss")
    ax_where.legend()
    ax_lr.legend()
