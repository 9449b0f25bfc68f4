"""Lesson 02: XOR and the multi-layer perceptron.

Row convention (as in ``course_lib.backprop``): inputs x (n, d); a layer with weights w (d, h)
and bias b (h,) computes g(x @ w + b) -> (n, h). Seed 004 writes a layer column-wise as
g(W x + b): its W is our w.T (and so is ``torch.nn.Linear.weight``).

A 2-h-1 XOR network is a dict of arrays: ``w1`` (2, h), ``b1`` (h,), ``w2`` (h,), ``b2`` ().
Training works on many such networks at once (one per random seed): the same keys with a leading
axis of length S, the number of seeds.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

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


def relu(h: np.ndarray) -> np.ndarray:
    """ReLU, max(0, h), elementwise. h: any shape -> same shape."""
    return np.maximum(h, 0.0)


def relu_grad(h: np.ndarray) -> np.ndarray:
    """d relu / d h: 1 where h > 0, else 0 (the slide's convention at 0). Same shape as h."""
    return (h > 0).astype(float)


def sigmoid_grad(h: np.ndarray) -> np.ndarray:
    """d sigmoid / d h = s (1 - s) with s = sigmoid(h). Same shape as h."""
    s = sigmoid(h)
    return s * (1.0 - s)


def tanh_grad(h: np.ndarray) -> np.ndarray:
    """d tanh / d h = 1 - tanh(h)^2. Same shape as h."""
    return 1.0 - np.tanh(h) ** 2


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "step": lambda z: perceptron.step(z).astype(float),
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(np.asarray(z, dtype=float), 0.0),
    "identity": lambda z: np.asarray(z, dtype=float),
}


def _activation(name: str) -> Callable[[np.ndarray], np.ndarray]:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation is {name!r}; expected one of {tuple(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def layer(x: np.ndarray, w: np.ndarray, b: np.ndarray, activation: str) -> np.ndarray:
    """One layer g(x @ w + b). x: (n, d), w: (d, h), b: (h,) -> (n, h)."""
    x, w, b = (np.asarray(a, dtype=float) for a in (x, w, b))
    if x.ndim != 2:
        raise ValueError(f"x must be (n, d), got shape {x.shape}")
    if w.ndim != 2 or w.shape[0] != x.shape[1]:
        raise ValueError(f"w must be ({x.shape[1]}, h) to follow x {x.shape}, got {w.shape}")
    if b.shape != (w.shape[1],):
        raise ValueError(f"b must have shape ({w.shape[1]},) to match w {w.shape}, got {b.shape}")
    return _activation(activation)(x @ w + b)


def network(
    x: np.ndarray,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    activations: Sequence[str],
) -> np.ndarray:
    """Seed 004's network g_k(... g_2(g_1(x W_1 + b_1) W_2 + b_2) ... W_k + b_k).

    x: (n, d); weights[j]: (n_j, n_{j+1}); biases[j]: (n_{j+1},); one activation name per
    layer -> (n, n_k).
    """
    if not len(weights) == len(biases) == len(activations):
        raise ValueError(
            f"weights, biases and activations must have one entry per layer, got "
            f"{len(weights)}, {len(biases)} and {len(activations)}"
        )
    z = np.asarray(x, dtype=float)
    for w, b, g in zip(weights, biases, activations, strict=True):
        z = layer(z, w, b, g)
    return z


def _check_params(params: Params) -> None:
    missing = {"w1", "b1", "w2", "b2"} - set(params)
    if missing:
        raise ValueError(f"params lacks {sorted(missing)}; expected keys w1, b1, w2, b2")
    h = np.shape(params["w1"])[-1]
    for key, shape in (("b1", (h,)), ("w2", (h,))):
        if np.shape(params[key])[-1:] != shape:
            raise ValueError(
                f"params[{key!r}] must end in shape {shape}, got {np.shape(params[key])}"
            )


def hidden(x: np.ndarray, params: Params, activation: str = "sigmoid") -> np.ndarray:
    """The hidden layer's view of the inputs: g(x @ w1 + b1). x: (n, 2) -> (n, h)."""
    _check_params(params)
    return layer(x, params["w1"], params["b1"], activation)


def forward(x: np.ndarray, params: Params, activation: str = "sigmoid") -> np.ndarray:
    """Output of a 2-h-1 network, g(g(x @ w1 + b1) @ w2 + b2). x: (n, 2) -> (n,).

    With "sigmoid" the output is the probability of class 1; with "step" it is the 0/1 class.
    """
    h = hidden(x, params, activation)
    return _activation(activation)(h @ np.asarray(params["w2"]) + params["b2"])


def predict(x: np.ndarray, params: Params, activation: str = "sigmoid") -> np.ndarray:
    """0/1 class of each row of x (n, 2) -> (n,) ints: output > 0.5."""
    return (forward(x, params, activation) > 0.5).astype(int)


def init_params(hidden_units: int, seed: int, scale: float = 1.0) -> Params:
    """A random 2-h-1 network: every weight and bias drawn from N(0, scale^2), from one seed."""
    if hidden_units < 1:
        raise ValueError(f"hidden_units must be at least 1, got {hidden_units}")
    rng = np.random.default_rng(seed)
    return {
        "w1": rng.normal(0, scale, (2, hidden_units)),
        "b1": rng.normal(0, scale, hidden_units),
        "w2": rng.normal(0, scale, hidden_units),
        "b2": np.array(rng.normal(0, scale)),
    }


def bce_loss(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Binary cross-entropy averaged over the examples (last axis). p, t: (..., n) -> (...)."""
    p = np.clip(np.asarray(p, dtype=float), 1e-12, 1 - 1e-12)
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p), axis=-1)


def gradients(x: np.ndarray, t: np.ndarray, params: Params) -> tuple[Params, np.ndarray]:
    """Loss and its gradient for a batch of sigmoid 2-h-1 networks (leading seed axis S).

    x: (n, 2), t: (n,); params: w1 (S, 2, h), b1 (S, h), w2 (S, h), b2 (S,).
    Loss: bce_loss of the outputs. Returns (grads with the keys and shapes of params, loss (S,)).
    Back-propagation (lesson 03): dz = (p - t)/n at the output, dh = dz w2 * h (1 - h).
    """
    h = sigmoid(np.einsum("nd,sdh->snh", x, params["w1"]) + params["b1"][:, None, :])
    p = sigmoid(np.einsum("snh,sh->sn", h, params["w2"]) + params["b2"][:, None])
    dz = (p - t) / len(x)
    dh = dz[:, :, None] * params["w2"][:, None, :] * h * (1 - h)
    grads = {
        "w1": np.einsum("nd,snh->sdh", x, dh),
        "b1": dh.sum(axis=1),
        "w2": np.einsum("snh,sn->sh", h, dz),
        "b2": dz.sum(axis=1),
    }
    return grads, bce_loss(p, t)


@dataclass(frozen=True)
class XorRuns:
    """Gradient-descent runs of 2-h-1 sigmoid networks on XOR, one per seed.

    seeds: (S,); start, final: stacked params (leading axis S); losses: (S, epochs + 1), the
    loss before each step and after the last one.
    """

    seeds: np.ndarray
    start: Params
    final: Params
    losses: np.ndarray

    def params(self, i: int, which: str = "final") -> Params:
        """The i-th run's network (unstacked), at the "start" or the "final" epoch."""
        stack = self.final if which == "final" else self.start
        return {k: v[i] for k, v in stack.items()}

    @property
    def accuracy(self) -> np.ndarray:
        """(S,) fraction of the four XOR points each final network classifies right."""
        return np.array(
            [np.mean(predict(XOR_X, self.params(i)) == XOR_T) for i in range(len(self.seeds))]
        )

    @property
    def solved(self) -> np.ndarray:
        """(S,) bools: the run classifies all four points right."""
        return self.accuracy == 1.0


def train_xor(
    hidden_units: int,
    seeds: Sequence[int],
    epochs: int = 2000,
    lr: float = 2.0,
    scale: float = 1.0,
) -> XorRuns:
    """Full-batch gradient descent on XOR for one 2-h-1 sigmoid network per seed, all at once.

    Each network starts from init_params(hidden_units, seed, scale) and takes `epochs` steps
    theta <- theta - lr * dL/dtheta on the binary cross-entropy of the four points.
    """
    if epochs < 1 or lr <= 0:
        raise ValueError(f"epochs must be >= 1 and lr > 0, got epochs={epochs}, lr={lr}")
    if len(seeds) == 0:
        raise ValueError("seeds is empty; expected at least one seed")
    starts = [init_params(hidden_units, s, scale) for s in seeds]
    params = {k: np.stack([p[k] for p in starts]) for k in starts[0]}
    start = {k: v.copy() for k, v in params.items()}
    losses = []
    for _ in range(epochs):
        grads, loss = gradients(XOR_X, XOR_T, params)
        losses.append(loss)
        params = {k: params[k] - lr * grads[k] for k in params}
    losses.append(gradients(XOR_X, XOR_T, params)[1])
    return XorRuns(np.asarray(seeds), start, params, np.stack(losses, axis=1))
