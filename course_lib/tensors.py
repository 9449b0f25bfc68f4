"""Lesson 00, tensors: what its `# @save` cells write.

Element-wise operations and broadcasting as loops, the shape rules of broadcasting and of the
tensor dot, channels-first and channels-last images, and one sigmoid neuron whose gradient the
lesson computes three ways (by hand, by central differences, by autograd). Shapes are tuples of
ints; arrays are numpy arrays. ``sigmoid`` and ``numerical_gradient`` are the course's only
copies: later lessons import them from here.
"""

from collections.abc import Callable, Sequence

import numpy as np

Shape = tuple[int, ...]


def _as_shape(shape: Sequence[int], name: str) -> Shape:
    """``shape`` as a tuple of non-negative ints, or a ValueError naming ``name``."""
    try:
        dims = tuple(int(d) for d in shape)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a sequence of ints, got {shape!r}") from exc
    if any(d < 0 for d in dims) or any(int(d) != d for d in shape):
        raise ValueError(f"{name} must contain non-negative ints, got {tuple(shape)}")
    return dims


def _as_point(at: np.ndarray, eps: float) -> np.ndarray:
    """``at`` as a float array, after checking that it is finite and that ``eps`` is positive."""
    at = np.array(at, dtype=float)
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    if not np.isfinite(at).all():
        raise ValueError(f"at contains NaN or infinity (shape {at.shape})")
    return at


def naive_relu(x: np.ndarray) -> np.ndarray:
    """relu(x)_ij = max(x_ij, 0) with explicit loops. x: (n, m) -> (n, m)."""
    out = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = max(x[i, j], 0)
    return out


def naive_add_row(x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(x + b)_ij = x_ij + b_j with explicit loops: b is repeated down the rows.

    x: (n, m), b: (m,) -> (n, m).
    """
    out = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = x[i, j] + b[j]
    return out


def align_right(a: Sequence[int], b: Sequence[int]) -> list[tuple[int | None, int | None]]:
    """Pair the axes of shapes a and b from the right; None pads the shorter one on the left.

    (8, 1, 6) and (7, 1) -> [(8, None), (1, 7), (6, 1)].
    """
    a, b = _as_shape(a, "a"), _as_shape(b, "b")
    rank = max(len(a), len(b))
    return list(zip((None,) * (rank - len(a)) + a, (None,) * (rank - len(b)) + b, strict=True))


def broadcast_shape(a: Sequence[int], b: Sequence[int]) -> Shape:
    """The shape of x + y for x of shape a and y of shape b, by numpy's and PyTorch's rule.

    Align the shapes on the right; a missing axis counts as 1; on every axis the sizes must be
    equal or one of them 1, and the result takes the other. (8, 1, 6) and (7, 1) -> (8, 7, 6).
    """
    pairs = align_right(a, b)
    result = []
    for axis, (da, db) in enumerate(pairs, start=-len(pairs)):
        da, db = 1 if da is None else da, 1 if db is None else db
        if da != db and 1 not in (da, db):
            raise ValueError(
                f"shapes {tuple(a)} and {tuple(b)} do not broadcast: on axis {axis} "
                f"sizes {da} and {db} differ and neither is 1"
            )
        result.append(db if da == 1 else da)
    return tuple(result)


def dot_shape(a: Sequence[int], b: Sequence[int]) -> Shape:
    """The shape of np.dot(x, y) for x of shape a and y of shape b, a vector or a matrix.

    The last axis of x is summed against the first axis of y, and both disappear:
    (a, b, c, d) . (d,) -> (a, b, c) and (a, b, c, d) . (d, e) -> (a, b, c, e).
    """
    a, b = _as_shape(a, "a"), _as_shape(b, "b")
    if a[-1] != b[0]:
        raise ValueError(
            f"the last axis of a ({a[-1]}) must equal the first axis of b ({b[0]}); "
            f"got shapes {a} and {b}"
        )
    return a[:-1] + b[1:]


def channels_first(images: np.ndarray) -> np.ndarray:
    """Keras' layout (n, height, width, channels) -> PyTorch's (n, channels, height, width).

    A transpose: whole colour planes move, no pixel is scrambled.
    """
    return images.transpose(0, 3, 1, 2)


def channels_last(images: np.ndarray) -> np.ndarray:
    """PyTorch's layout (n, channels, height, width) -> Keras' (n, height, width, channels)."""
    return images.transpose(0, 2, 3, 1)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + exp(-z)), element-wise. z: any shape -> the same shape."""
    return 1.0 / (1.0 + np.exp(-z))


def neuron_loss(x: np.ndarray, w: np.ndarray, b: float, y: np.ndarray) -> float:
    """L = mean_i (sigmoid(x_i . w + b) - y_i)^2.  x: (n, d), w: (d,), b: a number, y: (n,)."""
    return float(np.mean((sigmoid(x @ w + b) - y) ** 2))


def neuron_loss_grad(
    x: np.ndarray, w: np.ndarray, b: float, y: np.ndarray
) -> tuple[np.ndarray, float]:
    """(dL/dw (d,), dL/db) of ``neuron_loss`` by the chain rule, one factor per operation.

    z = x @ w + b, a = sigmoid(z), L = mean((a - y)^2). x: (n, d), w: (d,), y: (n,).
    """
    a = sigmoid(x @ w + b)
    dloss_da = 2.0 * (a - y) / len(y)
    dloss_dz = dloss_da * a * (1.0 - a)
    return x.T @ dloss_dz, float(dloss_dz.sum())


def numerical_gradient(
    f: Callable[[np.ndarray], float], at: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """Central differences (f(at + eps e_k) - f(at - eps e_k)) / (2 eps), for every element k.

    f: maps an array shaped like ``at`` to a number; at: any shape -> an array of that shape.
    Costs 2 * at.size calls of f.
    """
    at = _as_point(at, eps)
    grad = np.zeros_like(at)
    for k in np.ndindex(at.shape):
        step = np.zeros_like(at)
        step[k] = eps
        grad[k] = (f(at + step) - f(at - step)) / (2 * eps)
    return grad
