"""Tensors (lesson 00): shapes, broadcasting, tensor dot, reshaping, and a first gradient.

Everything here works on shapes (tuples of ints) or numpy arrays, so that the lesson can show
the rule in plain Python next to what numpy and torch do.
"""

from collections.abc import Callable, Sequence

import numpy as np

Shape = tuple[int, ...]


def as_shape(shape: Sequence[int], name: str = "shape") -> Shape:
    """``shape`` as a tuple of non-negative ints, or a ValueError naming ``name``."""
    try:
        dims = tuple(int(d) for d in shape)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a sequence of ints, got {shape!r}") from exc
    if any(d < 0 for d in dims) or any(int(d) != d for d in shape):
        raise ValueError(f"{name} must contain non-negative ints, got {tuple(shape)}")
    return dims


def parse_shape(text: str) -> Shape:
    """Read a shape typed by a person: "3, 1, 5", "(3,1,5)" or "3x1x5" -> (3, 1, 5); "" -> ()."""
    cleaned = text.strip().strip("()[]").replace("x", ",").replace(" ", ",")
    parts = [p for p in cleaned.split(",") if p]
    if not all(p.isdigit() for p in parts):
        raise ValueError(f"text must be sizes separated by commas, like '3, 1, 5'; got {text!r}")
    return tuple(int(p) for p in parts)


def align_right(a: Sequence[int], b: Sequence[int]) -> list[tuple[int | None, int | None]]:
    """Pair the axes of two shapes from the right, as broadcasting does; None pads the shorter.

    align_right((8, 1, 6), (7, 1)) -> [(8, None), (1, 7), (6, 1)].
    """
    a, b = as_shape(a, "a"), as_shape(b, "b")
    rank = max(len(a), len(b))
    padded_a = (None,) * (rank - len(a)) + a
    padded_b = (None,) * (rank - len(b)) + b
    return list(zip(padded_a, padded_b, strict=True))


def broadcast_shape(a: Sequence[int], b: Sequence[int]) -> Shape:
    """The shape of ``x + y`` for x of shape ``a`` and y of shape ``b`` (numpy's rule).

    Align the shapes on the right; a missing axis counts as 1; on each axis the sizes must be
    equal or one of them 1, and the result takes the other one.
    Raises ValueError naming the first axis (counted from the left of the result) that clashes.
    """
    result = []
    pairs = align_right(a, b)
    for axis, (da, db) in enumerate(pairs):
        da, db = 1 if da is None else da, 1 if db is None else db
        if da != db and 1 not in (da, db):
            raise ValueError(
                f"shapes {tuple(a)} and {tuple(b)} do not broadcast: on axis {axis - len(pairs)} "
                f"sizes {da} and {db} differ and neither is 1"
            )
        result.append(db if da == 1 else da)
    return tuple(result)


def dot_shape(a: Sequence[int], b: Sequence[int]) -> Shape:
    """Shape of the tensor dot ``np.dot(x, y)`` for x of shape ``a`` and y of shape ``b``.

    The last axis of x is summed against the first axis of y (a vector y: its only axis):
    (a, b, c, d) . (d,) -> (a, b, c) and (a, b, c, d) . (d, e) -> (a, b, c, e).
    Here y has rank 1 or 2, as in a dense layer.
    """
    a, b = as_shape(a, "a"), as_shape(b, "b")
    if not a or len(b) not in (1, 2):
        raise ValueError(f"need a of rank >= 1 and b of rank 1 or 2, got {a} and {b}")
    if a[-1] != b[0]:
        raise ValueError(
            f"the last axis of a ({a[-1]}) must equal the first axis of b ({b[0]}); "
            f"got shapes {a} and {b}"
        )
    return a[:-1] + b[1:]


def naive_relu(x: np.ndarray) -> np.ndarray:
    """Element-wise max(x, 0) with explicit Python loops over a rank-2 array (n, m)."""
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"x must be rank 2 (n, m), got shape {x.shape}")
    out = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = max(x[i, j], 0)
    return out


def naive_add_row(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x + y with loops, y repeated down the rows: what broadcasting does. x (n, m), y (m,)."""
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 2 or y.shape != (x.shape[1],):
        raise ValueError(f"x must be (n, m) and y (m,), got {x.shape} and {y.shape}")
    out = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] += y[j]
    return out


def images_for_dense(images: np.ndarray) -> np.ndarray:
    """A batch of images (n, h, w) as rows of pixels (n, h*w): the input of a dense layer."""
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must be rank 3 (n, h, w), got shape {images.shape}")
    return images.reshape(len(images), -1)


def images_for_conv(images: np.ndarray) -> np.ndarray:
    """A batch of grey images (n, h, w) with a channel axis: (n, 1, h, w), torch's conv layout."""
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must be rank 3 (n, h, w), got shape {images.shape}")
    return images[:, None, :, :]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Element-wise 1 / (1 + exp(-z))."""
    return 1.0 / (1.0 + np.exp(-z))


def _check_neuron(x: np.ndarray, w: np.ndarray, y: np.ndarray) -> None:
    if x.ndim != 2 or w.shape != (x.shape[1],) or y.shape != (x.shape[0],):
        raise ValueError(
            f"need x (n, d), w (d,), y (n,); got x {x.shape}, w {w.shape}, y {y.shape}"
        )


def neuron_loss(x: np.ndarray, w: np.ndarray, b: float, y: np.ndarray) -> float:
    """L = mean_i (sigmoid(x_i . w + b) - y_i)^2.  x: (n, d), w: (d,), b scalar, y: (n,)."""
    x, w, y = np.asarray(x, float), np.asarray(w, float), np.asarray(y, float)
    _check_neuron(x, w, y)
    return float(np.mean((sigmoid(x @ w + b) - y) ** 2))


def neuron_loss_grad(
    x: np.ndarray, w: np.ndarray, b: float, y: np.ndarray
) -> tuple[np.ndarray, float]:
    """(dL/dw (d,), dL/db) of ``neuron_loss`` by the chain rule, written out by hand.

    z = x w + b, a = sigmoid(z), L = mean((a - y)^2):
    dL/da = 2 (a - y) / n, da/dz = a (1 - a), dL/dw = x^T dL/dz, dL/db = sum(dL/dz).
    """
    x, w, y = np.asarray(x, float), np.asarray(w, float), np.asarray(y, float)
    _check_neuron(x, w, y)
    a = sigmoid(x @ w + b)
    dz = 2.0 * (a - y) / len(y) * a * (1.0 - a)
    return x.T @ dz, float(dz.sum())


def numerical_gradient(
    f: Callable[[np.ndarray], float], at: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """Central differences (f(at + eps e_k) - f(at - eps e_k)) / (2 eps) for every element k.

    at: any shape; returns an array of the same shape. Costs 2 * at.size calls of f.
    """
    at = np.array(at, dtype=float)
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    if not np.isfinite(at).all():
        raise ValueError(f"at contains NaN or infinity (shape {at.shape})")
    grad = np.zeros_like(at)
    for k in np.ndindex(at.shape):
        step = np.zeros_like(at)
        step[k] = eps
        grad[k] = (f(at + step) - f(at - step)) / (2 * eps)
    return grad


def rotation_stretch(angle: float, stretch: float) -> np.ndarray:
    """A (2, 2) weight matrix W for row vectors: ``x @ W`` turns x by ``angle`` degrees
    (counter-clockwise), then multiplies its first coordinate by ``stretch``.

    W = R(angle) diag(stretch, 1), with R(a) = [[cos a, sin a], [-sin a, cos a]].
    """
    if not np.isfinite(angle) or not np.isfinite(stretch):
        raise ValueError(f"angle and stretch must be finite numbers, got {angle} and {stretch}")
    a = np.deg2rad(angle)
    rotation = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    return rotation @ np.diag([stretch, 1.0])
