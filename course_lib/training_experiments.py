"""Lesson 04's experiment drivers: test surfaces, measurements and plots around ``training``.

The lesson writes the algorithms (``course_lib.training``); this module holds the bench they are
tried on: two 2-D loss surfaces, a torch.optim walk to compare with, the signal and gradient of
every layer, the noise of a mini-batch gradient, label corruption, an epoch-by-epoch record of
``training.fit``, and the plots the lesson draws more than once.
"""

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.axes import Axes
from torch import nn

from course_lib import training

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
    """Paths (k, 2) over a contour grid on the left; loss curves (k,), log scale, on the right."""
    plot_paths(ax_path, grid, paths, mark_start=mark_start)
    ax_path.legend(loc="lower right", fontsize=9)
    for name, loss in losses.items():
        ax_loss.semilogy(loss, label=name)
    ax_loss.set(xlabel="step", ylabel="loss")


def draw_batch_regimes(
    ax_noise: Axes, ax_val: Axes, noise: dict[int, float], runs: dict[int, dict], n: int
) -> None:
    """Gradient noise against the batch size (log-log, with a 1/sqrt(B) line) on the left; the
    validation loss of each batch size's run against the examples processed on the right."""
    sizes = np.array(list(noise))
    ax_noise.loglog(sizes, list(noise.values()), "o", label="measured")
    ax_noise.loglog(
        sizes, noise[sizes[0]] * np.sqrt(sizes[0] / sizes), "k--", label=r"$\propto 1/\sqrt{B}$"
    )
    ax_noise.set(xlabel="batch size B", ylabel=r"$\|g_B - g\| \,/\, \|g\|$", title="gradient noise")
    for batch_size, history in runs.items():
        steps = -(-n // batch_size)
        examples = n * np.arange(len(history["val_loss"]) + 1)
        label = f"B = {batch_size}: {steps} step{'s' * (steps > 1)} an epoch"
        ax_val.plot(examples, [np.log(10), *history["val_loss"]], "o-", label=label)
    ax_val.set(xlabel="examples processed", ylabel="validation loss", title="learning per example")
    ax_noise.legend()
    ax_val.legend()


def draw_per_layer(ax: Axes, values: dict[str, np.ndarray], ylabel: str, title: str) -> None:
    """One curve per scheme of a per-layer quantity (layers,), on a log scale."""
    for name, per_layer in values.items():
        ax.semilogy(np.arange(1, len(per_layer) + 1), per_layer, "o-", label=name)
    ax.set(xlabel="layer j", ylabel=ylabel, title=title)


def draw_epochs(ax: Axes, curves: dict[str, list[float]], ylabel: str, title: str, **style) -> None:
    """Named per-epoch curves against the epoch 1, 2, ...; ``style`` goes to every ``ax.plot``."""
    for name, values in curves.items():
        ax.plot(np.arange(1, len(values) + 1), values, label=name, **style)
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
