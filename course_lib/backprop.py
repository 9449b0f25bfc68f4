"""Back-propagation from the chain rule up: the seed 001 worked example and seed 004's PROP.

Conventions used everywhere in this module (the row-vector form of seed 001):

- a batch of inputs is ``x: (batch, n_in)``; a single example may be ``(n_in,)``;
- a layer's weights are ``w: (n_in, n_out)`` and its bias ``b: (n_out,)``, so a layer computes
  ``h = x @ w + b -> (batch, n_out)``. Seed 004 writes the same thing column-wise,
  ``H_j = W_j Z_{j-1}``, with one sample per column: its ``W_j`` is our ``w.T``.

Map of the module, in file order (the section banners in the code carry the same numbers).
Start with the functions in **bold**: they are the ones lesson 03 calls.

1. Activations and losses: ``relu``, ``sigmoid``, ``tanh_grad``, ``identity``, **softmax** and
   their derivatives (**sigmoid_grad**, ``relu_grad``, ...); ``softmax_backward`` and
   ``softmax_jacobian`` (softmax couples its outputs); ``cross_entropy``, ``l2_loss``.
   (Then private input checks shared by everything below.)
2. Seed 004's PROP for k layers over a batch: **prop** (= ``prop_forward`` + ``prop_loss`` +
   ``prop_backward``); ``sgd_step``; **numerical_gradient** (central differences, to check
   any gradient; lesson 00's ``course_lib.tensors.numerical_gradient``, re-exported here).
3. Seed 001's 3-3-3 network done exactly (float64): **exact_pass** (every intermediate under
   the slides' names, the gradients and the SGD step), **forward_loss** (the loss alone),
   **SEED_001_ACTIVATIONS** (its three activations, for ``prop``).
4. What the slides print: **SEED_001** (every printed number as text, with its slide;
   ``SEED_001.get(name)``), **SEED_001_INTERMEDIATES** (the names of the 22 printed results,
   105 numbers, in slide order), **seed_001_problem** (x, y, weights, biases, lr as a
   ``Problem``).
   4a. Comparing a value with printed digits: **agrees** (rounded or cut off),
   **round_half_up**.
   4b. What the slides did: **DEVIATIONS** (the fourteen departures: the printed steps each one
   acts on, its kind, a one-line explanation); **slide_recipe** (redoes the example as the
   slides did, reproducing every printed number; ``fixed=`` corrects chosen deviations);
   **exact_values** (the exact counterpart of every printed number).
5. The errata table: **errata_table** (one ``ErrataRow`` per printed number: printed, recipe,
   rounded, exact, verdict, causes), **verdict** (how a verdict is decided), **errata_counts**,
   **deviation_summary**, **format_errata_by_slide** (markdown, one table per slide).
6. Did the step help: **loss_before_after** (the true loss before and after the slides' step
   and the exact step).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, fields
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import NamedTuple

import numpy as np

from course_lib.mlp import relu, relu_grad, sigmoid_grad, tanh_grad
from course_lib.tensors import numerical_gradient as numerical_gradient  # re-exported: lesson 00
from course_lib.tensors import sigmoid

# ---------------------------------------------------------------------------------------------
# 1. Activations and losses
# ---------------------------------------------------------------------------------------------


def identity(h: np.ndarray) -> np.ndarray:
    """The identity activation (a purely linear layer). Same shape as h."""
    return h


def identity_grad(h: np.ndarray) -> np.ndarray:
    """d h / d h = 1. Same shape as h."""
    return np.ones_like(h)


def softmax(h: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, e^h_a / sum_b e^h_b. h: (..., n) -> (..., n), rows sum to 1.

    The row maximum is subtracted first; this changes nothing mathematically and avoids overflow.
    """
    e = np.exp(h - np.max(h, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def softmax_backward(grad_s: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Chain rule through softmax: dL/dh from dL/ds, where s = softmax(h).

    grad_s: (batch, n), s: (batch, n) -> (batch, n).
    Softmax couples its outputs: ds_a/dh_b = s_a (delta_ab - s_b), so every output contributes
    to every input: dL/dh_b = s_b (dL/ds_b - sum_a dL/ds_a s_a).
    """
    _check_same_shape("grad_s", grad_s, "s", s)
    return s * (grad_s - np.sum(grad_s * s, axis=-1, keepdims=True))


def softmax_jacobian(s: np.ndarray) -> np.ndarray:
    """Full Jacobian of softmax for one example. s: (n,) -> (n, n) with J[a, b] = ds_a / dh_b."""
    s = np.asarray(s, dtype=float)
    if s.ndim != 1:
        raise ValueError(f"s must be one example of shape (n,), got shape {s.shape}")
    return np.diag(s) - np.outer(s, s)


# name -> (g, g'), both functions of the pre-activation H, as in seed 004 (g_j, g'_j)
ELEMENTWISE_ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "identity": (identity, identity_grad),
    "relu": (relu, relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (np.tanh, tanh_grad),
}
ACTIVATIONS: tuple[str, ...] = (*ELEMENTWISE_ACTIVATIONS, "softmax")
LOSSES: tuple[str, ...] = ("cross_entropy", "l2")


def cross_entropy(p: np.ndarray, y: np.ndarray) -> float:
    """Categorical cross-entropy, natural log, averaged over the batch.

    p: (batch, n) probabilities (softmax outputs), y: (batch, n) targets (one-hot) -> float.
    L = -(1/N) sum_i sum_a y_ia ln p_ia.
    """
    p, y = _as_batch(p), _as_batch(y)
    _check_same_shape("p", p, "y", y)
    return float(-np.sum(y * np.log(p)) / p.shape[0])


def l2_loss(z: np.ndarray, y: np.ndarray) -> float:
    """Seed 004's L2 loss 1/2 ||y - z||^2, averaged over the batch. z, y: (batch, n) -> float."""
    z, y = _as_batch(z), _as_batch(y)
    _check_same_shape("z", z, "y", y)
    return float(0.5 * np.sum((y - z) ** 2) / z.shape[0])


# ---------------------------------------------------------------------------------------------
# Input checks (shared): every message names the argument and gives expected vs got
# ---------------------------------------------------------------------------------------------


def _as_batch(a: np.ndarray) -> np.ndarray:
    """Turn one example (n,) into a batch (1, n); leave (batch, n) alone."""
    a = np.asarray(a, dtype=float)
    return a[None, :] if a.ndim == 1 else a


def _check_finite(name: str, a: np.ndarray) -> None:
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or inf (shape {np.shape(a)})")


def _check_same_shape(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    if np.shape(a) != np.shape(b):
        raise ValueError(
            f"{name_a} has shape {np.shape(a)} but {name_b} has shape {np.shape(b)}; "
            "expected the same shape"
        )


def _check_network(
    x: np.ndarray,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    activations: Sequence[str] | None = None,
) -> None:
    """Check that x, the weights, biases and activations fit together as a k-layer network."""
    if x.ndim != 2:
        raise ValueError(f"x must be (batch, n_in) or (n_in,), got shape {x.shape}")
    _check_finite("x", x)
    if len(weights) == 0:
        raise ValueError("weights is empty; expected at least one (n_in, n_out) matrix")
    if len(biases) != len(weights):
        raise ValueError(f"biases has {len(biases)} entries but weights has {len(weights)}")
    if activations is not None and len(activations) != len(weights):
        raise ValueError(
            f"activations has {len(activations)} entries but weights has {len(weights)}"
        )
    n_in = x.shape[1]
    for j, (w, b) in enumerate(zip(weights, biases, strict=True)):
        w, b = np.asarray(w), np.asarray(b)
        if w.ndim != 2 or w.shape[0] != n_in:
            what = "x" if j == 0 else f"weights[{j - 1}]"
            raise ValueError(
                f"weights[{j}] has shape {w.shape} but expected ({n_in}, n_out) "
                f"to follow {what}, which gives {n_in} features"
            )
        if b.shape != (w.shape[1],):
            raise ValueError(
                f"biases[{j}] has shape {b.shape} but expected ({w.shape[1]},) "
                f"to match weights[{j}] of shape {w.shape}"
            )
        _check_finite(f"weights[{j}]", w)
        _check_finite(f"biases[{j}]", b)
        n_in = w.shape[1]
    if activations is not None:
        for j, name in enumerate(activations):
            if name not in ACTIVATIONS:
                raise ValueError(f"activations[{j}] is {name!r}; expected one of {ACTIVATIONS}")
            if name == "softmax" and j != len(activations) - 1:
                raise ValueError(f"activations[{j}] is 'softmax'; only the last layer may be")


def _check_targets(y: np.ndarray, z_out: np.ndarray) -> None:
    if y.shape != z_out.shape:
        raise ValueError(
            f"y has shape {y.shape} but the network outputs shape {z_out.shape}; "
            "expected y to be (batch, n_out) like the output"
        )
    _check_finite("y", y)


# ---------------------------------------------------------------------------------------------
# 2. Seed 004's PROP: forward and backward pass in matrix form, over a batch, for k layers
# ---------------------------------------------------------------------------------------------


class PropResult(NamedTuple):
    """What PROP returns (seed 004): the output Z_k, the loss L, dL/dW_j and dL/db_j."""

    output: np.ndarray
    loss: float
    grad_weights: list[np.ndarray]
    grad_biases: list[np.ndarray]


def prop_forward(
    x: np.ndarray,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    activations: Sequence[str],
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Forward pass: H_j = Z_{j-1} W_j + b_j, Z_j = g_j(H_j), for j = 1..k, with Z_0 = x.

    x: (batch, n_0) or (n_0,); weights[j]: (n_j, n_{j+1}); biases[j]: (n_{j+1},);
    activations[j]: one of ACTIVATIONS ("softmax" only last).
    Returns (hs, zs): hs[j] = H_{j+1}: (batch, n_{j+1}) for j < k, and zs[j] = Z_j: (batch, n_j)
    for j = 0..k (zs[0] is x itself; zs[-1] is the network output).
    """
    x = _as_batch(x)
    _check_network(x, weights, biases, activations)
    hs, zs = [], [x]
    for w, b, name in zip(weights, biases, activations, strict=True):
        h = zs[-1] @ w + b
        z = softmax(h) if name == "softmax" else ELEMENTWISE_ACTIVATIONS[name][0](h)
        hs.append(h)
        zs.append(z)
    return hs, zs


def prop_loss(z_out: np.ndarray, y: np.ndarray, loss: str) -> float:
    """L = (1/N) sum_i l(Z_k[i], Y[i]). z_out, y: (batch, n_out) -> float. loss: one of LOSSES."""
    if loss == "cross_entropy":
        return cross_entropy(z_out, y)
    if loss == "l2":
        return l2_loss(z_out, y)
    raise ValueError(f"loss is {loss!r}; expected one of {LOSSES}")


def prop_backward(
    y: np.ndarray,
    weights: Sequence[np.ndarray],
    hs: Sequence[np.ndarray],
    zs: Sequence[np.ndarray],
    activations: Sequence[str],
    loss: str,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Backward pass of seed 004, in our row convention. Returns (grad_weights, grad_biases).

    y: (batch, n_k); hs, zs: as returned by prop_forward. With N the batch size:
        dZ_k = (1/N) l'(Z_k, Y)                        (batch, n_k)
        for j = k..1:
            dH_j = g'_j(H_j) * dZ_j                    elementwise product, (batch, n_j)
            dZ_{j-1} = dH_j @ W_j.T                    (batch, n_{j-1})
            db_j = sum over the batch of dH_j          (n_j,)
            dW_j = Z_{j-1}.T @ dH_j                    (n_{j-1}, n_j), same shape as W_j
    A softmax layer is not elementwise, so its dH uses softmax_backward; with cross-entropy the
    two simplify to dH_k = (Z_k - Y) / N, which is what we use then.
    """
    k = len(weights)
    if not len(hs) == len(activations) == k or len(zs) != k + 1:
        raise ValueError(
            f"expected {k} hs, {k} activations and {k + 1} zs for {k} weights, "
            f"got {len(hs)} hs, {len(activations)} activations and {len(zs)} zs"
        )
    y = _as_batch(y)
    z_out = zs[-1]
    _check_targets(y, z_out)
    n = z_out.shape[0]
    if loss == "l2":
        dz = (z_out - y) / n  # l'(z, y) = z - y
    elif loss == "cross_entropy":
        if activations[-1] != "softmax":
            raise ValueError(
                f"loss 'cross_entropy' expects a softmax output layer, "
                f"got activations[-1] = {activations[-1]!r}"
            )
        dz = None  # l'(z, y) = -y / z; folded into the softmax step below
    else:
        raise ValueError(f"loss is {loss!r}; expected one of {LOSSES}")

    grad_w: list[np.ndarray] = [np.empty(0)] * k
    grad_b: list[np.ndarray] = [np.empty(0)] * k
    for j in reversed(range(k)):
        if dz is None:
            dh = (z_out - y) / n  # = softmax_backward(-y / z_out / n, z_out)
        elif activations[j] == "softmax":
            dh = softmax_backward(dz, zs[j + 1])
        else:
            dh = ELEMENTWISE_ACTIVATIONS[activations[j]][1](hs[j]) * dz
        grad_w[j] = zs[j].T @ dh
        grad_b[j] = dh.sum(axis=0)
        dz = dh @ np.asarray(weights[j]).T
    return grad_w, grad_b


def prop(
    x: np.ndarray,
    y: np.ndarray,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    activations: Sequence[str],
    loss: str,
) -> PropResult:
    """Seed 004's PROP: forward pass, batch-averaged loss, backward pass.

    x: (batch, n_0), y: (batch, n_k), weights[j]: (n_j, n_{j+1}), biases[j]: (n_{j+1},),
    activations: k names from ACTIVATIONS, loss: "cross_entropy" (softmax output) or "l2".
    Returns PropResult(output (batch, n_k), loss float, grad_weights, grad_biases), each gradient
    with the shape of its parameter.
    """
    if loss not in LOSSES:
        raise ValueError(f"loss is {loss!r}; expected one of {LOSSES}")
    hs, zs = prop_forward(x, weights, biases, activations)
    y = _as_batch(y)
    _check_targets(y, zs[-1])
    grad_w, grad_b = prop_backward(y, weights, hs, zs, activations, loss)
    return PropResult(zs[-1], prop_loss(zs[-1], y, loss), grad_w, grad_b)


def sgd_step(
    params: Sequence[np.ndarray], grads: Sequence[np.ndarray], lr: float
) -> list[np.ndarray]:
    """One gradient-descent step, theta - lr * dL/dtheta, for each parameter (new arrays).

    params[i] and grads[i] must have the same shape. Note the minus sign: seed 001's first
    training slide writes w(k+1) = w(k) + eta dE/dw, but its worked example subtracts.
    """
    if len(params) != len(grads):
        raise ValueError(f"params has {len(params)} arrays but grads has {len(grads)}")
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        _check_same_shape(f"params[{i}]", p, f"grads[{i}]", g)
    return [
        np.asarray(p, dtype=float) - lr * np.asarray(g) for p, g in zip(params, grads, strict=True)
    ]


# ---------------------------------------------------------------------------------------------
# 3. The 3-3-3 network of seed 001, exactly
# ---------------------------------------------------------------------------------------------

SEED_001_ACTIVATIONS: tuple[str, ...] = ("relu", "sigmoid", "softmax")


def exact_pass(
    x: np.ndarray,
    y: np.ndarray,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    lr: float,
) -> dict[str, np.ndarray]:
    """Forward + backward pass of seed 001's network at float64, and the SGD step.

    x: (n_i,) one example, y: (n_l,) one-hot target; weights = (w_ij: (n_i, n_j),
    w_jk: (n_j, n_k), w_kl: (n_k, n_l)); biases = (b_j: (n_j,), b_k: (n_k,), b_l: (n_l,));
    layers ReLU -> sigmoid -> softmax; loss = categorical cross-entropy, natural log.
    The names follow the slides (h1 = first hidden layer, h2 = second, o = output).
    Returns a dict of arrays (1-d vectors are (n,), gradients have their parameter's shape):
      forward:  h1_in, h1_out, h2_in, h2_out, o_in, o_out, loss
      backward: dE_dO_out (-y/p), dO_out_dO_in (diagonal of the softmax Jacobian, p(1-p)),
                delta_out = dE/dO_in = p - y (all softmax paths summed),
                dW_kl, db_l, dE_dh2_out, dh2_out_dh2_in, delta_h2, dW_jk, db_k,
                dE_dh1_out, dh1_out_dh1_in, delta_h1, dW_ij, db_j
      update:   w_ij_new, w_jk_new, w_kl_new, b_j_new, b_k_new, b_l_new (all = old - lr grad)
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x must be one example of shape (n_in,), got shape {x.shape}")
    if len(weights) != 3:
        raise ValueError(f"weights must hold 3 matrices (w_ij, w_jk, w_kl), got {len(weights)}")
    _check_network(x[None, :], weights, biases)
    w_ij, w_jk, w_kl = (np.asarray(w, dtype=float) for w in weights)
    b_j, b_k, b_l = (np.asarray(b, dtype=float) for b in biases)
    if y.shape != (w_kl.shape[1],):
        raise ValueError(f"y has shape {y.shape} but expected ({w_kl.shape[1]},) like the output")
    _check_finite("y", y)

    r: dict[str, np.ndarray] = {}
    # forward
    r["h1_in"] = x @ w_ij + b_j
    r["h1_out"] = relu(r["h1_in"])
    r["h2_in"] = r["h1_out"] @ w_jk + b_k
    r["h2_out"] = sigmoid(r["h2_in"])
    r["o_in"] = r["h2_out"] @ w_kl + b_l
    p = r["o_out"] = softmax(r["o_in"])
    r["loss"] = np.asarray(-np.sum(y * np.log(p)))
    # backward, output layer: softmax + cross-entropy collapse to p - y
    r["dE_dO_out"] = -y / p
    r["dO_out_dO_in"] = p * (1 - p)
    r["delta_out"] = p - y  # = softmax_jacobian(p).T @ dE_dO_out
    r["dW_kl"] = np.outer(r["h2_out"], r["delta_out"])
    r["db_l"] = r["delta_out"]
    # hidden layer 2 (sigmoid): every output contributes, through w_kl
    r["dE_dh2_out"] = w_kl @ r["delta_out"]
    r["dh2_out_dh2_in"] = r["h2_out"] * (1 - r["h2_out"])
    r["delta_h2"] = r["dE_dh2_out"] * r["dh2_out_dh2_in"]
    r["dW_jk"] = np.outer(r["h1_out"], r["delta_h2"])
    r["db_k"] = r["delta_h2"]
    # hidden layer 1 (ReLU): every unit of layer 2 contributes, through w_jk
    r["dE_dh1_out"] = w_jk @ r["delta_h2"]
    r["dh1_out_dh1_in"] = relu_grad(r["h1_in"])
    r["delta_h1"] = r["dE_dh1_out"] * r["dh1_out_dh1_in"]
    r["dW_ij"] = np.outer(x, r["delta_h1"])
    r["db_j"] = r["delta_h1"]
    # SGD step
    params = [w_ij, w_jk, w_kl, b_j, b_k, b_l]
    grads = [r["dW_ij"], r["dW_jk"], r["dW_kl"], r["db_j"], r["db_k"], r["db_l"]]
    new = sgd_step(params, grads, lr)
    for name, value in zip(
        ["w_ij_new", "w_jk_new", "w_kl_new", "b_j_new", "b_k_new", "b_l_new"], new, strict=True
    ):
        r[name] = value
    return r


def forward_loss(
    x: np.ndarray,
    y: np.ndarray,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    definition: str = "exact",
) -> float:
    """Loss of the 3-3-3 network (ReLU -> sigmoid -> output) for one example, at float64.

    x: (n_i,), y: (n_l,), weights/biases as in exact_pass. definition:
      "exact": softmax output, categorical cross-entropy with natural log;
      "slide": what seed 001's slides compute: output = o_in / sum(o_in) (no exponentials),
               loss = sum over outputs of binary cross-entropy, base-10 logarithms.
    """
    if definition not in ("exact", "slide"):
        raise ValueError(f"definition is {definition!r}; expected 'exact' or 'slide'")
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    _check_network(x[None, :], weights, biases)
    h1 = relu(x @ weights[0] + biases[0])
    h2 = sigmoid(h1 @ weights[1] + biases[1])
    o_in = h2 @ weights[2] + biases[2]
    _check_targets(y, o_in)
    if definition == "exact":
        return float(-np.sum(y * np.log(softmax(o_in))))
    o = o_in / np.sum(o_in)
    return float(-np.sum(y * np.log10(o) + (1 - y) * np.log10(1 - o)))


# ---------------------------------------------------------------------------------------------
# 4. SEED_001: the documented values, exactly as printed
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Printed:
    """One number, vector or matrix as printed in a seed, kept as text so no digit is lost.

    text: a str, a tuple of str, or a tuple of tuples of str (the printed digits, e.g. "0.2040");
    where: the slide (page number printed under it in the seed text) and what is on it.
    """

    text: str | tuple
    where: str

    @property
    def value(self) -> np.ndarray | float:
        """The printed number(s) as float64: a 0-d array for a scalar, else the printed shape."""
        return np.array(self.text, dtype=float)[()]

    @property
    def decimals(self) -> np.ndarray:
        """How many digits follow the decimal point in each printed number (same shape)."""
        return np.vectorize(_decimals, otypes=[int])(np.array(self.text, dtype=object))


def _decimals(text: str) -> int:
    return -Decimal(text).as_tuple().exponent


def _p(text: str | tuple, where: str) -> Printed:
    return Printed(text, where)


@dataclass(frozen=True)
class Seed001:
    """Every number of seed 001's 3-3-3 worked example (slides 5-24), as printed.

    Slide numbers are the page numbers printed in the seed text (the figures are lost).
    Index names follow the slides: i = input, j = hidden 1 (ReLU), k = hidden 2 (sigmoid),
    l = output (softmax); w_ij is the matrix from i to j, with rows i and columns j.
    Numbers that are only repeated elsewhere (h2_out again as dO_in/dW_kl on slide 11, h1_out
    as dh2_in/dW_jk on slide 15, x as dh1_in/dW_ij on slide 21, the factors re-quoted to 4
    digits on slides 12 and 18, and the summary of all weights on slide 24) are not repeated.
    """

    # -- given --------------------------------------------------------------------------------
    x: Printed
    y: Printed
    w_ij: Printed
    w_jk: Printed
    w_kl: Printed
    b_j: Printed
    b_k: Printed
    b_l: Printed
    lr: Printed
    # -- forward pass -------------------------------------------------------------------------
    h1_in: Printed
    h1_out: Printed
    h2_in: Printed
    h2_out: Printed
    o_in: Printed
    o_out: Printed
    loss_log_args: Printed
    loss_terms: Printed
    loss: Printed
    # -- output layer (W_kl) ------------------------------------------------------------------
    dE_dO_out: Printed
    dO_out_dO_in: Printed
    dW_kl: Printed
    w_kl_new: Printed
    # -- hidden layer 2 (W_jk) ----------------------------------------------------------------
    dh2_out_dh2_in: Printed
    dE_dh2_out_terms: Printed
    dE_dh2_out: Printed
    dW_jk: Printed
    w_jk_new: Printed
    # -- hidden layer 1 (W_ij) ----------------------------------------------------------------
    dh1_out_dh1_in: Printed
    dE_dh1_out: Printed
    dW_ij: Printed
    w_ij_new: Printed

    def get(self, name: str) -> Printed:
        """The Printed entry called name (a field name); ValueError for an unknown name."""
        if name not in SEED_001_NAMES:
            raise ValueError(f"name is {name!r}; expected one of {SEED_001_NAMES}")
        return getattr(self, name)


SEED_001 = Seed001(
    x=_p(("0.1", "0.2", "0.7"), "slide 5 (forward pass, layer 1): input row vector"),
    y=_p(("1.0", "0.0", "0.0"), "slide 8 (error): desired output"),
    w_ij=_p(
        (("0.1", "0.2", "0.3"), ("0.3", "0.2", "0.7"), ("0.4", "0.3", "0.9")),
        "slide 5 (forward pass, layer 1); repeated on slide 24",
    ),
    w_jk=_p(
        (("0.2", "0.3", "0.5"), ("0.3", "0.5", "0.7"), ("0.6", "0.4", "0.8")),
        "slide 6 (forward pass, layer 2); repeated on slide 24",
    ),
    w_kl=_p(
        (("0.1", "0.4", "0.8"), ("0.3", "0.7", "0.2"), ("0.5", "0.2", "0.9")),
        "slide 7 (forward pass, layer 3); repeated on slide 24",
    ),
    b_j=_p(("1.0", "1.0", "1.0"), "slide 5 (forward pass, layer 1)"),
    b_k=_p(("1.0", "1.0", "1.0"), "slide 6 (forward pass, layer 2)"),
    b_l=_p(("1.0", "1.0", "1.0"), "slide 7 (forward pass, layer 3)"),
    lr=_p("0.01", "slide 13 (W_kl update): printed with a decimal comma, 'Learning rate = 0,01'"),
    h1_in=_p(("1.35", "1.27", "1.8"), "slide 5 (forward pass, layer 1): x W_ij + b_j"),
    h1_out=_p(("1.35", "1.27", "1.8"), "slide 5 (forward pass, layer 1): ReLU output"),
    h2_in=_p(("2.73", "2.76", "4.001"), "slide 6 (forward pass, layer 2): h1_out W_jk + b_k"),
    h2_out=_p(("0.938", "0.94", "0.98"), "slide 6 (forward pass, layer 2): sigmoid output"),
    o_in=_p(("1.8658", "2.2292", "2.8204"), "slide 7 (forward pass, layer 3): h2_out W_kl + b_l"),
    o_out=_p(("0.2698", "0.3223", "0.4078"), "slide 7 (forward pass, layer 3): 'softmax' output"),
    loss_log_args=_p(
        ("0.6777", "0.5922"), "slide 8 (error): 1 - O_out2 and 1 - O_out3 inside the logs"
    ),
    loss_terms=_p(
        ("0.569858", "0.16886", "0.22753"),
        "slide 8 (error): -log(0.2698), -log(0.6777), -log(0.5922)",
    ),
    loss=_p("0.97", "slide 8 (error): the total"),
    dE_dO_out=_p(("-3.70644", "-1.4755", "-1.6886"), "slide 11: dE_a/dO_out_a"),
    dO_out_dO_in=_p(("0.15911", "0.2040", "0.3685"), "slide 11: dO_out_a/dO_in_a"),
    dW_kl=_p(
        (
            ("-0.5531", "-0.0576", "-0.5836"),
            ("-0.554347", "-0.0577", "-0.5849"),
            ("-0.577937", "-0.06017", "-0.6098"),
        ),
        "slide 12: delta W_kl",
    ),
    w_kl_new=_p(
        (
            ("0.105531", "0.400576", "0.805836"),
            ("0.30055", "0.700577", "0.2005849"),
            ("0.5005779", "0.2006017", "0.9006098"),
        ),
        "slide 13: new W_kl; repeated on slide 24",
    ),
    dh2_out_dh2_in=_p(("0.058156", "0.0564", "0.0196"), "slide 15: sigmoid derivative"),
    dE_dh2_out_terms=_p(
        (
            ("-0.0589", "-0.2383", "-0.5931"),
            ("-0.1769", "-0.417", "-0.14828"),
            ("-0.2948", "-0.119", "-0.667"),
        ),
        "slide 18: the three path terms of dE_total/dh2_out (row = hidden unit, column = output)",
    ),
    dE_dh2_out=_p(("-0.8903", "-0.74218", "-1.0810"), "slide 18: dE_total/dh2_out"),
    dW_jk=_p(
        (
            ("-0.06989", "-0.0565", "-0.0286"),
            ("-0.06575", "-0.05316", "-0.0269"),
            ("-0.0932", "-0.0753", "-0.03813"),
        ),
        "slide 18: delta W_jk",
    ),
    w_jk_new=_p(
        (
            ("0.2006989", "0.300565", "0.500286"),
            ("0.3006575", "0.5005316", "0.700269"),
            ("0.600932", "0.400753", "0.803813"),
        ),
        "slide 19: new W_jk; repeated on slide 24",
    ),
    dh1_out_dh1_in=_p(("1.0", "1.0", "1.0"), "slide 21: ReLU derivative ('all inputs positive')"),
    dE_dh1_out=_p(("-0.01035", "-0.0209", "-0.0169"), "slide 22: dE_total/dh1_out"),
    dW_ij=_p(
        (
            ("-0.001035", "-0.00209", "-0.00169"),
            ("-0.00207", "-0.00418", "-0.00338"),
            ("-0.007245", "-0.01463", "-0.01183"),
        ),
        "slide 23: delta W_ij",
    ),
    w_ij_new=_p(
        (
            ("0.10001035", "0.2000209", "0.3000169"),
            ("0.3000207", "0.2000418", "0.7000338"),
            ("0.40007245", "0.3001463", "0.9001183"),
        ),
        "slide 23: new W_ij; repeated on slide 24",
    ),
)

SEED_001_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Seed001))
SEED_001_GIVEN: tuple[str, ...] = ("x", "y", "w_ij", "w_jk", "w_kl", "b_j", "b_k", "b_l", "lr")
# the printed intermediates, in the order the slides compute them
SEED_001_INTERMEDIATES: tuple[str, ...] = tuple(
    n for n in SEED_001_NAMES if n not in SEED_001_GIVEN
)


class Problem(NamedTuple):
    """The inputs of a 3-3-3 run: exact_pass(*problem) works."""

    x: np.ndarray
    y: np.ndarray
    weights: tuple[np.ndarray, np.ndarray, np.ndarray]
    biases: tuple[np.ndarray, np.ndarray, np.ndarray]
    lr: float


def seed_001_problem() -> Problem:
    """Seed 001's input, target, weights, biases and learning rate as float64 arrays."""
    s = SEED_001
    return Problem(
        x=s.x.value,
        y=s.y.value,
        weights=(s.w_ij.value, s.w_jk.value, s.w_kl.value),
        biases=(s.b_j.value, s.b_k.value, s.b_l.value),
        lr=float(s.lr.value),
    )


# ---------------------------------------------------------------------------------------------
# 4a. Comparing a computed value with printed digits
# ---------------------------------------------------------------------------------------------


def _quantize(value: float, decimals: int, rounding: str) -> Decimal:
    v = Decimal(repr(round(float(value), 12)))  # drop float noise far below any printed digit
    return v.quantize(Decimal(1).scaleb(-decimals), rounding=rounding)


def agrees(text: str, value: float) -> bool:
    """True if the printed text is value rounded (half up) or cut off to the printed decimals.

    agrees("0.938", 0.93877) -> True (cut off); agrees("0.2040", 0.20403) -> True (rounded);
    agrees("0.15911", 0.159144) -> False. The slides do both, so both count as printing a value.
    """
    printed, d = Decimal(text), _decimals(text)
    return printed in (_quantize(value, d, ROUND_HALF_UP), _quantize(value, d, ROUND_DOWN))


def round_half_up(value: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """Round each value half-up (away from zero at .5) to its number of decimals (same shape)."""
    value = np.asarray(value, dtype=float)
    decimals = np.broadcast_to(decimals, value.shape)
    out = [
        float(_quantize(v, int(d), ROUND_HALF_UP))
        for v, d in zip(value.flat, decimals.flat, strict=True)
    ]
    return np.array(out).reshape(value.shape)


def _agrees_all(printed: Printed, value: np.ndarray) -> np.ndarray:
    texts = np.array(printed.text, dtype=object)
    value = np.broadcast_to(np.asarray(value, dtype=float), texts.shape)
    out = [agrees(t, v) for t, v in zip(texts.flat, value.flat, strict=True)]
    return np.array(out).reshape(texts.shape)


# ---------------------------------------------------------------------------------------------
# 4b. What the slides did: the deviations, and the recipe that reproduces every printed number
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deviation:
    """A place where seed 001's arithmetic departs from a correct computation.

    steps: the printed quantities this deviation acts on directly (it may change others
    downstream); kind: what sort of departure; text: one line, what the slide computed instead.
    """

    steps: tuple[str, ...]
    kind: str
    text: str


DEVIATIONS: dict[str, Deviation] = {
    "h2_in_slip": Deviation(
        ("h2_in",),
        "arithmetic slip",
        "h2_in[2] is printed 4.001, but 1.35*0.5 + 1.27*0.7 + 1.8*0.8 + 1 = 4.004 "
        "(harmless: sigmoid of either is 0.98 to the printed digits)",
    ),
    "softmax_linear": Deviation(
        ("o_out",),
        "formula variant",
        "the 'softmax' output is o_in / sum(o_in), with no exponentials "
        "(1.8658/6.9154 = 0.2698); the real softmax of the printed o_in is "
        "[0.1986, 0.2856, 0.5158]",
    ),
    "loss_binary_ce": Deviation(
        ("loss_terms", "loss", "dE_dO_out"),
        "formula variant",
        "the error is a sum of binary cross-entropies, one per output, adding "
        "-log(1 - O_a) for the two non-target outputs; softmax's cross-entropy is -log O_1 only",
    ),
    "loss_log10": Deviation(
        ("loss_terms", "loss"),
        "log base",
        "the error uses base-10 logs (-log10 0.2698 = 0.5690) while the derivatives on "
        "slide 11 use d(log O)/dO = 1/O, i.e. natural logs; -ln 0.2698 = 1.3101",
    ),
    "loss_term_slips": Deviation(
        ("loss_terms",),
        "transcription slip",
        "0.569858 and 0.16886 should read 0.568958 (digits 8 and 9 swapped) and 0.16896 "
        "(-log10 0.6777); the total 0.97 is the same either way",
    ),
    "dE_dO_sign": Deviation(
        ("dE_dO_out",),
        "sign",
        "the derivative of -(1-y) log(1-O) is written -(1-y)/(1-O); it is +(1-y)/(1-O), so "
        "outputs 2 and 3 get -1.4755 and -1.6886 instead of +1.4755 and +1.6886",
    ),
    "softmax_deriv_index": Deviation(
        ("dO_out_dO_in",),
        "derivative written wrongly",
        "for output 3 the slide evaluates e^O3 (e^O1 + e^O3) / S^2 = 0.3685 instead of "
        "its own formula e^O3 (e^O1 + e^O2) / S^2 = 0.2497",
    ),
    "softmax_jacobian_diagonal": Deviation(
        ("dW_kl", "dE_dh2_out_terms"),
        "paths ignored",
        "each output's error is sent back only through its own softmax input "
        "(dE_a/dO_out_a * dO_out_a/dO_in_a); softmax couples all outputs, so dE/dO_in_b must "
        "sum over every output a (the sum gives p - y)",
    ),
    "dW_kl_col2_double": Deviation(
        ("dW_kl",),
        "product miscomputed",
        "column 2 of delta W_kl is multiplied by 0.2040 twice: -1.4755*0.2040*0.2040*h2 = "
        "-0.0576 instead of the written -1.4755*0.204*0.938 = -0.2823",
    ),
    "w_kl_update_decimal": Deviation(
        ("w_kl_new",),
        "arithmetic slip",
        "four new W_kl entries (row 2 col 1 and 3, row 3 col 1 and 3) use 0.001 * dW instead "
        "of lr * dW = 0.01 * dW (decimal point shifted): 0.2 + 0.0005849 = 0.2005849, "
        "not 0.205849",
    ),
    "delta_out_factor_slip": Deviation(
        ("dE_dh2_out_terms",),
        "product miscomputed",
        "the factors for outputs 2 and 3 are 0.5957 and 0.7414 (each term / its weight) instead "
        "of the slide's own -1.4755*0.2040 = -0.3010 and -1.6886*0.3685 = -0.6222; "
        "no formula variant found that gives them",
    ),
    "dE_dh2_out_sum_slip": Deviation(
        ("dE_dh2_out",),
        "arithmetic slip",
        "the third sum is printed -1.0810, but its printed terms add to "
        "-0.2948 - 0.119 - 0.667 = -1.0808",
    ),
    "w_jk_update_decimal": Deviation(
        ("w_jk_new",),
        "arithmetic slip",
        "new W_jk[3,3] uses 0.1 * dW (0.003813) instead of lr * dW = 0.01 * dW (0.0003813): "
        "0.803813, not 0.8003813",
    ),
    "hidden1_diagonal": Deviation(
        ("dE_dh1_out",),
        "paths ignored",
        "dE/dh1_out_j keeps only the path through h2 unit k = j (weight W_jk[j,j]); "
        "h1 unit j feeds all three h2 units, so it should sum W_jk[j,k] * delta_h2_k over k",
    ),
}


def slide_recipe(fixed: Collection[str] = (), rounding: bool = True) -> dict[str, np.ndarray]:
    """Redo seed 001's worked example the way its slides did it; returns name -> value.

    With the defaults it reproduces every printed number of SEED_001_INTERMEDIATES (the value
    returned for a name agrees with the printed text to the printed digits, see agrees()).

    fixed: names from DEVIATIONS to correct (the others are computed as the slides did);
    rounding: if True, each step works from the previous step's *printed* numbers, as the slides
      do ("rounding carried forward"); where a corrected value no longer agrees with the print,
      it is rounded half-up to the printed number of decimals instead. The slides also round
      the exponentials e^O_in to 3 decimals and their sum to 2 (32.54) when they evaluate the
      softmax derivative (found by search: the one uniform rounding that gives all three
      printed digits; the slides do not print these). If False, nothing is rounded.
    fixed=DEVIATIONS, rounding=False gives the exact values (same as exact_pass).
    Returned arrays are the values each step computes, before that step's own rounding.
    """
    fixed = set(fixed)
    unknown = fixed - set(DEVIATIONS)
    if unknown:
        raise ValueError(f"fixed has unknown names {sorted(unknown)}; expected from DEVIATIONS")

    def as_printed(deviation: str) -> bool:
        """Does this step keep the slides' deviation (it was not asked to be fixed)?"""
        return deviation not in fixed

    out: dict[str, np.ndarray] = {}

    def keep(name: str, value: np.ndarray) -> np.ndarray:
        """Record what the step computed; return what the next step starts from."""
        value = np.asarray(value, dtype=float)
        out[name] = value
        if not rounding:
            return value
        printed = SEED_001.get(name)
        return np.where(
            _agrees_all(printed, value), printed.value, round_half_up(value, printed.decimals)
        )

    x, y, (w_ij, w_jk, w_kl), (b_j, b_k, b_l), lr = seed_001_problem()

    # forward pass (slides 5-7)
    h1_in = keep("h1_in", x @ w_ij + b_j)
    h1_out = keep("h1_out", relu(h1_in))
    h2_in = h1_out @ w_jk + b_k
    if as_printed("h2_in_slip"):
        h2_in[2] = 4.001
    h2_in = keep("h2_in", h2_in)
    h2_out = keep("h2_out", sigmoid(h2_in))
    o_in = keep("o_in", h2_out @ w_kl + b_l)
    o_out = keep("o_out", o_in / o_in.sum() if as_printed("softmax_linear") else softmax(o_in))

    # error (slide 8)
    keep("loss_log_args", 1 - o_out[1:])
    log = np.log10 if as_printed("loss_log10") else np.log
    if as_printed("loss_binary_ce"):
        terms = -(y * log(o_out) + (1 - y) * log(1 - o_out))
    else:
        terms = -y * log(o_out)
    if as_printed("loss_term_slips"):
        terms[0], terms[1] = 0.569858, 0.16886
    terms = keep("loss_terms", terms)
    keep("loss", terms.sum())

    # output layer, W_kl (slides 10-13)
    if as_printed("loss_binary_ce"):
        sign = -1.0 if as_printed("dE_dO_sign") else 1.0
        g = -y / o_out + sign * (1 - y) / (1 - o_out)
    else:
        g = -y / o_out
    g = keep("dE_dO_out", g)
    e = np.exp(o_in)
    if rounding:
        e = round_half_up(e, 3)
    big_s = round_half_up(e.sum(), 2) if rounding else e.sum()
    diag = e * (e.sum() - e) / big_s**2  # e^O_a (sum of the other e^O) / S^2
    if as_printed("softmax_deriv_index"):
        diag[2] = e[2] * (e[0] + e[2]) / big_s**2
    s = keep("dO_out_dO_in", diag)
    if as_printed("softmax_jacobian_diagonal"):
        delta_out = g * s
    else:
        jac = -np.outer(e, e) / big_s**2  # J[a, b] = dO_out_a / dO_in_b
        np.fill_diagonal(jac, s)
        delta_out = jac.T @ g
    dw_kl = np.outer(h2_out, delta_out)
    if as_printed("dW_kl_col2_double"):
        dw_kl[:, 1] *= s[1]
    dw_kl = keep("dW_kl", dw_kl)
    lr_kl = np.full((3, 3), lr)
    if as_printed("w_kl_update_decimal"):
        lr_kl[[1, 1, 2, 2], [0, 2, 0, 2]] = lr / 10
    keep("w_kl_new", w_kl - lr_kl * dw_kl)

    # hidden layer 2, W_jk (slides 14-19)
    sd2 = keep("dh2_out_dh2_in", h2_out * (1 - h2_out))
    factor = delta_out.copy()
    if as_printed("delta_out_factor_slip"):
        factor[1], factor[2] = -0.5957, -0.7414
    terms_h2 = keep("dE_dh2_out_terms", w_kl * factor)  # [k, l]: path from h2 unit k via output l
    de_dh2 = terms_h2.sum(axis=1)
    if as_printed("dE_dh2_out_sum_slip"):
        de_dh2[2] = -1.0810
    de_dh2 = keep("dE_dh2_out", de_dh2)
    delta_h2 = de_dh2 * sd2
    dw_jk = keep("dW_jk", np.outer(h1_out, delta_h2))
    lr_jk = np.full((3, 3), lr)
    if as_printed("w_jk_update_decimal"):
        lr_jk[2, 2] = lr * 10
    keep("w_jk_new", w_jk - lr_jk * dw_jk)

    # hidden layer 1, W_ij (slides 20-23)
    sd1 = keep("dh1_out_dh1_in", relu_grad(h1_in))
    de_dh1 = delta_h2 * np.diag(w_jk) if as_printed("hidden1_diagonal") else w_jk @ delta_h2
    de_dh1 = keep("dE_dh1_out", de_dh1)
    dw_ij = keep("dW_ij", np.outer(x, de_dh1 * sd1))
    keep("w_ij_new", w_ij - lr * dw_ij)
    return out


def exact_values() -> dict[str, np.ndarray]:
    """The exact value of every printed intermediate of seed 001 (keys: SEED_001_INTERMEDIATES).

    Taken from exact_pass; the three slide-specific groupings are derived from it:
    loss_log_args = 1 - p[1:], loss_terms = -y ln p, dE_dh2_out_terms[k, l] = W_kl[k, l] delta_l.
    """
    problem = seed_001_problem()
    r = exact_pass(*problem)
    values = {n: r[n] for n in SEED_001_INTERMEDIATES if n in r}
    values["loss_log_args"] = 1 - r["o_out"][1:]
    values["loss_terms"] = -problem.y * np.log(r["o_out"])
    values["dE_dh2_out_terms"] = problem.weights[2] * r["delta_out"]
    return values


# ---------------------------------------------------------------------------------------------
# 5. The errata table
# ---------------------------------------------------------------------------------------------

VERDICTS: tuple[str, ...] = ("matches", "rounding carried forward", "inconsistent")


@dataclass(frozen=True)
class ErrataRow:
    """One printed number. recipe: what the slides' own arithmetic gives (slide_recipe());
    rounded: correct formulas fed the slides' rounded numbers; exact: float64 truth."""

    name: str
    where: str
    printed: str
    recipe: float
    rounded: float
    exact: float
    verdict: str
    causes: tuple[str, ...]
    own_causes: tuple[str, ...]
    explanation: str


def verdict(printed: str, exact: float, rounded: float) -> str:
    """Classify one printed number (see agrees() for "agrees to the printed digits").

    "matches": it agrees with the exact value;
    "rounding carried forward": it does not, but agrees with the correct formulas applied to
        the slides' rounded numbers (so the only departure is rounding upstream);
    "inconsistent": it agrees with neither (a formula variant or a slip, here or upstream).
    """
    if agrees(printed, exact):
        return VERDICTS[0]
    if agrees(printed, rounded):
        return VERDICTS[1]
    return VERDICTS[2]


def _differ_at(text: str, a: float, b: float) -> bool:
    """Do a and b differ when both are rounded to the decimals printed in text?"""
    d = _decimals(text)
    return _quantize(a, d, ROUND_HALF_UP) != _quantize(b, d, ROUND_HALF_UP)


def _element_name(name: str, idx: tuple[int, ...]) -> str:
    return name if idx == () else f"{name}[{','.join(str(i) for i in idx)}]"


def _explain(verdict_: str, causes: Sequence[str], own: Sequence[str]) -> str:
    if verdict_ == VERDICTS[0]:
        return "agrees with the exact value"
    if verdict_ == VERDICTS[1]:
        return "the correct formula applied to the slides' rounded numbers"
    upstream = [c for c in causes if c not in own]
    parts = [DEVIATIONS[c].text for c in own]
    if upstream:
        lead = "also inherits: " if own else "this step is right; the error is inherited: "
        parts.append(lead + ", ".join(upstream))
    return "; ".join(parts) if parts else "differs from exact; no single deviation explains it"


def errata_table() -> list[ErrataRow]:
    """One row per printed number of seed 001's example (every element of every matrix).

    The verdict is computed by verdict() from the printed text, the exact value and the
    correct-formulas-with-the-slides'-rounding value. For an inconsistent number, causes lists
    every deviation d that moves it, found by running slide_recipe twice per deviation: with d
    alone fixed (does the printed number still come out?) and with only d left in (does the
    correct number still come out?). own_causes are the causes that act on this very step;
    the explanation gives their one-line text, then names the inherited ones.
    """
    recipe = slide_recipe()
    rounded = slide_recipe(fixed=DEVIATIONS)
    exact = exact_values()
    d_fixed = {d: slide_recipe(fixed={d}) for d in DEVIATIONS}
    d_only = {d: slide_recipe(fixed=set(DEVIATIONS) - {d}) for d in DEVIATIONS}
    rows = []
    for name in SEED_001_INTERMEDIATES:
        printed = SEED_001.get(name)
        texts = np.array(printed.text, dtype=object)
        for idx in np.ndindex(texts.shape):
            text = texts[idx]
            v = verdict(text, exact[name][idx], rounded[name][idx])
            causes: tuple[str, ...] = ()
            if v == VERDICTS[2]:
                causes = tuple(
                    d
                    for d in DEVIATIONS
                    if not agrees(text, d_fixed[d][name][idx])
                    or _differ_at(text, d_only[d][name][idx], rounded[name][idx])
                )
            own = tuple(c for c in causes if name in DEVIATIONS[c].steps)
            rows.append(
                ErrataRow(
                    name=_element_name(name, idx),
                    where=printed.where.split(":")[0],
                    printed=text,
                    recipe=float(recipe[name][idx]),
                    rounded=float(rounded[name][idx]),
                    exact=float(exact[name][idx]),
                    verdict=v,
                    causes=causes,
                    own_causes=own,
                    explanation=_explain(v, causes, own),
                )
            )
    return rows


def format_errata(rows: Sequence[ErrataRow], digits: int = 6) -> str:
    """The errata rows as a markdown table (values to `digits` significant digits)."""
    head = "| name | where | printed | slide recipe | exact | verdict | explanation |"
    lines = [head, "|---|---|---|---|---|---|---|"]
    for r in rows:
        explanation = r.explanation.replace("|", "\\|")
        lines.append(
            f"| {r.name} | {r.where} | {r.printed} | {r.recipe:.{digits}g} | "
            f"{r.exact:.{digits}g} | {r.verdict} | {explanation} |"
        )
    return "\n".join(lines)


def errata_counts(rows: Sequence[ErrataRow]) -> dict[str, int]:
    """How many rows got each verdict, in the order of VERDICTS (zeros included)."""
    return {v: sum(r.verdict == v for r in rows) for v in VERDICTS}


def slide_of(row: ErrataRow) -> int:
    """The slide number of a row, from its ``where`` text ("slide 12 (...)" -> 12)."""
    return _slide_number(row.where)


def _slide_number(where: str) -> int:
    match = re.match(r"slide (\d+)", where)
    if match is None:
        raise ValueError(f"where is {where!r}; expected it to start with 'slide <number>'")
    return int(match.group(1))


def format_errata_by_slide(rows: Sequence[ErrataRow], digits: int = 6) -> str:
    """The errata rows as markdown, one table per slide, each headed by its verdict counts.

    Columns: name, printed, slide recipe, exact, verdict (with a mark: ✓ matches,
    ≈ rounding carried forward, ✗ inconsistent), and the explanation. Values to `digits`
    significant digits.
    """
    marks = dict(zip(VERDICTS, ("✓ matches", "≈ rounding", "✗ inconsistent"), strict=True))
    out = []
    for slide in sorted({slide_of(r) for r in rows}):
        group = [r for r in rows if slide_of(r) == slide]
        counts = ", ".join(f"{n} {v}" for v, n in errata_counts(group).items() if n)
        out += [f"**Slide {slide}** ({counts})", ""]
        out += [
            "| name | printed | slide recipe | exact | verdict | why |",
            "|---|---|---|---|---|---|",
        ]
        for r in group:
            why = r.explanation if r.verdict != VERDICTS[2] else _why_markdown(r)
            out.append(
                f"| `{r.name}` | {r.printed} | {r.recipe + 0.0:.{digits}g} | "
                f"{r.exact + 0.0:.{digits}g} | {marks[r.verdict]} | "
                f"{why.replace('|', chr(92) + '|')} |"
            )
        out.append("")
    return "\n".join(out)


def _why_markdown(row: ErrataRow) -> str:
    """An inconsistent row's reason: each own deviation (**id**: its one line), then the
    inherited ids; "this step is right" when every cause is upstream."""
    upstream = [c for c in row.causes if c not in row.own_causes]
    parts = [f"**{c}**: {DEVIATIONS[c].text}" for c in row.own_causes]
    if upstream:
        lead = "inherits " if parts else "this step is right; inherits "
        parts.append(lead + ", ".join(upstream))
    return "; ".join(parts) or row.explanation


class DeviationSummary(NamedTuple):
    """One deviation: its id, the slides it acts on, its kind and text, and its reach:
    own_rows = printed numbers it breaks directly, rows = printed numbers it moves at all."""

    name: str
    slides: tuple[int, ...]
    kind: str
    text: str
    own_rows: int
    rows: int


def deviation_summary(rows: Sequence[ErrataRow]) -> list[DeviationSummary]:
    """For each entry of DEVIATIONS, in order, how many errata rows it explains (see above)."""
    out = []
    for name, d in DEVIATIONS.items():
        slides = sorted({_slide_number(SEED_001.get(s).where) for s in d.steps})
        out.append(
            DeviationSummary(
                name,
                tuple(slides),
                d.kind,
                d.text,
                own_rows=sum(name in r.own_causes for r in rows),
                rows=sum(name in r.causes for r in rows),
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# 6. Did the step help?
# ---------------------------------------------------------------------------------------------


def loss_before_after() -> dict[str, float]:
    """The loss of seed 001's example before and after one step, for several steps.

    Keys: "exact_before", "exact_after_slide_step" (the printed new weights, biases kept at
    1.0 as on the slides), "exact_after_exact_step" (exact gradients, weights only, like the
    slides), "exact_after_exact_step_with_biases"; and with the slides' own loss definition
    (forward_loss(definition="slide")): "slide_before", "slide_after_slide_step".
    All are evaluated at float64 from the given weights (no rounding).
    """
    x, y, weights, biases, lr = seed_001_problem()
    s = SEED_001
    slide_w = (s.w_ij_new.value, s.w_jk_new.value, s.w_kl_new.value)
    r = exact_pass(x, y, weights, biases, lr)
    exact_w = (r["w_ij_new"], r["w_jk_new"], r["w_kl_new"])
    exact_b = (r["b_j_new"], r["b_k_new"], r["b_l_new"])
    return {
        "exact_before": forward_loss(x, y, weights, biases),
        "exact_after_slide_step": forward_loss(x, y, slide_w, biases),
        "exact_after_exact_step": forward_loss(x, y, exact_w, biases),
        "exact_after_exact_step_with_biases": forward_loss(x, y, exact_w, exact_b),
        "slide_before": forward_loss(x, y, weights, biases, "slide"),
        "slide_after_slide_step": forward_loss(x, y, slide_w, biases, "slide"),
    }
