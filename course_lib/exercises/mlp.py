"""Checkers for lesson 02 (XOR and the multi-layer perceptron)."""

from collections.abc import Callable

import numpy as np

from course_lib import mlp
from course_lib.exercises import Feedback, as_array, call_student, checker, correct, wrong

OR_NAND = {"w1": np.array([[1.0, -1.0], [1.0, -1.0]]), "b1": np.array([-0.5, 1.5])}
"""Exercise 2's hidden layer: unit 1 computes OR, unit 2 NAND (step activations)."""


@checker("`h_hand`")
def check_hidden_view(h_hand: np.ndarray) -> Feedback:
    """The hand network's hidden outputs for the four XOR inputs, (4, 2) of 0/1."""
    expected = mlp.hidden(mlp.XOR_X, mlp.HAND_XOR, "step")
    got = as_array(h_hand, "h_hand")
    if got.shape != (4, 2):
        return wrong(
            f"h_hand needs one row per input and one column per unit: (4, 2), got {got.shape}."
        )
    if np.array_equal(got, expected):
        return correct("(0,1) and (1,0) land on the same hidden point, [1, 0].")
    if np.array_equal(got, expected[:, ::-1]):
        return wrong("the columns are swapped: column 1 is hidden unit 1 (bias -0.5, OR).")
    if np.array_equal(got[:, 0], mlp.XOR_T) or np.array_equal(
        got, np.column_stack([mlp.XOR_T] * 2)
    ):
        return wrong("that is the network's output; h_hand is what the two hidden units output.")
    row = int(np.argwhere((got != expected).any(axis=1))[0, 0])
    x = tuple(int(v) for v in mlp.XOR_X[row])
    return wrong(
        f"for input {x} the hidden units output {expected[row].astype(int).tolist()}, not "
        f"{got[row].tolist()}: compute step(x @ w1 + b1) with b1 = [-0.5, -1.5]."
    )


@checker("`w2_and` and `b2_and`")
def check_or_nand_output(w2: np.ndarray, b2: float) -> Feedback:
    """Output weights (2,) and bias that turn OR and NAND hidden units into XOR (step units)."""
    w2 = as_array(w2, "w2_and").reshape(-1)
    if w2.shape != (2,):
        return wrong(f"the output unit has one weight per hidden unit, shape (2,), got {w2.shape}.")
    params = OR_NAND | {"w2": w2, "b2": np.array(float(as_array(b2, "b2_and")))}
    h = mlp.hidden(mlp.XOR_X, params, "step")
    out = mlp.forward(mlp.XOR_X, params, "step").astype(int)
    for x, hx, y, t in zip(mlp.XOR_X.astype(int), h.astype(int), out, mlp.XOR_T, strict=True):
        if y != t:
            return wrong(
                f"input {tuple(x.tolist())} gives hidden {tuple(hx.tolist())} and output {y}, "
                f"XOR wants {t}: "
                "the output must be 1 only when both hidden units are 1 (an AND)."
            )
    return correct("XOR = OR and NAND: the output unit is an AND of the hidden units.")


@checker("`my_forward`")
def check_forward(my_forward: Callable) -> Feedback:
    """A student's my_forward(x (n, 2), w1 (2, h), b1 (h,), w2 (h,), b2) -> (n,) probabilities."""
    rng = np.random.default_rng(2)
    for h in (2, 3, 5):
        params = mlp.init_params(h, seed=h)
        x = rng.normal(size=(6, 2))
        expected = mlp.forward(x, params)
        got = as_array(call_student(my_forward, x, *params.values()), "the output")
        if got.shape != (6,):
            return wrong(f"for 6 inputs and {h} hidden units return shape (6,), got {got.shape}.")
        if np.allclose(got, expected):
            continue
        z = x @ params["w1"] + params["b1"]
        if np.allclose(got, mlp.sigmoid(z @ params["w2"] + params["b2"])):
            return wrong("the hidden layer has no activation: apply the sigmoid to x @ w1 + b1.")
        if np.allclose(got, mlp.hidden(x, params) @ params["w2"] + params["b2"]):
            return wrong("the output is not squashed: apply the sigmoid to the output unit too.")
        return wrong(
            f"with {h} hidden units your outputs differ, e.g. {got[0]:.4f} vs {expected[0]:.4f}."
        )
    return correct("your forward pass matches mlp.forward for 2, 3 and 5 hidden units.")
