"""Lesson 02, XOR and the multi-layer perceptron: what its `# @save` cells write.

Row convention (as in lesson 00): inputs x (n, d); a layer with weights w (d, m) and bias b (m,)
computes g(x @ w + b) -> (n, m). Seed 004 writes a layer column-wise as g(W x + b): its W is our
w.T (and so is ``torch.nn.Linear.weight``).

A 2-layer network (one hidden layer of h sigmoid units, one sigmoid output unit) is a dict of
arrays: ``w1`` (d, h), ``b1`` (h,), ``w2`` (h,), ``b2`` (). Its forward pass, its backward pass
for the binary cross-entropy, and its training loop by gradient descent are written here, then
the activation functions and their derivatives (``relu``, ``relu_grad``, ``sigmoid_grad``,
``tanh_grad``; lesson 03 imports them).
"""

from collections.abc import Callable, Sequence

import numpy as np

from course_lib import perceptron
from course_lib.tensors import sigmoid

XOR_X = perceptron.BINARY_INPUTS
XOR_T = perceptron.GATES["XOR"]

HAND_XOR: dict[str, np.ndarray] = {
    "w1": np.array([[1.0, 1.0], [1.0, 1.0]]),
    "b1": np.array([-0.5, -1.5]),
    "w2": np.array([1.0, -1.0]),
    "b2": np.array(-0.5),
}
"""A 2-2-1 step network computing XOR: hidden unit 1 is OR, unit 2 is AND, out = OR and not AND."""

Params = dict[str, np.ndarray]
Activation = Callable[[np.ndarray], np.ndarray]


def layer(x: np.ndarray, w: np.ndarray, b: np.ndarray, g: Activation) -> np.ndarray:
    """One fully connected layer g(x @ w + b). x: (n, d), w: (d, m), b: (m,) -> (n, m).

    A single unit is w: (d,) with a number b -> (n,).
    """
    return g(x @ w + b)


def network(
    x: np.ndarray,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    activations: Sequence[Activation],
) -> np.ndarray:
    """Seed 004's network g_k(... g_2(g_1(x W_1 + b_1) W_2 + b_2) ... W_k + b_k).

    x: (n, d); weights[j]: (n_j, n_{j+1}); biases[j]: (n_{j+1},); one activation per layer.
    """
    for w, b, g in zip(weights, biases, activations, strict=True):
        x = layer(x, w, b, g)
    return x


def forward(x: np.ndarray, params: Params) -> tuple[np.ndarray, np.ndarray]:
    """The 2-layer sigmoid network. x: (n, d) -> hidden h (n, h) and output p (n,) in (0, 1).

    h = sigmoid(x @ w1 + b1), p = sigmoid(h @ w2 + b2): p is the probability of class 1.
    """
    h = layer(x, params["w1"], params["b1"], sigmoid)
    return h, layer(h, params["w2"], params["b2"], sigmoid)


def bce_loss(p: np.ndarray, t: np.ndarray) -> float:
    """Binary cross-entropy -mean(t ln p + (1 - t) ln(1 - p)). p, t: (n,) -> a number."""
    p = np.clip(p, 1e-12, 1 - 1e-12)  # keeps ln(0) away
    return float(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)))


def predict(x: np.ndarray, params: Params) -> np.ndarray:
    """The class of every input: 1 where p > 0.5. x: (n, d) -> (n,) of 0/1."""
    return (forward(x, params)[1] > 0.5).astype(int)


def backward(x: np.ndarray, t: np.ndarray, params: Params, h: np.ndarray, p: np.ndarray) -> Params:
    """Gradients of bce_loss(p, t) for the network of ``forward``, by the chain rule.

    x: (n, d), t: (n,); h (n, h) and p (n,) from forward(x, params) -> a dict like params.
    """
    dz2 = (p - t) / len(t)  # dL/dz2, (n,)
    dz1 = np.outer(dz2, params["w2"]) * h * (1 - h)  # dL/dz1 = dL/dh * sigmoid'(z1), (n, h)
    return {"w1": x.T @ dz1, "b1": dz1.sum(axis=0), "w2": h.T @ dz2, "b2": dz2.sum()}


def init_params(hidden_units: int, seed: int, inputs: int = 2) -> Params:
    """A random network: every weight and bias drawn from N(0, 1) by a generator seeded with
    ``seed``. w1 (inputs, hidden_units), b1 (hidden_units,), w2 (hidden_units,), b2 ()."""
    rng = np.random.default_rng(seed)
    return {
        "w1": rng.normal(size=(inputs, hidden_units)),
        "b1": rng.normal(size=hidden_units),
        "w2": rng.normal(size=hidden_units),
        "b2": np.array(rng.normal()),
    }


def train(
    x: np.ndarray, t: np.ndarray, params: Params, epochs: int = 2000, lr: float = 2.0
) -> tuple[Params, np.ndarray]:
    """Full-batch gradient descent, theta <- theta - lr dL/dtheta, for ``epochs`` steps.

    x: (n, d), t: (n,) of 0/1. Returns the final params and the losses (epochs + 1,): before
    every step and after the last one. ``params`` itself is not changed.
    """
    losses = []
    for _ in range(epochs):
        h, p = forward(x, params)
        losses.append(bce_loss(p, t))
        grads = backward(x, t, params, h, p)
        params = {k: params[k] - lr * grads[k] for k in params}
    losses.append(bce_loss(forward(x, params)[1], t))
    return params, np.array(losses)


def relu(z: np.ndarray) -> np.ndarray:
    """ReLU, max(0, z), element-wise. z: any shape -> the same shape."""
    return np.maximum(z, 0.0)


def relu_grad(z: np.ndarray) -> np.ndarray:
    """d relu / dz: 1 where z > 0, else 0 (also at 0, as seed 001 does). Same shape as z."""
    return (z > 0).astype(float)


def sigmoid_grad(z: np.ndarray) -> np.ndarray:
    """d sigmoid / dz = s (1 - s) with s = sigmoid(z); at most 1/4. Same shape as z."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh_grad(z: np.ndarray) -> np.ndarray:
    """d tanh / dz = 1 - tanh(z)^2; at most 1. Same shape as z."""
    return 1.0 - np.tanh(z) ** 2
