"""Checkers for the exercises of lesson 06 (recurrent networks and the LSTM)."""

import numpy as np

from course_lib import rnn
from course_lib.exercises import Feedback, call_student, checker, compare, correct, wrong

FORGET_GATE = 0.9
FORGET_STEPS = 20
EDGE_DISTANCE = 40
EDGE_BAND = (0.1, 10.0)
EDGE_STEP = 0.05  # the step of the lesson's radius slider


@checker("`remaining`")
def check_forget_memory(remaining: float) -> Feedback:
    """Predict: with f = 0.9 and i = 0 at every step, the fraction of c_0 left in c_20."""
    expected = FORGET_GATE**FORGET_STEPS
    got = float(np.asarray(remaining, dtype=float))
    if np.isclose(got, FORGET_GATE):
        return wrong("that is what one step keeps; the forget gate multiplies at every step.")
    if np.isclose(got, FORGET_GATE * FORGET_STEPS) or np.isclose(
        got, 1 - (1 - FORGET_GATE) * FORGET_STEPS
    ):
        return wrong("the cell is scaled by f at every step: the factors multiply, they don't add.")
    if np.isclose(got, FORGET_GATE ** (FORGET_STEPS - 1)) or np.isclose(
        got, FORGET_GATE ** (FORGET_STEPS + 1)
    ):
        return wrong("count the steps again: from c_0 to c_20 the forget gate acts 20 times.")
    return compare(
        got, expected, "remaining", rtol=1e-3, praise=f"f**20 = {expected:.4f}; so is dc_20/dc_0."
    )


def edge_ratio(radius: float) -> float:
    """||dL/dh|| 40 steps back divided by its value at the loss, for W_hh = radius * A.

    Uses the lesson's fixed pieces ``rnn.gradient_flow_inputs()``.
    """
    W_xh, A, xs = rnn.gradient_flow_inputs()
    norms = rnn.rnn_gradient_norms(rnn.rnn_with_radius(W_xh, A, radius), xs)
    return float(norms[EDGE_DISTANCE] / norms[0])


@checker("`radius`")
def check_edge_of_chaos(radius: float) -> Feedback:
    """Modify: the smallest spectral radius, to one slider step (EDGE_STEP), at which the
    gradient 40 steps back no longer vanishes: within 0.1x..10x of its value at the loss."""
    radius = float(np.asarray(radius, dtype=float))
    if not 0 < radius <= 10:
        return wrong(f"choose a radius between 0 and 10, got {radius:g}.")
    ratio = edge_ratio(radius)
    low, high = EDGE_BAND
    if ratio < low:
        return wrong(f"at radius {radius:g} the gradient still vanishes ({ratio:.2g}x): go larger.")
    if ratio > high:
        return wrong(f"at radius {radius:g} the gradient explodes ({ratio:.2g}x): go smaller.")
    below = edge_ratio(radius - EDGE_STEP)
    if below >= low:
        return wrong(
            f"radius {radius:g} works ({ratio:.2g}x), and so does {radius - EDGE_STEP:g} "
            f"({below:.2g}x): look for the smallest one."
        )
    return correct(
        f"40 steps back the gradient is {ratio:.2g}x its value at the loss, and one step lower "
        f"({radius - EDGE_STEP:g}) it is {below:.2g}x: tanh's slope below 1 pushes the edge of "
        "vanishing well above radius 1."
    )


def _step_case(seed: int = 6) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    n_hidden, n_in = 4, 3
    W_hh = rng.normal(size=(n_hidden, n_hidden))
    h_prev = np.tanh(rng.normal(size=n_hidden))
    x = rng.normal(size=n_in)
    h = np.tanh(W_hh @ h_prev + rng.normal(size=(n_hidden, n_in)) @ x)
    return rng.normal(size=n_hidden), h, h_prev, x, W_hh


@checker("`rnn_step_backward`")
def check_rnn_step_backward(student) -> Feedback:
    """Implement: one step of back-propagation through time (dh_prev, dW_hh, dW_xh, db)."""
    dh, h, h_prev, x, W_hh = _step_case()
    result = call_student(student, dh, h, h_prev, x, W_hh)
    if not isinstance(result, tuple) or len(result) != 4:
        return wrong("return a tuple of four arrays: (dh_prev, dW_hh, dW_xh, db).")
    expected = rnn.rnn_step_backward(dh, h, h_prev, x, W_hh)
    dh_prev, dW_hh, _, db = (np.asarray(r, dtype=float) for r in result)
    if np.allclose(db, dh):
        return wrong("db equals dh: multiply by the slope of tanh, 1 - h**2, first.")
    if np.allclose(db, dh * (1 - h)):
        return wrong("the slope of tanh at a = arctanh(h) is 1 - h**2, not 1 - h.")
    da = dh * (1 - h**2)
    if dh_prev.shape == expected[0].shape and np.allclose(dh_prev, W_hh @ da):
        return wrong("dh_prev needs the TRANSPOSE of W_hh: W_hh.T @ da.")
    if dW_hh.shape == expected[1].shape and np.allclose(dW_hh, np.outer(h_prev, da)):
        return wrong("dW_hh is transposed: it is np.outer(da, h_prev), shaped like W_hh.")
    for name, got, want in zip(("dh_prev", "dW_hh", "dW_xh", "db"), result, expected, strict=True):
        feedback = compare(got, want, name)
        if not feedback:
            return feedback
    return correct("that is one step of BPTT; rnn_backward repeats it from T down to 1.")
