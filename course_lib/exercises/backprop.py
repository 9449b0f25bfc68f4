"""Checkers for lesson 03 (back-propagation on seed 001's 3-3-3 example)."""

from collections.abc import Callable

import numpy as np

from course_lib import backprop as bp
from course_lib.exercises import Feedback, as_array, call_student, checker, correct, wrong


def _exact() -> dict[str, np.ndarray]:
    return bp.exact_pass(*bp.seed_001_problem())


@checker("`delta_out`")
def check_delta_out(delta_out: np.ndarray) -> Feedback:
    """dL/dO_in for the exact 3-3-3 pass: the softmax + cross-entropy gradient p - y, (3,)."""
    r, y = _exact(), bp.seed_001_problem().y
    p = r["o_out"]
    got = as_array(delta_out, "delta_out")
    if got.shape != (3,):
        return wrong(f"delta_out should hold one number per output, shape (3,), got {got.shape}.")
    if np.allclose(got, p - y, atol=1e-4):
        return correct("dL/dO_in = p - y: every output sends its share back through the softmax.")
    if np.allclose(got, y - p, atol=1e-4):
        return wrong("the sign is flipped: the gradient points uphill, so it is p - y, not y - p.")
    if np.allclose(got, -y / p, atol=1e-4):
        return wrong(
            "that is dL/dO_out, the derivative with respect to the softmax *output*; "
            "carry it on through the softmax to its input."
        )
    if np.allclose(got, -y / p * p * (1 - p), atol=1e-4):
        return wrong(
            "you kept only the diagonal of the softmax Jacobian, as the slides do; "
            "each p_a depends on every O_in_b, so the off-diagonal terms -p_a p_b count too."
        )
    return wrong(f"delta_out is {np.round(got, 4)}; write dL/dO_in_b as a sum over the outputs a.")


@checker("`de_dh1`")
def check_de_dh1(de_dh1: np.ndarray) -> Feedback:
    """dL/dh1_out of the exact pass, (3,): the sum over all three h2 units, w_jk @ delta_h2."""
    r, w_jk = _exact(), bp.seed_001_problem().weights[1]
    expected = w_jk @ r["delta_h2"]
    got = as_array(de_dh1, "de_dh1")
    if got.shape != (3,):
        return wrong(f"de_dh1 should hold one number per h1 unit, shape (3,), got {got.shape}.")
    if np.allclose(got, expected, rtol=1e-4, atol=1e-8):
        return correct("each h1 unit collects the gradients of all three h2 units it feeds.")
    if np.allclose(got, np.diag(w_jk) * r["delta_h2"], rtol=1e-4, atol=1e-8):
        return wrong(
            "you used one path per unit (the diagonal weights, the slides' shortcut); "
            "h1 unit j feeds every h2 unit k, so sum w_jk[j, k] * delta_h2[k] over k."
        )
    if np.allclose(got, w_jk.T @ r["delta_h2"], rtol=1e-4, atol=1e-8):
        return wrong(
            "the weight matrix is transposed: w_jk[j, k] connects h1 unit j (row) to h2 unit k "
            "(column), so de_dh1 = w_jk @ delta_h2."
        )
    if np.allclose(got, w_jk @ r["dE_dh2_out"], rtol=1e-4, atol=1e-8):
        return wrong(
            "you skipped the sigmoid: multiply dL/dh2_out by sigmoid'(h2_in) first, "
            "which gives delta_h2."
        )
    j = int(np.argmax(~np.isclose(got, expected, rtol=1e-4, atol=1e-8)))
    return wrong(
        f"de_dh1[{j}] is {got[j]:.6g}; it should be the sum over the three h2 units k of "
        f"w_jk[{j}, k] * delta_h2[k]."
    )


@checker("`my_dense_backward`")
def check_dense_backward(my_dense_backward: Callable) -> Feedback:
    """A student's backward pass through one sigmoid layer h = z_prev @ w + b, z = sigmoid(h).

    my_dense_backward(z_prev (N, n_in), w (n_in, n_out), h (N, n_out), dz (N, n_out)) must
    return (dw (n_in, n_out), db (n_out,), dz_prev (N, n_in)).
    """
    rng = np.random.default_rng(3)
    for n, n_in, n_out in [(4, 3, 2), (1, 3, 3), (5, 2, 4)]:
        z_prev, w = rng.normal(size=(n, n_in)), rng.normal(size=(n_in, n_out))
        h, dz = z_prev @ w + rng.normal(size=n_out), rng.normal(size=(n, n_out))
        dh = bp.sigmoid_grad(h) * dz
        expected = (z_prev.T @ dh, dh.sum(axis=0), dh @ w.T)
        got = call_student(my_dense_backward, z_prev, w, h, dz)
        if not isinstance(got, tuple) or len(got) != 3:
            return wrong(f"return three arrays (dw, db, dz_prev), got {type(got).__name__}.")
        where = f"for a batch of {n}, {n_in} inputs and {n_out} outputs,"
        for name, g, e in zip(("dw", "db", "dz_prev"), got, expected, strict=True):
            g = as_array(g, name)
            if g.shape != e.shape:
                return wrong(f"{where} {name} should have shape {e.shape}, got {g.shape}.")
        dw, db, dz_prev = (as_array(g, "") for g in got)
        if np.allclose(dw, z_prev.T @ dz):
            return wrong(f"{where} dw ignores the sigmoid: use dh = sigmoid'(h) * dz first.")
        if not np.allclose(dw, expected[0]):
            return wrong(f"{where} dw is wrong: it is z_prev.T @ dh, with dh = sigmoid'(h) * dz.")
        if not np.allclose(db, expected[1]):
            return wrong(f"{where} db is wrong: add dh up over the batch (axis 0).")
        if not np.allclose(dz_prev, expected[2]):
            return wrong(f"{where} dz_prev is wrong: send dh back through the weights, dh @ w.T.")
    return correct("your layer's backward pass matches PROP on every test case.")
