"""Lesson 01: Rosenblatt's perceptron, its convergence bound, and a one-hidden-layer network.

Notation: inputs x (n, d), 0/1 targets t (n,), weights w (d,), bias b. The perceptron outputs
y = step(w . x + b) with step(z) = 1 if z > 0 else 0, and learns by
w <- w + lr (t - y) x,  b <- b + lr (t - y), one example at a time.
"""

import itertools
from dataclasses import dataclass

import numpy as np

from course_lib.tensors import sigmoid

BINARY_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
GATES: dict[str, np.ndarray] = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "NAND": np.array([1, 1, 1, 0]),
    "XOR": np.array([0, 1, 1, 0]),
}
"""Truth tables: targets for the rows of BINARY_INPUTS."""


def _check_xt(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, t = np.asarray(x, dtype=float), np.asarray(t)
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (n, d), got shape {x.shape}")
    if t.shape != (x.shape[0],):
        raise ValueError(f"t must have shape ({x.shape[0]},) to match x {x.shape}, got {t.shape}")
    if not np.isin(t, (0, 1)).all():
        raise ValueError(f"t must contain only 0 and 1, got values {np.unique(t)}")
    if not np.isfinite(x).all():
        raise ValueError("x contains NaN or infinity")
    return x, t.astype(int)


def step(z: np.ndarray) -> np.ndarray:
    """Heaviside step: 1 where z > 0, else 0 (same shape as z)."""
    return (np.asarray(z) > 0).astype(int)


def predict(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """Perceptron outputs step(x @ w + b). x: (n, d), w: (d,) -> (n,) of 0/1."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    if x.ndim != 2 or w.shape != (x.shape[1],):
        raise ValueError(f"x must be (n, d) and w (d,): got x {x.shape}, w {w.shape}")
    return step(x @ w + b)


def update(
    w: np.ndarray, b: float, x: np.ndarray, t: int, lr: float = 1.0
) -> tuple[np.ndarray, float]:
    """One Rosenblatt step on one example x (d,) with target t: returns the new (w, b)."""
    w, x = np.asarray(w, dtype=float), np.asarray(x, dtype=float)
    if x.shape != w.shape:
        raise ValueError(f"x must have the shape of w {w.shape}, got {x.shape}")
    error = t - int(step(w @ x + b))
    return w + lr * error * x, b + lr * error


@dataclass(frozen=True)
class Run:
    """A perceptron training run, recorded epoch by epoch.

    weights: (epochs + 1, d + 1), row k = [w, b] after epoch k (row 0 = the start);
    mistakes: (epochs,), the number of updates made in each epoch.
    """

    weights: np.ndarray
    mistakes: np.ndarray

    @property
    def converged(self) -> bool:
        """True if the last epoch made no mistake (every example was already right)."""
        return bool(len(self.mistakes)) and self.mistakes[-1] == 0

    @property
    def epochs(self) -> int:
        """Epochs that made at least one update (the clean epoch that confirms is not counted)."""
        return int(np.count_nonzero(self.mistakes))

    @property
    def updates(self) -> int:
        """Total number of updates (mistakes) made."""
        return int(self.mistakes.sum())


def train(x: np.ndarray, t: np.ndarray, lr: float = 1.0, max_epochs: int = 50) -> Run:
    """Rosenblatt's rule from w = 0, b = 0, examples in order, until an epoch without a mistake.

    x: (n, d), t: (n,) of 0/1. Stops after ``max_epochs`` if the data are not separable.
    """
    x, t = _check_xt(x, t)
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    w, b = np.zeros(x.shape[1]), 0.0
    weights, mistakes = [np.append(w, b)], []
    for _ in range(max_epochs):
        count = 0
        for xi, ti in zip(x, t, strict=True):
            new_w, new_b = update(w, b, xi, ti, lr)
            count += int(new_b != b or not np.array_equal(new_w, w))
            w, b = new_w, new_b
        weights.append(np.append(w, b))
        mistakes.append(count)
        if count == 0:
            break
    return Run(np.array(weights), np.array(mistakes))


def find_cycle(run: Run) -> tuple[int, int] | None:
    """(first epoch, period) of the first repeated end-of-epoch weight vector, or None."""
    seen: dict[bytes, int] = {}
    for epoch, row in enumerate(run.weights):
        key = row.tobytes()
        if key in seen:
            return seen[key], epoch - seen[key]
        seen[key] = epoch
    return None


def augment(x: np.ndarray) -> np.ndarray:
    """Append a constant 1 to every input, so the bias becomes a weight. (n, d) -> (n, d + 1)."""
    x = np.asarray(x, dtype=float)
    return np.column_stack([x, np.ones(len(x))])


def max_margin(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, float] | None:
    """The separating direction with the largest margin, or None if none separates the data.

    Works on augmented inputs z = [x, 1] and signs s = 2t - 1: it returns the unit vector u (d + 1,)
    maximising gamma = min_i s_i (u . z_i) and that gamma. Exact, by trying every set of support
    vectors (a hard-margin SVM through the origin), so only for small n (at most 12 points).
    """
    x, t = _check_xt(x, t)
    if len(x) > 12:
        raise ValueError(f"max_margin enumerates support sets: at most 12 points, got {len(x)}")
    z, s = augment(x), 2.0 * t - 1.0
    best = None
    for size in range(1, len(z) + 1):
        for support in itertools.combinations(range(len(z)), size):
            zs, ss = z[list(support)], s[list(support)]
            gram = (ss[:, None] * zs) @ (ss[:, None] * zs).T
            alpha, *_ = np.linalg.lstsq(gram, np.ones(size), rcond=None)
            v = (alpha * ss) @ zs
            if np.any(alpha < -1e-12) or not np.allclose(gram @ alpha, 1.0):
                continue
            if np.all(s * (z @ v) >= 1 - 1e-9) and (best is None or v @ v < best @ best):
                best = v
    if best is None:
        return None
    norm = float(np.linalg.norm(best))
    return best / norm, 1.0 / norm


def mistake_bound(x: np.ndarray, t: np.ndarray) -> tuple[float, float, float] | None:
    """Novikoff's bound for the perceptron from w = 0: (R, gamma, (R / gamma)^2), or None.

    R is the largest norm of an augmented input, gamma the best margin (``max_margin``).
    The number of updates is at most (R / gamma)^2; None when the data are not separable.
    """
    margin = max_margin(x, t)
    if margin is None:
        return None
    radius = float(np.linalg.norm(augment(x), axis=1).max())
    return radius, margin[1], (radius / margin[1]) ** 2


def hidden_terms(x: np.ndarray, params: dict[str, np.ndarray]) -> np.ndarray:
    """The terms alpha_j sigmoid(w_j x + theta_j) of Cybenko's sum, one column per unit.

    x: (n,); params: 'w' (h,), 'theta' (h,), 'alpha' (h,) -> (n, h).
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D (n,), got shape {x.shape}")
    shapes = {k: np.shape(params[k]) for k in ("w", "theta", "alpha")}
    if len(set(shapes.values())) != 1 or len(shapes["w"]) != 1:
        raise ValueError(f"params w, theta, alpha must all be (h,), got {shapes}")
    return sigmoid(np.outer(x, params["w"]) + params["theta"]) * params["alpha"]


def one_hidden_layer(x: np.ndarray, params: dict[str, np.ndarray]) -> np.ndarray:
    """Cybenko's sum  sum_j alpha_j sigmoid(w_j x + theta_j) + c  for scalar inputs.

    x: (n,); params: 'w' (h,), 'theta' (h,), 'alpha' (h,), 'c' () -> (n,).
    """
    return hidden_terms(x, params).sum(axis=1) + params["c"]


def fit_one_hidden_layer(
    x: np.ndarray, y: np.ndarray, hidden: int, seed: int = 0, max_iter: int = 500
):
    """Fit a one-hidden-layer sigmoid network to y(x) by least squares (torch, L-BFGS, float64).

    x, y: (n,). Returns the trained ``torch.nn.Sequential`` (Linear(1, h), Sigmoid,
    Linear(h, 1)), mapping (n, 1) to (n, 1); ``numpy_params`` reads its weights out.
    """
    import torch

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 1 or y.shape != x.shape:
        raise ValueError(f"x and y must be 1-D of equal length, got {x.shape} and {y.shape}")
    if hidden < 1:
        raise ValueError(f"hidden must be at least 1, got {hidden}")
    torch.manual_seed(seed)
    net = torch.nn.Sequential(
        torch.nn.Linear(1, hidden), torch.nn.Sigmoid(), torch.nn.Linear(hidden, 1)
    ).double()
    xs, ys = torch.from_numpy(x)[:, None], torch.from_numpy(y)[:, None]
    optimiser = torch.optim.LBFGS(
        net.parameters(), max_iter=max_iter, history_size=50, line_search_fn="strong_wolfe",
        tolerance_grad=1e-12, tolerance_change=1e-14,
    )  # fmt: skip

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        loss = torch.mean((net(xs) - ys) ** 2)
        loss.backward()
        return loss

    optimiser.step(closure)
    return net


def numpy_params(net) -> dict[str, np.ndarray]:
    """The weights of a ``fit_one_hidden_layer`` network, as numpy arrays for ``one_hidden_layer``.

    Returns 'w' (h,), 'theta' (h,), 'alpha' (h,) and 'c' ().
    """
    first, second = net[0], net[2]
    return {
        "w": first.weight.detach().numpy()[:, 0].copy(),
        "theta": first.bias.detach().numpy().copy(),
        "alpha": second.weight.detach().numpy()[0].copy(),
        "c": second.bias.detach().numpy()[0].copy(),
    }
