"""Checkers for lesson 02 (XOR and the multi-layer perceptron)."""

from collections.abc import Callable

import numpy as np

from course_lib import mlp, perceptron
from course_lib.exercises import Feedback, as_array, call_student, checker, correct, wrong
from course_lib.tensors import sigmoid

OR_NAND = {"w1": np.array([[1.0, -1.0], [1.0, -1.0]]), "b1": np.array([-0.5, 1.5])}
"""Exercises 1 and 2's hidden layer: unit 1 computes OR, unit 2 NAND (step activations)."""


@checker("`h_or_nand`")
def check_hidden_view(h_or_nand: np.ndarray) -> Feedback:
    """Exercise 1: the hidden outputs of the step layer ``OR_NAND`` for the four XOR inputs,
    (4, 2) of 0/1. The feedback names the slip, never the answer's rows."""
    expected = mlp.layer(mlp.XOR_X, OR_NAND["w1"], OR_NAND["b1"], perceptron.step)
    got = as_array(h_or_nand, "h_or_nand")
    if got.shape != (4, 2):
        return wrong(
            f"h_or_nand needs one row per input and one column per unit: (4, 2), got {got.shape}."
        )
    if np.array_equal(got, expected):
        return correct("unit 1 is OR and unit 2 is NAND: both are 1 exactly on XOR's class 1.")
    if np.array_equal(got, expected[:, ::-1]):
        return wrong("the columns are swapped: column 1 is hidden unit 1 (column 1 of W1, b1[0]).")
    hand = mlp.layer(mlp.XOR_X, mlp.HAND_XOR["w1"], mlp.HAND_XOR["b1"], perceptron.step)
    if np.array_equal(got, hand):
        return wrong(
            "that is the hidden layer of section 2 (OR and AND); this one has other weights."
        )
    if np.array_equal(got, mlp.layer(mlp.XOR_X, OR_NAND["w1"], OR_NAND["b1"], lambda z: z)):
        return wrong("those are the sums x @ W1 + b1: apply the step (1 where the sum is > 0).")
    row = int(np.argwhere((got != expected).any(axis=1))[0, 0])
    x = tuple(int(v) for v in mlp.XOR_X[row])
    return wrong(
        f"the row for input {x} is not what the units output: compute x @ W1 + b1 for each "
        "column of W1, then the step (output 1 only where the sum is > 0)."
    )


@checker("`w2_and` and `b2_and`")
def check_or_nand_output(w2: np.ndarray, b2: float) -> Feedback:
    """Output weights (2,) and bias that turn OR and NAND hidden units into XOR (step units)."""
    w2 = as_array(w2, "w2_and").reshape(-1)
    if w2.shape != (2,):
        return wrong(f"the output unit has one weight per hidden unit, shape (2,), got {w2.shape}.")
    b2 = float(as_array(b2, "b2_and"))
    h = mlp.layer(mlp.XOR_X, OR_NAND["w1"], OR_NAND["b1"], perceptron.step)
    out = mlp.layer(h, w2, b2, perceptron.step)
    for x, hx, y, t in zip(mlp.XOR_X.astype(int), h.astype(int), out, mlp.XOR_T, strict=True):
        if y != t:
            return wrong(
                f"input {tuple(x.tolist())} gives hidden {tuple(hx.tolist())} and output {y}, "
                f"XOR wants {t}: "
                "the output must be 1 only when both hidden units are 1 (an AND)."
            )
    return correct("XOR = OR and NAND: the output unit is an AND of the hidden units.")


def reference_tanh_backward(
    x: np.ndarray, t: np.ndarray, params: mlp.Params, h: np.ndarray, p: np.ndarray
) -> mlp.Params:
    """Exercise 3's answer: ``mlp.backward`` with tanh's slope 1 - h^2 for the hidden layer."""
    dz2 = (p - t) / len(t)
    dz1 = np.outer(dz2, params["w2"]) * (1 - h**2)
    return {"w1": x.T @ dz1, "b1": dz1.sum(axis=0), "w2": h.T @ dz2, "b2": dz2.sum()}


@checker("`backward_tanh`")
def check_tanh_backward(backward_tanh: Callable) -> Feedback:
    """A student's backward_tanh(x, t, params, h, p) for h = tanh(x @ w1 + b1),
    p = sigmoid(h @ w2 + b2) and the binary cross-entropy -> dict of gradients like params."""
    rng = np.random.default_rng(2)
    for hidden in (2, 3, 5):
        params = mlp.init_params(hidden, seed=hidden)
        x, t = rng.normal(size=(6, 2)), rng.integers(0, 2, size=6)
        h = np.tanh(x @ params["w1"] + params["b1"])
        p = sigmoid(h @ params["w2"] + params["b2"])
        got = call_student(backward_tanh, x, t, params, h, p)
        if not isinstance(got, dict) or set(got) != set(params):
            return wrong(f"return a dict with the keys {sorted(params)}, like `backward` does.")
        expected = reference_tanh_backward(x, t, params, h, p)
        as_sigmoid = mlp.backward(x, t, params, h, p)
        for key in ("w2", "b2", "w1", "b1"):
            got_k = as_array(got[key], f"the gradient of {key}")
            if np.shape(got_k) != np.shape(expected[key]):
                return wrong(
                    f"the gradient of {key} must have the shape of {key}, "
                    f"{np.shape(expected[key])}; got {np.shape(got_k)}."
                )
            if np.allclose(got_k, expected[key]):
                continue
            if key in ("w1", "b1") and np.allclose(got_k, as_sigmoid[key]):
                return wrong("that is the sigmoid's slope h(1 - h); tanh's slope is 1 - h**2.")
            if key in ("w2", "b2"):
                return wrong(
                    f"the output layer has not changed: keep backward's gradient of {key}."
                )
            return wrong(
                f"with {hidden} hidden units the gradient of {key} differs, e.g. "
                f"{np.ravel(got_k)[0]:.4f} vs {np.ravel(expected[key])[0]:.4f}: "
                "dL/dz1 = dL/dh * (1 - h**2)."
            )
    return correct("right for 2, 3 and 5 hidden units: only the hidden slope changed.")
