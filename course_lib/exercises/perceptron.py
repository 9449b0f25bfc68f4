"""Checkers for lesson 01 (the perceptron)."""

from collections.abc import Callable

import numpy as np

from course_lib import perceptron
from course_lib.exercises import Feedback, as_array, call_student, checker, correct, wrong

NOR = np.array([1, 0, 0, 0])
"""Exercise 1's gate on the rows of ``perceptron.BINARY_INPUTS``: 1 only when both inputs are 0
(kept out of ``perceptron.GATES``, so that no table or demo of the lesson shows its weights)."""


def _nor_epoch(
    fires_at_zero: bool = False, sequential: bool = True, bias: bool = True
) -> np.ndarray:
    """[w1, w2, b] after one epoch of the rule on NOR from zero, with or without a usual slip:
    step(0) = 1, every row scored with the starting weights, or the bias never updated."""
    w, b = np.zeros(2), 0.0
    w0, b0 = w, b
    for x, t in zip(perceptron.BINARY_INPUTS, NOR, strict=True):
        z = x @ (w if sequential else w0) + (b if sequential else b0)
        y = int(z >= 0) if fires_at_zero else int(z > 0)
        w, b = w + (t - y) * x, b + (t - y) * bias
    return np.append(w, b)


@checker("`w_epoch1` and `b_epoch1`")
def check_nor_first_epoch(w: np.ndarray, b: float) -> Feedback:
    """Weights after one epoch of Rosenblatt's rule on NOR, from zero, rows in table order.

    The feedback names the slip (step(0), stale weights, the bias), never the weights."""
    w, b = as_array(w, "w_epoch1"), float(as_array(b, "b_epoch1"))
    if w.shape != (2,):
        return wrong(f"w_epoch1 should hold 2 weights, shape (2,), got {w.shape}.")
    got = np.append(w, b)
    if np.allclose(got, _nor_epoch()):
        return correct("two updates, on (0,0) and on (0,1); the next epoch has more to do.")
    slips = [
        (_nor_epoch(fires_at_zero=True), "step(0) is 0: a sum of exactly 0 gives output 0."),
        (
            _nor_epoch(sequential=False),
            "after an update, score the next row with the NEW "
            "weights: the rule changes w and b as it goes.",
        ),
        (
            _nor_epoch(bias=False),
            "the bias changes by (t - y) at every update, like a weight whose input is always 1.",
        ),
    ]
    for answer, hint in slips:
        if np.allclose(got, answer):
            return wrong(hint)
    if np.allclose(w, _nor_epoch()[:2]):
        return wrong("w_epoch1 is right but b_epoch1 is not: b changes by (t - y) at each update.")
    return wrong(
        "not where the rule ends: go through the four rows in order, compute z = x . w + b with "
        "the weights as they are at that row, and update only when the output is wrong."
    )


@checker("`w_not` and `b_not`")
def check_not_gate(w: np.ndarray, b: float) -> Feedback:
    """A one-input perceptron (w (1,), b) that outputs 1 for input 0 and 0 for input 1."""
    w = as_array(w, "w_not").reshape(-1)
    if w.shape != (1,):
        return wrong(f"NOT has one input, so w_not needs shape (1,), got {w.shape}.")
    inputs, targets = np.array([[0.0], [1.0]]), np.array([1, 0])
    outputs = perceptron.predict(inputs, w, float(as_array(b, "b_not")))
    for x, y, t in zip(inputs[:, 0], outputs, targets, strict=True):
        if y != t:
            hint = "b_not must be positive" if x == 0 else "w_not + b_not must be negative"
            return wrong(f"for input {x:g} the perceptron outputs {y}, NOT gives {t}: {hint}.")
    return correct("a negative weight and a positive bias compute NOT.")


def reference_update_with_margin(
    w: np.ndarray, b: float, x: np.ndarray, t: int, lr: float, margin: float
) -> tuple[np.ndarray, float]:
    """Exercise 3's answer: with s = 2t - 1, add (lr s x, lr s) when s (x . w + b) <= margin."""
    s = 2 * t - 1
    if s * (x @ w + b) <= margin:
        return w + lr * s * x, b + lr * s
    return w, b


@checker("`update_with_margin`")
def check_update_with_margin(update_with_margin: Callable) -> Feedback:
    """A student's update_with_margin(w, b, x, t, lr, margin) -> (w, b)."""
    rng = np.random.default_rng(1)
    cases = [
        (np.array([1.0, 1.0]), -1.5, np.array([1.0, 0.0]), 0, 1.0, 0.0),  # t = 0 on the line
        (np.array([1.0, 1.0]), -1.0, np.array([1.0, 1.0]), 1, 0.5, 2.0),  # right, too close
        (np.array([1.0, 1.0]), -1.0, np.array([1.0, 1.0]), 1, 0.5, 0.5),  # right, far enough
    ]
    cases += [
        (rng.normal(size=3), rng.normal(), rng.normal(size=3), t, 0.5, margin)
        for t in (0, 1)
        for margin in (0.0, 1.0, 1.0)
    ]
    for w, b, x, t, lr, margin in cases:
        expected_w, expected_b = reference_update_with_margin(w, b, x, t, lr, margin)
        w_before = w.copy()
        got = call_student(update_with_margin, w, b, x, t, lr, margin)
        if not isinstance(got, tuple) or len(got) != 2:
            return wrong(f"return a pair (w, b), got {type(got).__name__}.")
        got_w, got_b = as_array(got[0], "the returned w"), float(as_array(got[1], "the returned b"))
        score = (2 * t - 1) * (x @ w_before + b)
        where = f"for t={t}, margin={margin:g} and s (x . w + b) = {score:.3g}"
        if not np.array_equal(w, w_before):
            return wrong("w was changed in place: return a new array, e.g. w + lr * s * x.")
        if got_w.shape != w.shape:
            return wrong(f"{where}: w has shape {w.shape} but yours returned {got_w.shape}.")
        if np.allclose(got_w, expected_w) and np.isclose(got_b, expected_b):
            continue
        if score > margin:
            return wrong(f"{where}: the point is beyond the margin: nothing may change.")
        if np.allclose(got_w, w) and np.isclose(got_b, b):
            return wrong(
                f"{where}: the point is within the margin, so it must update; (t - y) is 0 on a"
                " right answer: use s = 2t - 1."
            )
        return wrong(
            f"{where}: expected w={np.round(expected_w, 3)}, b={expected_b:.3f}; got "
            f"w={np.round(got_w, 3)}, b={got_b:.3f}: use w + lr * s * x and b + lr * s."
        )
    return correct("on separable data this rule stops only once every point clears the margin.")
