"""Checkers for lesson 00 (tensors)."""

from collections.abc import Callable
from typing import Any

import numpy as np

from course_lib import tensors
from course_lib.exercises import Feedback, call_student, checker, correct, value_problem, wrong

PREDICT_PAIRS = {"shape_1": ((5, 1, 8, 8), (8, 1)), "shape_2": ((4, 1), (3,))}
"""Exercise 1: the two pairs of shapes whose broadcast the student predicts."""


def _as_tuple(value: Any, name: str) -> tuple[int, ...]:
    if not isinstance(value, tuple | list) or not all(isinstance(d, int) for d in value):
        raise ValueError(f"{name} should be a tuple of ints like (2, 3), got {value!r}")
    return tuple(value)


@checker("`shape_1` and `shape_2`")
def check_predicted_shapes(shape_1: Any, shape_2: Any) -> Feedback:
    """Exercise 1 (predict): the broadcast shapes of the two pairs in ``PREDICT_PAIRS``."""
    for name, answer in (("shape_1", shape_1), ("shape_2", shape_2)):
        try:
            got = _as_tuple(answer, name)
        except ValueError as exc:
            return wrong(f"{exc}.")
        a, b = PREDICT_PAIRS[name]
        expected = tensors.broadcast_shape(a, b)
        if got == expected:
            continue
        if got == tuple(reversed(expected)) or len(got) != len(expected):
            return wrong(
                f"{name}: align {a} and {b} on the RIGHT; the result has as many axes as "
                f"the longer shape ({len(expected)})."
            )
        return wrong(f"{name}: on every axis a 1 is stretched to the other size; got {got}.")
    return correct("a size-1 axis stretches, a missing axis counts as 1.")


@checker("`flipped`")
def check_transposed(images: np.ndarray, flipped: Any) -> Feedback:
    """Exercise 2 (modify): every image mirrored on its diagonal, shape (n, h, w) -> (n, w, h)."""
    flipped = np.asarray(flipped)
    expected = np.asarray(images).transpose(0, 2, 1)
    if flipped.shape == np.asarray(images).T.shape != expected.shape:
        return wrong(
            f"`.T` reverses ALL axes and gives {flipped.shape}: swap only the rows and "
            "columns of each image (axes 1 and 2) with `transpose(0, 2, 1)`."
        )
    if flipped.shape == expected.shape and np.array_equal(flipped, np.asarray(images)):
        return wrong(
            "every image is unchanged: reshape keeps the pixels in the same order, only "
            "transpose moves them."
        )
    if flipped.shape == expected.shape and not np.array_equal(flipped, expected):
        return wrong(
            "the shape is right but the pixels moved to the wrong places: a reshape to "
            "(n, w, h) only re-reads the same pixels in the same order."
        )
    problem = value_problem(flipped, expected, "flipped")
    return (
        wrong(problem + ".") if problem else correct("transpose moves data, reshape re-reads it.")
    )


def reference_mse_grad(x: np.ndarray, w: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dw of L = mean((x w - y)^2): (2 / n) x^T (x w - y).  x (n, d), w (d,), y (n,)."""
    return 2.0 / len(y) * x.T @ (x @ w - y)


@checker("`mse_grad`")
def check_mse_grad(mse_grad: Callable[..., Any]) -> Feedback:
    """Exercise 4 (implement): the gradient of the mean squared error of a linear model."""
    rng = np.random.default_rng(3)
    x, w, y = rng.normal(size=(6, 3)), rng.normal(size=3), rng.normal(size=6)
    got = np.asarray(call_student(mse_grad, x, w, y), dtype=float)
    expected = reference_mse_grad(x, w, y)
    if got.shape != expected.shape:
        return wrong(f"the gradient must have the shape of w, {expected.shape}; got {got.shape}.")
    for factor, hint in ((0.5, "the 2 from the derivative of the square is missing"),
                         (len(y), "the 1/n of the mean is missing"),
                         (-1.0, "the sign is flipped: the derivative of (x w - y)^2 is "
                                "2 (x w - y) x")):  # fmt: skip
        if np.allclose(got, factor * expected):
            return wrong(f"{hint}.")
    problem = value_problem(got, expected, "mse_grad(x, w, y)")
    if problem:
        return wrong(problem + "; compare with finite differences: `numerical_gradient`.")
    return correct("this is exactly what autograd computes for you.")


@checker("`brightest`")
def check_brightest(images: np.ndarray, brightest: Any) -> Feedback:
    """Exercise 3 (modify): for every image (n, h, w), the flat index (0 to h*w - 1) of a pixel
    that holds its largest value; any of several equally bright pixels is right."""
    rows = np.asarray(images).reshape(len(images), -1)
    got = np.asarray(brightest)
    n, pixels = rows.shape
    if got.shape != (n,):
        surviving = "axis 0 is the images, and the axis you reduce disappears"
        hints = {
            (): "`argmax` without an axis flattens everything: give it the pixel axis",
            tuple(np.shape(images)[1:]): surviving,
            (pixels,): surviving,
            (n, np.shape(images)[1]): "that reduces one of the two pixel axes: flatten each image",
        }
        hint = hints.get(got.shape, "reshape to (n, 64) and reduce the pixel axis")
        return wrong(f"brightest needs one number per image, ({n},), got {got.shape}: {hint}.")
    if not np.issubdtype(got.dtype, np.integer) or got.min() < 0 or got.max() >= pixels:
        return wrong(f"brightest should hold pixel positions, ints from 0 to {pixels - 1}.")
    bad = np.flatnonzero(rows[np.arange(n), got] < rows.max(axis=1))
    if bad.size:
        k = int(bad[0])
        return wrong(
            f"image {k}: pixel {got[k]} holds {rows[k, got[k]]:.3g}, but its brightest pixel "
            f"holds {rows[k].max():.3g}."
        )
    return correct("the reduced axis disappears; the image axis survives, one answer each.")
