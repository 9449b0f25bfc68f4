"""Lesson 01, the perceptron: what its `# @save` cells write.

Notation: inputs x (n, d), 0/1 targets t (n,), weights w (d,), bias b. The perceptron outputs
y = step(x @ w + b) with step(z) = 1 if z > 0 else 0, and Rosenblatt's rule learns from one
example at a time: w <- w + lr (t - y) x, b <- b + lr (t - y). Then Novikoff's bound on the
number of updates, and Cybenko's one-hidden-layer sums of sigmoids.
"""

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

Params = dict[str, np.ndarray]


def _check_xw(x: np.ndarray, w: np.ndarray) -> None:
    """Inputs x (n, d) and weights w (d,), or a ValueError naming both shapes."""
    if np.ndim(x) != 2 or np.shape(w) != (np.shape(x)[1],):
        raise ValueError(f"x must be (n, d) and w (d,): got x {np.shape(x)}, w {np.shape(w)}")


def _check_xt(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x as a finite float array (n, d) and t as ints (n,) of 0 and 1, or a ValueError."""
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
    """Heaviside step: 1 where z > 0, else 0. z: any shape -> ints of the same shape."""
    return (np.asarray(z) > 0).astype(int)


def predict(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """The perceptron's outputs step(x @ w + b). x: (n, d), w: (d,), b a number -> (n,) 0/1."""
    _check_xw(x, w)
    return step(x @ w + b)


def update(
    w: np.ndarray, b: float, x: np.ndarray, t: int, lr: float = 1.0
) -> tuple[np.ndarray, float]:
    """Rosenblatt's rule on one example. w: (d,), x: (d,), t in {0, 1} -> the new (w, b).

    A right answer (y == t) changes nothing; a wrong one moves w towards x (t = 1) or away.
    """
    y = predict(x[None], w, b)[0]
    return w + lr * (t - y) * x, b + lr * (t - y)


@dataclass(frozen=True)
class Run:
    """A training run, epoch by epoch. weights: (epochs + 1, d + 1), row k = [w, b] after
    epoch k (row 0: the start); mistakes: (epochs,), the updates made in each epoch."""

    weights: np.ndarray
    mistakes: np.ndarray

    @property
    def converged(self) -> bool:
        """The last epoch made no mistake: every example is classified right."""
        return len(self.mistakes) > 0 and self.mistakes[-1] == 0

    @property
    def epochs(self) -> int:
        """Epochs that made an update (the clean epoch that confirms is not counted)."""
        return int(np.count_nonzero(self.mistakes))

    @property
    def updates(self) -> int:
        """All the updates (= mistakes) made."""
        return int(self.mistakes.sum())


def train(x: np.ndarray, t: np.ndarray, lr: float = 1.0, max_epochs: int = 50) -> Run:
    """Rosenblatt's rule from w = 0, b = 0, the examples in order, until an epoch makes no
    mistake (or after max_epochs). x: (n, d), t: (n,) of 0/1."""
    x, t = _check_xt(x, t)
    w, b = np.zeros(x.shape[1]), 0.0
    weights, mistakes = [np.append(w, b)], []
    for _ in range(max_epochs):
        wrong = 0
        for x_i, t_i in zip(x, t, strict=True):
            wrong += int(predict(x_i[None], w, b)[0] != t_i)
            w, b = update(w, b, x_i, t_i, lr)
        weights.append(np.append(w, b))
        mistakes.append(wrong)
        if wrong == 0:
            break
    return Run(np.array(weights), np.array(mistakes))


def augment(x: np.ndarray) -> np.ndarray:
    """Append a constant 1 to every input: the bias becomes a weight. (n, d) -> (n, d + 1)."""
    return np.column_stack([x, np.ones(len(x))])


def mistake_bound(x: np.ndarray, gamma: float) -> tuple[float, float]:
    """Novikoff's bound on the updates of Rosenblatt's rule from zero: (R, (R / gamma)^2).

    x: (n, d). R is the largest norm of an augmented input [x_i, 1]; gamma is the margin of a
    unit vector that separates the augmented inputs (the larger gamma, the smaller the bound).
    """
    radius = float(np.linalg.norm(augment(x), axis=1).max())
    return radius, (radius / gamma) ** 2


def hidden_terms(x: np.ndarray, params: Params) -> np.ndarray:
    """The terms alpha_j sigmoid(w_j x + theta_j) of Cybenko's sum, one column per unit.

    x: (n,); params 'w', 'theta', 'alpha': (h,) each -> (n, h).
    """
    return params["alpha"] * sigmoid(np.outer(x, params["w"]) + params["theta"])


def one_hidden_layer(x: np.ndarray, params: Params) -> np.ndarray:
    """Cybenko's sum G(x) = sum_j alpha_j sigmoid(w_j x + theta_j) + c. x: (n,) -> (n,)."""
    return hidden_terms(x, params).sum(axis=1) + params["c"]


def fit_heights(x: np.ndarray, y: np.ndarray, units: int, steepness: float = 2.0) -> Params:
    """Place ``units`` smoothed steps evenly over the range of x, then choose their heights
    alpha and the constant c by least squares, so that one_hidden_layer(x) is closest to y.

    x, y: (n,). Step j sits at the centre m_j of the j-th of ``units`` equal cells of width s:
    w_j = steepness / s, theta_j = -w_j m_j. Returns 'w', 'theta', 'alpha' (units,) and 'c' ().
    """
    spacing = (x.max() - x.min()) / units
    centres = x.min() + spacing * (np.arange(units) + 0.5)
    w = np.full(units, steepness / spacing)
    steps = sigmoid(np.outer(x, w) - w * centres)
    heights, *_ = np.linalg.lstsq(np.column_stack([steps, np.ones_like(x)]), y, rcond=None)
    return {"w": w, "theta": -w * centres, "alpha": heights[:-1], "c": heights[-1]}
