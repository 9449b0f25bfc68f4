"""Checkers for lesson 03 (back-propagation on seed 001's 3-3-3 example, and PROP)."""

from collections.abc import Callable

import numpy as np

from course_lib.backprop import backward_333, forward_333, softmax
from course_lib.exercises import Feedback, as_array, call_student, checker, correct, wrong
from course_lib.seed001 import problem

EXERCISE_TARGET = 1
"""Exercises 1 and 2 change seed 001's target from class 0 to this class (counting from 0), so
that no number the lesson prints answers them."""


def _exact(target: int = 0) -> tuple[dict, dict]:
    """The exact forward intermediates and gradients of seed 001's example for a target class."""
    x, _, weights, biases, _ = problem()
    y = np.eye(3)[target]
    f = forward_333(x, y, weights, biases)
    return f, backward_333(x, y, weights, f)


@checker("`delta_out`")
def check_delta_out(delta_out: np.ndarray) -> Feedback:
    """dL/dO_in of the exact 3-3-3 pass for target class EXERCISE_TARGET: p - y, (3,)."""
    p, y = _exact()[0]["o_out"], np.eye(3)[EXERCISE_TARGET]
    got = as_array(delta_out, "delta_out")
    if got.shape != (3,):
        return wrong(f"delta_out should hold one number per output, shape (3,), got {got.shape}.")
    if np.allclose(got, p - y, atol=1e-4):
        return correct("dL/dO_in = p - y: every output sends its share back through the softmax.")
    if np.allclose(got, p - np.eye(3)[0], atol=1e-4):
        return wrong(
            f"that is delta_out for target class 0, the lesson's example; the target is now "
            f"class {EXERCISE_TARGET}, y = {np.eye(3, dtype=int)[EXERCISE_TARGET].tolist()}."
        )
    if np.allclose(got, y - p, atol=1e-4):
        return wrong("the sign is flipped: the gradient points uphill, so it is p - y, not y - p.")
    if np.allclose(got, -y / p, atol=1e-4):
        return wrong(
            "that is dL/dO_out, the derivative with respect to the softmax *output*; "
            "carry it on through the softmax to its input."
        )
    if np.allclose(got, -y * (1 - p), atol=1e-4):
        return wrong(
            "you kept only the diagonal of the softmax Jacobian, as the slides do; "
            "each p_a depends on every O_in_b, so the off-diagonal terms -p_a p_b count too."
        )
    return wrong(f"delta_out is {np.round(got, 4)}; write dL/dO_in_b as a sum over the outputs a.")


@checker("`de_dh1`")
def check_de_dh1(de_dh1: np.ndarray) -> Feedback:
    """dL/dh1_out of the exact pass for target class EXERCISE_TARGET, (3,): every path summed,
    w_jk @ delta_h2. The feedback names the slip, never the numbers."""
    (_, g), w_jk = _exact(EXERCISE_TARGET), problem().weights[1]
    expected = w_jk @ g["delta_h2"]
    got = as_array(de_dh1, "de_dh1")
    if got.shape != (3,):
        return wrong(f"de_dh1 should hold one number per h1 unit, shape (3,), got {got.shape}.")

    def same(value: np.ndarray) -> bool:
        return np.allclose(got, value, rtol=1e-4, atol=1e-8)

    if same(expected):
        return correct("each h1 unit collects the gradients of all three h2 units it feeds.")
    if same(_exact(0)[1]["dE_dh1_out"]):
        return wrong(
            f"that is backward_333's g['dE_dh1_out'], for target class 0; start from your "
            f"delta_out for target class {EXERCISE_TARGET}."
        )
    if same(np.diag(w_jk) * g["delta_h2"]):
        return wrong(
            "you used one path per unit (the diagonal weights, the slides' shortcut); "
            "h1 unit j feeds every h2 unit k, so sum w_jk[j, k] * delta_h2[k] over k."
        )
    if same(w_jk.T @ g["delta_h2"]):
        return wrong(
            "the weight matrix is transposed: w_jk[j, k] connects h1 unit j (row) to h2 unit k "
            "(column), so de_dh1 = w_jk @ delta_h2."
        )
    if same(w_jk @ g["dE_dh2_out"]):
        return wrong(
            "you skipped the sigmoid: multiply dL/dh2_out by sigmoid'(h2_in) first, "
            "which gives delta_h2."
        )
    return wrong(
        "not yet: go down two layers from delta_out, through w_kl and the sigmoid's slope to "
        "delta_h2, then through w_jk, summing over every unit each unit feeds."
    )


@checker("`softmax_backward`")
def check_softmax_backward(softmax_backward: Callable) -> Feedback:
    """A student's backward step through a softmax layer, over a batch.

    softmax_backward(s (N, n), ds (N, n)) with s = softmax(h) and ds = dL/ds must return
    dL/dh (N, n): each row is J^T ds with softmax's Jacobian J = diag(s) - s s^T.
    """
    rng = np.random.default_rng(3)
    for n, k in [(1, 3), (4, 3), (5, 6)]:
        s, ds = softmax(rng.normal(size=(n, k))), rng.normal(size=(n, k))
        expected = np.stack([(np.diag(r) - np.outer(r, r)) @ d for r, d in zip(s, ds, strict=True)])
        got = as_array(call_student(softmax_backward, s.copy(), ds.copy()), "dh")
        where = f"for a batch of {n} with {k} outputs,"
        if got.shape != expected.shape:
            return wrong(
                f"{where} dh should have the shape of s, {expected.shape}, got {got.shape}."
            )
        if np.allclose(got, expected):
            continue
        if np.allclose(got, s * (1 - s) * ds):
            return wrong(
                f"{where} you kept only the diagonal of the Jacobian, s * (1 - s) * ds, as the "
                "slides do; every output a also sends -s_a s_b ds_a to input b."
            )
        if np.allclose(got, -expected):
            return wrong(f"{where} the sign is flipped: the diagonal term is +s_b (1 - s_b).")
        if n > 1 and np.allclose(got, s * (ds - np.sum(ds * s))):
            return wrong(
                f"{where} your sum runs over the whole batch; each example has its own softmax, "
                "so sum each row: np.sum(ds * s, axis=1, keepdims=True)."
            )
        return wrong(
            f"{where} dh is not J^T ds; write dh[b] = sum_a ds[a] * (ds_a/dh_b), the partial "
            "derivative ds_a/dh_b = s_a (1[a = b] - s_b), then simplify."
        )
    return correct(
        "dh = s * (ds - sum(ds * s)): the full Jacobian in one line; with ds = -y / s it is s - y."
    )
