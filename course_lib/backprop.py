"""Lesson 03: back-propagation, as the lesson writes it.

Row convention (seed 001's): one example is a row ``x: (n_in,)``, a batch is ``x: (N, n_in)``;
a layer has weights ``w: (n_in, n_out)`` and a bias ``b: (n_out,)`` and computes ``x @ w + b``.
Seed 004 writes the same layer column-wise, ``W z + b``: its ``W`` is our ``w.T``.

- ``softmax`` (the course's one softmax), ``forward_333`` and ``backward_333``: seed 001's 3-3-3
  network on one example, every intermediate under the slides' names;
- ``prop_forward`` and ``prop_backward``: seed 004's PROP, both passes of k layers over a batch
  (``Arrays``, ``Funcs``: the sequences they take), with ``check_layers`` behind them so that a
  mistake in the shapes names the argument. In the course's letters (lessons 00-02): Z_j is a
  layer's pre-activation and H_j = g_j(Z_j) its activation; seed 004 names them the other way
  round.

Seed 001's printed numbers, how the slides computed them and the errata are in
``course_lib.seed001`` (appendix 03b).
"""

from collections.abc import Callable, Sequence

import numpy as np

from course_lib.mlp import relu, relu_grad, sigmoid_grad
from course_lib.tensors import sigmoid

Arrays = Sequence[np.ndarray]
Funcs = Sequence[Callable[[np.ndarray], np.ndarray]]


def softmax(h: np.ndarray) -> np.ndarray:
    """e^h_a / sum_b e^h_b over the last axis. h: (..., n) -> (..., n); each row sums to 1."""
    e = np.exp(h - h.max(axis=-1, keepdims=True))  # the same ratios, and no overflow
    return e / e.sum(axis=-1, keepdims=True)


def forward_333(x: np.ndarray, y: np.ndarray, weights: Arrays, biases: Arrays) -> dict:
    """Seed 001's network on one example: ReLU, sigmoid, softmax, then the cross-entropy.

    x: (3,); y: (3,) one-hot; weights w_ij, w_jk, w_kl: (3, 3); biases b_j, b_k, b_l: (3,).
    Returns every intermediate under the slides' names, each (3,), and the scalar loss.
    """
    (w_ij, w_jk, w_kl), (b_j, b_k, b_l) = weights, biases
    f = {"h1_in": x @ w_ij + b_j}
    f["h1_out"] = relu(f["h1_in"])
    f["h2_in"] = f["h1_out"] @ w_jk + b_k
    f["h2_out"] = sigmoid(f["h2_in"])
    f["o_in"] = f["h2_out"] @ w_kl + b_l
    f["o_out"] = softmax(f["o_in"])
    f["loss"] = -np.sum(y * np.log(f["o_out"]))
    return f


def backward_333(x: np.ndarray, y: np.ndarray, weights: Arrays, f: dict) -> dict:
    """The chain rule from the loss back to W_ij, on forward_333's intermediates f.

    x: (3,); y: (3,) one-hot. Returns each layer's delta = dL/d(pre-activation) = dL/d(bias)
    and the sums dE_dh2_out, dE_dh1_out, each (3,); dW_ij, dW_jk, dW_kl, each (3, 3).
    """
    _, w_jk, w_kl = weights
    g = {"delta_out": f["o_out"] - y}  # every softmax output's path summed: p - y
    g["dW_kl"] = np.outer(f["h2_out"], g["delta_out"])  # dL/dW[r, c] = a_r delta_c
    g["dE_dh2_out"] = w_kl @ g["delta_out"]  # sum over the 3 outputs that unit k feeds
    g["delta_h2"] = g["dE_dh2_out"] * sigmoid_grad(f["h2_in"])
    g["dW_jk"] = np.outer(f["h1_out"], g["delta_h2"])
    g["dE_dh1_out"] = w_jk @ g["delta_h2"]  # sum over the 3 units of h2 that unit j feeds
    g["delta_h1"] = g["dE_dh1_out"] * relu_grad(f["h1_in"])
    g["dW_ij"] = np.outer(x, g["delta_h1"])
    return g


def prop_forward(x: np.ndarray, weights: Arrays, biases: Arrays, g: Funcs) -> tuple:
    """PROP's forward pass. x: (N, n_0); weights[j]: (n_j, n_j+1), biases[j]: (n_j+1,) and g[j]
    make layer j+1 of the maths. Returns the pre-activations zs = [Z_1..Z_k] and the activations
    hs = [H_0 = x, H_1..H_k], each (N, n)."""
    check_layers(x, weights, biases, g)
    zs, hs = [], [x]
    for w, b, g_j in zip(weights, biases, g, strict=True):
        zs.append(hs[-1] @ w + b)  # Z_j = H_j-1 W_j + b_j
        hs.append(g_j(zs[-1]))  # H_j = g_j(Z_j)
    return zs, hs


def prop_backward(dh: np.ndarray, weights: Arrays, zs: list, hs: list, g_prime: Funcs) -> tuple:
    """PROP's backward pass from dh = dL/dH_k (N, n_k), prop_forward's zs, hs and g_prime[j],
    the derivative of g[j]. Returns [dL/dW_1..dL/dW_k], [dL/db_1..dL/db_k], shaped like W, b."""
    dws, dbs = [], []
    for j in reversed(range(len(weights))):  # the last layer first
        dz = g_prime[j](zs[j]) * dh  # dZ_j = g'_j(Z_j) o dH_j
        dws.insert(0, hs[j].T @ dz)  # dW_j = H_j-1^T dZ_j, summed over the batch
        dbs.insert(0, dz.sum(axis=0))  # db_j = dZ_j summed over the batch
        dh = dz @ weights[j].T  # dH_j-1 = dZ_j W_j^T: the sum over paths
    return dws, dbs


def check_layers(x: np.ndarray, weights: Arrays, biases: Arrays, g: Funcs) -> None:
    """ValueError, naming the argument, unless x: (N, n_0) and the layers fit together."""
    if np.ndim(x) != 2:
        raise ValueError(f"x must be a batch (N, n_0), got shape {np.shape(x)}")
    if not len(weights) == len(biases) == len(g) > 0:
        raise ValueError(
            f"expected as many weights, biases and activations (at least 1), "
            f"got {len(weights)} weights, {len(biases)} biases and {len(g)} activations"
        )
    n_in = np.shape(x)[1]
    for j, (w, b) in enumerate(zip(weights, biases, strict=True)):
        feeds = "x" if j == 0 else f"weights[{j - 1}]"
        if np.ndim(w) != 2 or np.shape(w)[0] != n_in:
            raise ValueError(
                f"weights[{j}] has shape {np.shape(w)} but expected ({n_in}, n_out): "
                f"{feeds} gives {n_in} features"
            )
        if np.shape(b) != (np.shape(w)[1],):
            raise ValueError(
                f"biases[{j}] has shape {np.shape(b)} but expected ({np.shape(w)[1]},) "
                f"to match weights[{j}] of shape {np.shape(w)}"
            )
        n_in = np.shape(w)[1]
