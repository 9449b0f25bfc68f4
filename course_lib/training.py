"""Lesson 04: training a network. What the lesson writes, in the order it writes it.

- Optimisers on numpy arrays: ``SGD``, ``Momentum``, ``RMSprop``, ``Adam`` (each checked against
  ``torch.optim``), and ``trajectory``, the walk they take on a function of a few parameters.
- ``fit``: the course's one mini-batch training loop (seed 003's five steps), with hooks for the
  loss, a batch transform (augmentation, corruption, adversarial examples) and the optimiser.
  Lessons 05, 07, 09 and 10 reuse it; ``train_epoch`` is one epoch of it, ``evaluate`` its
  validation pass.
- Initialisation (``init_std``, ``relu_mlp``), early stopping, inverted ``dropout``, and the
  validation tools: grid and random search points, k-fold splits.

Experiment drivers (test surfaces, gradient-noise and signal measurements, plots) live in
``course_lib.training_experiments``.
"""

import itertools
import os
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import trange

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Transform = Callable[
    [torch.Tensor, torch.Tensor, torch.Generator], tuple[torch.Tensor, torch.Tensor]
]
GradFn = Callable[[np.ndarray], np.ndarray]


def progress_disabled() -> bool:
    """True when TQDM_DISABLE asks for silence (``make`` and the tests set it).

    tqdm's notebook bar sets ``disable=False`` itself and so ignores the variable: pass this.
    """
    return os.environ.get("TQDM_DISABLE", "").lower() in {"1", "true", "yes"}


def accuracy(logits, labels) -> float:
    """Fraction of rows whose arg-max matches the label. logits: (n, classes), labels: (n,)."""
    logits, labels = np.asarray(logits), np.asarray(labels)
    if logits.ndim != 2 or labels.shape != (logits.shape[0],):
        raise ValueError(
            f"logits must be (n, classes) and labels (n,), got {logits.shape} and {labels.shape}"
        )
    return float(np.mean(logits.argmax(axis=1) == labels))


# --- Optimisers on numpy arrays ---------------------------------------------------------------


class Optimiser:
    """Gradient descent on numpy arrays: ``step(params, grads)`` changes every array in place.

    A subclass writes ``update(g, state)``: the amount to subtract from one parameter, given
    its gradient g and the parameter's own ``state`` dict (velocity, averages), kept between
    steps.
    """

    def __init__(self, lr: float) -> None:
        self.lr, self.t, self.state = lr, 0, []

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Step t -> t + 1 of every parameter; grads[k] has the shape of params[k]."""
        self.state = self.state or [{} for _ in params]
        self.t += 1
        for theta, g, state in zip(params, grads, self.state, strict=True):
            theta -= self.update(g, state)


class SGD(Optimiser):
    """Plain gradient descent: theta <- theta - lr * g."""

    def update(self, g: np.ndarray, state: dict) -> np.ndarray:
        return self.lr * g


class Momentum(Optimiser):
    """Heavy-ball momentum, as torch.optim.SGD writes it:
    v <- mu v + g, theta <- theta - lr v."""

    def __init__(self, lr: float, mu: float = 0.9) -> None:
        super().__init__(lr)
        self.mu = mu

    def update(self, g: np.ndarray, state: dict) -> np.ndarray:
        state["v"] = self.mu * state.get("v", 0.0) + g
        return self.lr * state["v"]


class RMSprop(Optimiser):
    """RMSprop: s <- rho s + (1 - rho) g^2, theta <- theta - lr g / (sqrt(s) + eps).

    rho = 0.9 is Keras's default (seed 003's library); torch.optim.RMSprop calls it alpha.
    """

    def __init__(self, lr: float, rho: float = 0.9, eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.rho, self.eps = rho, eps

    def update(self, g: np.ndarray, state: dict) -> np.ndarray:
        state["s"] = self.rho * state.get("s", 0.0) + (1 - self.rho) * g**2
        return self.lr * g / (np.sqrt(state["s"]) + self.eps)


class Adam(Optimiser):
    """Adam with seed 004's defaults: moving averages M of g and V of g^2, bias-corrected.

    theta <- theta - lr * M_hat / (sqrt(V_hat) + eps), as Kingma and Ba and torch.optim.Adam.
    """

    def __init__(
        self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def update(self, g: np.ndarray, state: dict) -> np.ndarray:
        state["M"] = self.beta1 * state.get("M", 0.0) + (1 - self.beta1) * g
        state["V"] = self.beta2 * state.get("V", 0.0) + (1 - self.beta2) * g**2
        M_hat = state["M"] / (1 - self.beta1**self.t)
        V_hat = state["V"] / (1 - self.beta2**self.t)
        return self.lr * M_hat / (np.sqrt(V_hat) + self.eps)


def trajectory(
    optimiser: Optimiser,
    grad_fn: GradFn,
    start: np.ndarray,
    steps: int,
    schedule: Callable[[int], float] | None = None,
) -> np.ndarray:
    """The points theta_0, ..., theta_steps that ``optimiser`` visits from start (d,).

    grad_fn: theta (d,) -> gradient (d,). schedule: t -> alpha_t, the step size of step
    t = 1, 2, ... (seed 004's alpha_t); None keeps ``optimiser.lr``. Returns (steps + 1, d).
    """
    theta = np.array(start, dtype=float)
    points = [theta.copy()]
    for t in range(1, steps + 1):
        if schedule is not None:
            optimiser.lr = schedule(t)
        optimiser.step([theta], [grad_fn(theta)])
        points.append(theta.copy())
    return np.array(points)


# --- The training loop (seed 003) --------------------------------------------------------------


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn: LossFn) -> dict:
    """Loss of ``model`` on (x, y) in eval mode, and the accuracy if y holds class labels."""
    model.eval()
    with torch.no_grad():
        out = model(x)
    scores = {"loss": loss_fn(out, y).item()}
    if y.dtype == torch.long and out.ndim == 2:
        scores["acc"] = (out.argmax(dim=1) == y).sum().item() / len(y)
    return scores


def train_epoch(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_size: int,
    optimiser: torch.optim.Optimizer,
    loss_fn: LossFn,
    transform: Transform | None,
    generator: torch.Generator,
) -> float:
    """One epoch of seed 003's steps in train mode: shuffle, then per mini-batch forward,
    loss, backward, step. x: (n, ...); y: (n,) labels or (n, ...) targets; transform(xb,
    yb, generator) changes each batch first. Returns the loss averaged over the epoch's
    batches."""
    model.train()
    total = 0.0
    for batch in torch.randperm(len(x), generator=generator).split(batch_size):
        xb, yb = x[batch], y[batch]
        xb, yb = transform(xb, yb, generator) if transform is not None else (xb, yb)
        loss = loss_fn(model(xb), yb)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        total += loss.item() * len(batch)
    return total / len(x)


def fit(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    batch_size: int = 32,
    lr: float = 1e-3,
    optimiser: torch.optim.Optimizer | None = None,
    loss_fn: LossFn = F.cross_entropy,
    transform: Transform | None = None,
    x_val: torch.Tensor | None = None,
    y_val: torch.Tensor | None = None,
    seed: int = 0,
) -> dict[str, list[float]]:
    """``epochs`` epochs of ``train_epoch`` (optimiser None: Adam at lr), each scored on
    (x_val, y_val) if given. Returns per-epoch 'loss', 'val_loss' and, for labels,
    'val_acc'."""
    generator = torch.Generator().manual_seed(seed)
    optimiser = optimiser or torch.optim.Adam(model.parameters(), lr=lr)
    history: dict[str, list[float]] = {"loss": []}
    for _ in trange(epochs, desc="epochs", leave=False, disable=progress_disabled()):
        loss = train_epoch(model, x, y, batch_size, optimiser, loss_fn, transform, generator)
        history["loss"].append(loss)
        if x_val is not None:
            for name, value in evaluate(model, x_val, y_val, loss_fn).items():
                history.setdefault(f"val_{name}", []).append(value)
    model.eval()
    return history


# --- Initialisation (seed 004, Glorot and Bengio, He et al.) ---------------------------------


def init_std(scheme: str, fan_in: int, fan_out: int) -> float:
    """Standard deviation of a dense layer's initial weights under seed 004, Xavier or He."""
    stds = {
        "seed004": 0.001,
        "xavier": np.sqrt(2 / (fan_in + fan_out)),
        "he": np.sqrt(2 / fan_in),
    }
    if scheme not in stds:
        raise ValueError(f"scheme must be one of {list(stds)}, got {scheme!r}")
    return stds[scheme]


def relu_mlp(
    sizes: list[int],
    scheme: str = "he",
    seed: int = 0,
    dropout: tuple[float, float] | None = None,
) -> nn.Sequential:
    """Flatten, then Linear and ReLU layers of widths sizes[1:]: (n, ...) -> (n, sizes[-1]).

    W ~ N(0, init_std^2) from np.random.default_rng(seed); b = 0.01 for seed 004, else 0.
    dropout: seed 004's KEEP probabilities (inputs, hidden units), e.g. (0.8, 0.5).
    """
    rng = np.random.default_rng(seed)
    layers: list[nn.Module] = [nn.Flatten()]
    layers += [nn.Dropout(1 - dropout[0])] if dropout else []
    for k, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        linear = nn.Linear(fan_in, fan_out)
        w = rng.normal(0.0, init_std(scheme, fan_in, fan_out), size=(fan_out, fan_in))
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.fill_(0.01 if scheme == "seed004" else 0.0)
        layers.append(linear)
        if k < len(sizes) - 2:
            layers += [nn.ReLU()] + ([nn.Dropout(1 - dropout[1])] if dropout else [])
    return nn.Sequential(*layers)


# --- Over-fitting and regularisation (seeds 003 and 004) ---------------------------------------


def early_stopping_epoch(val_losses: list[float], patience: int) -> tuple[int, int]:
    """(best epoch, epoch at which training stops), both counted from 0.

    Training stops once the validation loss has not improved for ``patience`` epochs in a row
    (or at the last epoch); the weights to keep are those of the best epoch.
    """
    best = 0
    for epoch, loss in enumerate(val_losses):
        if loss < val_losses[best]:
            best = epoch
        if epoch - best >= patience:
            return best, epoch
    return best, len(val_losses) - 1


def dropout(z: np.ndarray, keep: float, rng: np.random.Generator) -> np.ndarray:
    """Inverted dropout at training time: keep each unit with probability ``keep``, scale
    by 1/keep.

    z: any shape -> the same shape, with expectation z, so that at test time the layer does
    nothing.
    """
    return z * (rng.random(z.shape) < keep) / keep


# --- Choosing on validation data (seed 004) ----------------------------------------------------


def grid_search_points(ranges: list[tuple[float, float]], per_axis: int) -> np.ndarray:
    """Every combination of ``per_axis`` log-spaced values in each (low, high):
    (per_axis^k, k)."""
    axes = [np.logspace(np.log10(low), np.log10(high), per_axis) for low, high in ranges]
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(ranges))


def random_search_points(
    ranges: list[tuple[float, float]], n: int, rng: np.random.Generator
) -> np.ndarray:
    """n points drawn log-uniformly (uniform in log10) from each (low, high) range: (n, k)."""
    low, high = np.log10(np.array(ranges, dtype=float)).T
    return 10 ** rng.uniform(low, high, size=(n, len(ranges)))


def kfold_indices(
    n: int,
    k: int,
    rng: np.random.Generator,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """k (train, validation) index pairs: range(n) shuffled and cut into k folds, each fold
    the validation part once and the other k - 1 folds its training part."""
    folds = np.array_split(rng.permutation(n), k)
    return [(np.concatenate(folds[:i] + folds[i + 1 :]), f) for i, f in enumerate(folds)]
