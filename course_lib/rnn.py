"""Recurrent networks (lesson 06): a vanilla RNN and an LSTM in numpy, forward and backward in time.

Conventions, as on the slides of seed 002 (column vectors, applied to one sequence at a time):
``xs`` (T, n_in) holds one input vector per time step, ``hs`` (T, n_hidden) the hidden states,
``ys`` (T, n_out) the scores. The torch models of the lesson (the long-range task and the
character language model) are built by the functions at the end; torch is imported only there.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch
    from matplotlib.axes import Axes

SEED_GATE_ORDER = "ifog"
"""Order of the four gate blocks in the rows of ``LSTMParams.W`` (seed 002's equation)."""
TORCH_GATE_ORDER = "ifgo"
"""Order of the same blocks in ``torch.nn.LSTM``'s ``weight_ih_l0`` / ``weight_hh_l0`` rows."""


# ---------------------------------------------------------------- characters and one-hot codes
@dataclass(frozen=True)
class Vocabulary:
    """Characters <-> integer indices. chars: the symbols, index k is chars[k]."""

    chars: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(set(self.chars)) != len(self.chars) or not self.chars:
            raise ValueError(f"chars must be distinct and non-empty, got {self.chars!r}")

    @property
    def size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Indices (len(text),) int64; a character outside the vocabulary raises ValueError."""
        index = {c: k for k, c in enumerate(self.chars)}
        for position, char in enumerate(text):
            if char not in index:
                raise ValueError(
                    f"text[{position}] = {char!r} is not in the vocabulary; "
                    f"expected one of {''.join(self.chars)!r}"
                )
        return np.array([index[c] for c in text], dtype=np.int64)

    def decode(self, indices: Sequence[int] | np.ndarray) -> str:
        """The text of the indices (n,)."""
        return "".join(self.chars[int(k)] for k in np.asarray(indices).ravel())


def vocabulary_of(text: str) -> Vocabulary:
    """The sorted distinct characters of ``text``."""
    return Vocabulary(tuple(sorted(set(text))))


def one_hot(indices: Sequence[int] | np.ndarray, size: int) -> np.ndarray:
    """One-hot rows. indices: (T,) ints in [0, size) -> (T, size) float64."""
    indices = np.asarray(indices)
    if indices.ndim != 1:
        raise ValueError(f"indices must be 1-D (T,), got shape {indices.shape}")
    if indices.size and (indices.min() < 0 or indices.max() >= size):
        raise ValueError(f"indices must lie in [0, {size}), got {indices.min()}..{indices.max()}")
    out = np.zeros((len(indices), size))
    out[np.arange(len(indices)), indices] = 1.0
    return out


# ---------------------------------------------------------------------------- the vanilla RNN
@dataclass(frozen=True)
class RNNParams:
    """h_t = tanh(W_hh h_{t-1} + W_xh x_t + b_h),  y_t = W_hy h_t + b_y.

    W_xh: (H, D), W_hh: (H, H), W_hy: (K, H), b_h: (H,), b_y: (K,). The same class holds
    gradients (same shapes).
    """

    W_xh: np.ndarray
    W_hh: np.ndarray
    W_hy: np.ndarray
    b_h: np.ndarray
    b_y: np.ndarray

    def __post_init__(self) -> None:
        n_hidden, n_out = self.W_xh.shape[0], self.W_hy.shape[0]
        expected = {
            "W_hh": (n_hidden, n_hidden),
            "W_hy": (n_out, n_hidden),
            "b_h": (n_hidden,),
            "b_y": (n_out,),
        }
        if self.W_xh.ndim != 2:
            raise ValueError(f"W_xh must be 2-D (H, D), got shape {self.W_xh.shape}")
        for name, shape in expected.items():
            got = getattr(self, name).shape
            if got != shape:
                raise ValueError(
                    f"{name} must have shape {shape} to match W_xh's {n_hidden} hidden units "
                    f"(and W_hy's {n_out} outputs), got {got}"
                )

    @property
    def n_in(self) -> int:
        return self.W_xh.shape[1]

    @property
    def n_hidden(self) -> int:
        return self.W_xh.shape[0]

    @property
    def arrays(self) -> list[np.ndarray]:
        """The five arrays in field order."""
        return [getattr(self, f.name) for f in fields(self)]


def init_rnn(
    n_in: int, n_hidden: int, n_out: int, rng: np.random.Generator, *, scale: float = 0.5
) -> RNNParams:
    """Small random weights N(0, scale^2 / fan_in), zero biases."""
    return RNNParams(
        W_xh=rng.normal(0, scale / np.sqrt(n_in), (n_hidden, n_in)),
        W_hh=rng.normal(0, scale / np.sqrt(n_hidden), (n_hidden, n_hidden)),
        W_hy=rng.normal(0, scale / np.sqrt(n_hidden), (n_out, n_hidden)),
        b_h=np.zeros(n_hidden),
        b_y=np.zeros(n_out),
    )


def _check_sequence(xs: np.ndarray, n_in: int, h0: np.ndarray | None, n_hidden: int) -> np.ndarray:
    if xs.ndim != 2 or xs.shape[1] != n_in:
        raise ValueError(f"xs must have shape (T, {n_in}) to match the weights, got {xs.shape}")
    if h0 is None:
        return np.zeros(n_hidden)
    if np.shape(h0) != (n_hidden,):
        raise ValueError(
            f"h0 must have shape ({n_hidden},), the weights' hidden size, got {np.shape(h0)}"
        )
    return np.asarray(h0, dtype=float)


def rnn_forward(
    params: RNNParams, xs: np.ndarray, h0: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Run the RNN over a sequence. xs: (T, D), h0: (H,) or None (zeros) -> hs (T, H), ys (T, K)."""
    h = _check_sequence(xs, params.n_in, h0, params.n_hidden)
    hs = np.zeros((len(xs), params.n_hidden))
    for t, x in enumerate(xs):
        h = np.tanh(params.W_hh @ h + params.W_xh @ x + params.b_h)
        hs[t] = h
    return hs, hs @ params.W_hy.T + params.b_y


def softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Softmax over the last axis of scores / temperature (any shape)."""
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    z = np.asarray(scores, dtype=float) / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def step_losses(ys: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cross-entropy at every step and its gradient.

    ys: (T, K) scores, targets: (T,) class indices -> losses (T,), dL/dys (T, K) for L = sum.
    """
    targets = np.asarray(targets)
    if targets.shape != (len(ys),):
        raise ValueError(f"targets must have shape ({len(ys)},), one per step, got {targets.shape}")
    p = softmax(ys)
    steps = np.arange(len(ys))
    losses = -np.log(p[steps, targets])
    dys = p.copy()
    dys[steps, targets] -= 1.0
    return losses, dys


def rnn_backward(
    params: RNNParams,
    xs: np.ndarray,
    hs: np.ndarray,
    dys: np.ndarray,
    h0: np.ndarray | None = None,
) -> tuple[RNNParams, np.ndarray]:
    """Back-propagation through time.

    xs: (T, D), hs: (T, H) from ``rnn_forward``, dys: (T, K) = dL/dy_t. Returns the gradients
    (an ``RNNParams``) and dhs (T + 1, H): dhs[t + 1] = dL/dh_t (everything that flows into
    h_t, from y_t and from h_{t+1}), dhs[0] = dL/dh0.
    """
    h0 = _check_sequence(xs, params.n_in, h0, params.n_hidden)
    if hs.shape != (len(xs), params.n_hidden) or dys.shape != (len(xs), params.W_hy.shape[0]):
        raise ValueError(
            f"hs and dys must be (T, H) = {(len(xs), params.n_hidden)} and (T, K) = "
            f"{(len(xs), params.W_hy.shape[0])}, got {hs.shape} and {dys.shape}"
        )
    grads = {f.name: np.zeros_like(getattr(params, f.name)) for f in fields(params)}
    grads["W_hy"] = dys.T @ hs
    grads["b_y"] = dys.sum(axis=0)
    dhs = np.zeros((len(xs) + 1, params.n_hidden))
    dh_next = np.zeros(params.n_hidden)  # dL/dh_t arriving from step t + 1
    for t in reversed(range(len(xs))):
        h_prev = hs[t - 1] if t > 0 else h0
        dh = params.W_hy.T @ dys[t] + dh_next
        dhs[t + 1] = dh
        dh_prev, dW_hh, dW_xh, da = rnn_step_backward(dh, hs[t], h_prev, xs[t], params.W_hh)
        grads["W_hh"] += dW_hh
        grads["W_xh"] += dW_xh
        grads["b_h"] += da
        dh_next = dh_prev
    dhs[0] = dh_next
    return RNNParams(**grads), dhs


def rnn_step_backward(
    dh: np.ndarray, h: np.ndarray, h_prev: np.ndarray, x: np.ndarray, W_hh: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One step of BPTT through h = tanh(a), a = W_hh h_prev + W_xh x + b_h.

    dh: (H,) = dL/dh, h, h_prev: (H,), x: (D,) -> dL/dh_prev (H,), dL/dW_hh (H, H),
    dL/dW_xh (H, D), dL/da = dL/db_h (H,).
    """
    da = dh * (1.0 - h**2)
    return W_hh.T @ da, np.outer(da, h_prev), np.outer(da, x), da


def rnn_loss_and_grads(
    params: RNNParams, xs: np.ndarray, targets: np.ndarray, h0: np.ndarray | None = None
) -> tuple[np.ndarray, RNNParams]:
    """Per-step cross-entropy losses (T,) of the sequence and the gradients of their sum."""
    hs, ys = rnn_forward(params, xs, h0)
    losses, dys = step_losses(ys, targets)
    grads, _ = rnn_backward(params, xs, hs, dys, h0)
    return losses, grads


def global_norm(arrays: Sequence[np.ndarray]) -> float:
    """sqrt of the sum of squares of all entries of all arrays."""
    return float(np.sqrt(sum(np.sum(np.square(a)) for a in arrays)))


def clip_by_global_norm(
    arrays: Sequence[np.ndarray], max_norm: float
) -> tuple[list[np.ndarray], float]:
    """Scale all arrays by min(1, max_norm / norm): the direction is kept, the length capped.

    Returns the clipped arrays and the norm before clipping.
    """
    if max_norm <= 0:
        raise ValueError(f"max_norm must be > 0, got {max_norm}")
    norm = global_norm(arrays)
    factor = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [a * factor for a in arrays], norm


def train_rnn(
    params: RNNParams,
    xs: np.ndarray,
    targets: np.ndarray,
    *,
    steps: int,
    lr: float,
    max_norm: float | None = None,
) -> tuple[RNNParams, np.ndarray, np.ndarray]:
    """Full-batch gradient descent on one sequence, optionally with gradient clipping.

    Returns the trained parameters, the per-step losses before every update (steps, T) and the
    gradient norm before clipping at every update (steps,).
    """
    if steps < 1 or lr <= 0:
        raise ValueError(f"need steps >= 1 and lr > 0, got steps={steps}, lr={lr}")
    history, norms = [], []
    for _ in range(steps):
        losses, grads = rnn_loss_and_grads(params, xs, targets)
        arrays = grads.arrays
        norms.append(global_norm(arrays))
        if max_norm is not None:
            arrays, _ = clip_by_global_norm(arrays, max_norm)
        history.append(losses)
        params = RNNParams(*(p - lr * g for p, g in zip(params.arrays, arrays, strict=True)))
    return params, np.array(history), np.array(norms)


def numeric_gradient(f: Callable[[], float], array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences (f(a + eps) - f(a - eps)) / 2 eps for every entry of ``array``.

    ``array`` is perturbed in place (and restored); f reads it. Returns an array of its shape.
    """
    grad = np.zeros_like(array, dtype=float)
    for index in np.ndindex(array.shape):
        old = array[index]
        array[index] = old + eps
        plus = f()
        array[index] = old - eps
        minus = f()
        array[index] = old
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def rnn_torch_state(params: RNNParams) -> dict[str, np.ndarray]:
    """The RNN's weights as a ``torch.nn.RNN`` state dict (torch adds two biases: b_hh = 0)."""
    return {
        "weight_ih_l0": params.W_xh,
        "weight_hh_l0": params.W_hh,
        "bias_ih_l0": params.b_h,
        "bias_hh_l0": np.zeros_like(params.b_h),
    }


# ---------------------------------------------------------------------------------- the LSTM
@dataclass(frozen=True)
class LSTMParams:
    """[i; f; o; g] = [sigm; sigm; sigm; tanh](W [x_t; h_{t-1}] + b), as in seed 002.

    W: (4H, D + H), its rows the blocks i, f, o, g (``SEED_GATE_ORDER``), its first D columns
    act on x_t and the last H on h_{t-1}; b: (4H,). The same class holds gradients.
    """

    W: np.ndarray
    b: np.ndarray

    def __post_init__(self) -> None:
        if self.W.ndim != 2 or self.W.shape[0] % 4 or self.W.shape[1] <= self.W.shape[0] // 4:
            raise ValueError(
                f"W must be (4H, D + H) with D >= 1 (rows a multiple of 4), got {self.W.shape}"
            )
        if self.b.shape != (self.W.shape[0],):
            raise ValueError(
                f"b must have shape ({self.W.shape[0]},) like W's rows, got {self.b.shape}"
            )

    @property
    def n_hidden(self) -> int:
        return self.W.shape[0] // 4

    @property
    def n_in(self) -> int:
        return self.W.shape[1] - self.n_hidden


def init_lstm(
    n_in: int, n_hidden: int, rng: np.random.Generator, *, forget_bias: float = 0.0
) -> LSTMParams:
    """Uniform(-1/sqrt(H), 1/sqrt(H)) weights as torch does, biases 0 except the forget gate's."""
    bound = 1.0 / np.sqrt(n_hidden)
    b = np.zeros(4 * n_hidden)
    b[n_hidden : 2 * n_hidden] = forget_bias
    return LSTMParams(W=rng.uniform(-bound, bound, (4 * n_hidden, n_in + n_hidden)), b=b)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)), elementwise."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


@dataclass(frozen=True)
class LSTMTrace:
    """What the forward pass keeps for the backward pass. Each field is (T, H)."""

    i: np.ndarray
    f: np.ndarray
    o: np.ndarray
    g: np.ndarray
    c: np.ndarray
    h: np.ndarray


def lstm_forward(
    params: LSTMParams,
    xs: np.ndarray,
    h0: np.ndarray | None = None,
    c0: np.ndarray | None = None,
) -> LSTMTrace:
    """c_t = f * c_{t-1} + i * g,  h_t = o * tanh(c_t).  xs: (T, D) -> gates, c, h: (T, H) each."""
    n_hidden = params.n_hidden
    h = _check_sequence(xs, params.n_in, h0, n_hidden)
    c = _check_sequence(xs, params.n_in, c0, n_hidden)
    out = {name: np.zeros((len(xs), n_hidden)) for name in ("i", "f", "o", "g", "c", "h")}
    for t, x in enumerate(xs):
        z = params.W @ np.concatenate([x, h]) + params.b
        i, f, o = sigmoid(z[: 3 * n_hidden]).reshape(3, n_hidden)
        g = np.tanh(z[3 * n_hidden :])
        c = f * c + i * g
        h = o * np.tanh(c)
        for name, value in zip("ifogch", (i, f, o, g, c, h), strict=True):
            out[name][t] = value
    return LSTMTrace(**out)


def lstm_backward(
    params: LSTMParams,
    xs: np.ndarray,
    trace: LSTMTrace,
    dhs: np.ndarray,
    h0: np.ndarray | None = None,
    c0: np.ndarray | None = None,
) -> tuple[LSTMParams, np.ndarray, np.ndarray]:
    """Back-propagation through time for the LSTM.

    dhs: (T, H), the gradient of the loss with respect to each h_t from outside the recurrence
    (e.g. from an output layer). Returns the gradients (an ``LSTMParams``), dh_total (T + 1, H)
    where dh_total[t + 1] = dL/dh_t including what flows back from step t + 1 and
    dh_total[0] = dL/dh0, and dc_total (T + 1, H) the same for the cell state.
    """
    n_hidden, n_in = params.n_hidden, params.n_in
    h0 = _check_sequence(xs, n_in, h0, n_hidden)
    c0 = _check_sequence(xs, n_in, c0, n_hidden)
    if dhs.shape != trace.h.shape:
        raise ValueError(
            f"dhs must have shape {trace.h.shape} like the hidden states, got {dhs.shape}"
        )
    dW, db = np.zeros_like(params.W), np.zeros_like(params.b)
    dh_total = np.zeros((len(xs) + 1, n_hidden))
    dc_total = np.zeros((len(xs) + 1, n_hidden))
    dh_next, dc_next = np.zeros(n_hidden), np.zeros(n_hidden)
    for t in reversed(range(len(xs))):
        h_prev = trace.h[t - 1] if t > 0 else h0
        c_prev = trace.c[t - 1] if t > 0 else c0
        i, f, o, g, c = trace.i[t], trace.f[t], trace.o[t], trace.g[t], trace.c[t]
        dh = dhs[t] + dh_next
        tanh_c = np.tanh(c)
        dc = dc_next + dh * o * (1.0 - tanh_c**2)
        dh_total[t + 1], dc_total[t + 1] = dh, dc
        dz = np.concatenate(
            [
                dc * g * i * (1.0 - i),  # input gate
                dc * c_prev * f * (1.0 - f),  # forget gate
                dh * tanh_c * o * (1.0 - o),  # output gate
                dc * i * (1.0 - g**2),  # candidate g
            ]
        )
        dW += np.outer(dz, np.concatenate([xs[t], h_prev]))
        db += dz
        dh_next = params.W[:, n_in:].T @ dz
        dc_next = dc * f
    dh_total[0], dc_total[0] = dh_next, dc_next
    return LSTMParams(W=dW, b=db), dh_total, dc_total


def gate_permutation(
    n_hidden: int, source: str = SEED_GATE_ORDER, target: str = TORCH_GATE_ORDER
) -> np.ndarray:
    """Row indices that reorder gate blocks from ``source`` order to ``target`` order.

    (4H,) ints: ``rows_target = rows_source[perm]``. With the defaults, seed (i, f, o, g) -> torch
    (i, f, g, o).
    """
    if sorted(source) != sorted(target) or sorted(source) != sorted("ifgo"):
        raise ValueError(f"source and target must be orders of 'ifgo', got {source!r}, {target!r}")
    blocks = [np.arange(n_hidden) + n_hidden * source.index(gate) for gate in target]
    return np.concatenate(blocks)


def lstm_torch_state(params: LSTMParams, layer: int = 0) -> dict[str, np.ndarray]:
    """The LSTM's weights as a ``torch.nn.LSTM`` state dict for one layer.

    torch orders the gate blocks i, f, g, o, splits W into weight_ih (4H, D) and weight_hh
    (4H, H), and has two biases (their sum is our b; here bias_hh = 0).
    """
    perm = gate_permutation(params.n_hidden)
    W = params.W[perm]
    return {
        f"weight_ih_l{layer}": W[:, : params.n_in],
        f"weight_hh_l{layer}": W[:, params.n_in :],
        f"bias_ih_l{layer}": params.b[perm],
        f"bias_hh_l{layer}": np.zeros_like(params.b),
    }


def lstm_from_torch_state(state: dict, layer: int = 0) -> LSTMParams:
    """The inverse of ``lstm_torch_state``: a torch LSTM layer's weights in seed order."""
    w_ih, w_hh = (np.asarray(state[f"weight_{k}_l{layer}"], dtype=float) for k in ("ih", "hh"))
    bias = np.asarray(state[f"bias_ih_l{layer}"], dtype=float) + np.asarray(
        state[f"bias_hh_l{layer}"], dtype=float
    )
    perm = gate_permutation(w_hh.shape[1], source=TORCH_GATE_ORDER, target=SEED_GATE_ORDER)
    return LSTMParams(W=np.concatenate([w_ih, w_hh], axis=1)[perm], b=bias[perm])


# --------------------------------------------------------- gradient flow through time
def gradient_flow_inputs(
    n_in: int = 8, n_hidden: int = 64, length: int = 60, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fixed random pieces for the gradient-flow experiment.

    Returns W_xh (H, D) ~ N(0, 1/D), a recurrent matrix A (H, H) with spectral radius exactly 1
    (W_hh = radius * A), and inputs xs (T, D) ~ N(0, 1).
    """
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n_hidden, n_hidden))
    A /= np.abs(np.linalg.eigvals(A)).max()
    W_xh = rng.normal(0, 1 / np.sqrt(n_in), (n_hidden, n_in))
    return W_xh, A, rng.normal(size=(length, n_in))


def rnn_gradient_norms(params: RNNParams, xs: np.ndarray) -> np.ndarray:
    """||dL/dh_t|| for a loss on the LAST step only (cross-entropy with target class 0).

    Returns (T,) norms ordered by distance from the loss: entry k is ||dL/dh_{T-k}||.
    """
    hs, ys = rnn_forward(params, xs)
    dys = np.zeros_like(ys)
    dys[-1] = step_losses(ys[-1:], np.array([0]))[1][0]
    _, dhs = rnn_backward(params, xs, hs, dys)
    return np.linalg.norm(dhs[1:], axis=1)[::-1]


def rnn_with_radius(W_xh: np.ndarray, A: np.ndarray, radius: float, n_out: int = 4) -> RNNParams:
    """An RNN with W_hh = radius * A, zero biases and a fixed read-out (rows of ones / sqrt(H))."""
    n_hidden = A.shape[0]
    return RNNParams(
        W_xh=W_xh,
        W_hh=radius * A,
        W_hy=np.ones((n_out, n_hidden)) * np.linspace(-1, 1, n_out)[:, None] / np.sqrt(n_hidden),
        b_h=np.zeros(n_hidden),
        b_y=np.zeros(n_out),
    )


def lstm_gradient_norms(params: LSTMParams, xs: np.ndarray, seed: int = 0) -> np.ndarray:
    """||dL/dh_t|| for a loss sum(r * h_T) on the last step only (r ~ N(0, 1), seeded).

    Returns (T,) norms ordered by distance from the loss, like ``rnn_gradient_norms``.
    """
    trace = lstm_forward(params, xs)
    dhs = np.zeros_like(trace.h)
    dhs[-1] = np.random.default_rng(seed).normal(size=params.n_hidden)
    _, dh_total, _ = lstm_backward(params, xs, trace, dhs)
    return np.linalg.norm(dh_total[1:], axis=1)[::-1]


# ------------------------------------------------------- torch: the long-range memory task
def first_symbol_batch(
    n: int,
    length: int,
    generator: "torch.Generator",
    *,
    n_classes: int = 4,
    n_noise: int = 16,
) -> tuple["torch.Tensor", "torch.Tensor"]:
    """Sequences whose label is their first symbol, followed by ``length - 1`` noise symbols.

    Symbols 0..n_classes-1 are labels, the next n_noise symbols are noise. Returns x (n, length,
    n_classes + n_noise) one-hot float32 and y (n,) int64, drawn with the torch ``generator``.
    """
    import torch

    if length < 1 or n < 1:
        raise ValueError(f"n and length must be >= 1, got n={n}, length={length}")
    symbols = torch.randint(n_classes, n_classes + n_noise, (n, length), generator=generator)
    labels = torch.randint(0, n_classes, (n,), generator=generator)
    symbols[:, 0] = labels
    x = torch.nn.functional.one_hot(symbols, n_classes + n_noise).float()
    return x, labels


def sequence_classifier(
    kind: str, n_in: int, n_hidden: int, n_out: int, *, forget_bias: float = 1.0
) -> "torch.nn.ModuleDict":
    """A recurrent layer ('rnn': tanh RNN, 'lstm') and a linear read-out of its last state.

    A ``torch.nn.ModuleDict`` with 'cell' and 'readout'; call ``last_step_logits``. The LSTM's
    forget-gate bias starts at ``forget_bias`` (1 is the usual choice: remember by default).
    """
    from torch import nn

    if kind not in ("rnn", "lstm"):
        raise ValueError(f"kind must be 'rnn' or 'lstm', got {kind!r}")
    cell = (nn.RNN if kind == "rnn" else nn.LSTM)(n_in, n_hidden, batch_first=True)
    if kind == "lstm":
        set_forget_bias(cell, forget_bias)
    return nn.ModuleDict({"cell": cell, "readout": nn.Linear(n_hidden, n_out)})


def set_forget_bias(lstm: "torch.nn.LSTM", value: float) -> None:
    """Set the forget-gate block of every layer's bias_ih to ``value`` and of bias_hh to 0."""
    import torch

    n_hidden = lstm.hidden_size
    forget = slice(
        TORCH_GATE_ORDER.index("f") * n_hidden, (TORCH_GATE_ORDER.index("f") + 1) * n_hidden
    )
    with torch.no_grad():
        for layer in range(lstm.num_layers):
            getattr(lstm, f"bias_ih_l{layer}")[forget] = value
            getattr(lstm, f"bias_hh_l{layer}")[forget] = 0.0


def last_step_logits(model: "torch.nn.ModuleDict", x: "torch.Tensor") -> "torch.Tensor":
    """Scores from the last hidden state. x: (n, T, n_in) -> (n, n_out)."""
    out, _ = model["cell"](x)
    return model["readout"](out[:, -1])


def train_first_symbol(
    kind: str,
    length: int,
    *,
    steps: int = 300,
    n_hidden: int = 32,
    lr: float = 0.01,
    batch_size: int = 32,
    forget_bias: float = 3.0,
    seed: int = 0,
) -> tuple[float, list[float]]:
    """Train a sequence classifier on fresh batches of the first-symbol task.

    4 labels, 16 noise symbols; Adam with gradient clipping at norm 1; the LSTM's forget-gate
    bias starts at ``forget_bias``. Returns the accuracy on 512 held-out sequences
    (chance is 1/4) and the training loss at every step.
    """
    import torch

    torch.manual_seed(seed)
    x_test, y_test = first_symbol_batch(512, length, torch.Generator().manual_seed(10_000 + seed))
    model = sequence_classifier(kind, x_test.shape[-1], n_hidden, 4, forget_bias=forget_bias)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(steps):
        x, y = first_symbol_batch(batch_size, length, generator)
        loss = torch.nn.functional.cross_entropy(last_step_logits(model, x), y)
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        losses.append(loss.item())
    with torch.no_grad():
        accuracy = (last_step_logits(model, x_test).argmax(1) == y_test).float().mean().item()
    return accuracy, losses


# ------------------------------------------------------- torch: a character language model
def char_model(vocab_size: int, n_hidden: int = 128, n_layers: int = 1) -> "torch.nn.ModuleDict":
    """One-hot characters -> LSTM -> linear scores for the next character.

    A ``torch.nn.ModuleDict`` with 'lstm' and 'readout'; call ``char_logits``.
    """
    from torch import nn

    return nn.ModuleDict(
        {
            "lstm": nn.LSTM(vocab_size, n_hidden, num_layers=n_layers, batch_first=True),
            "readout": nn.Linear(n_hidden, vocab_size),
        }
    )


def char_logits(
    model: "torch.nn.ModuleDict", indices: "torch.Tensor", state: tuple | None = None
) -> tuple["torch.Tensor", tuple]:
    """Scores of the next character at every position. indices: (n, T) int64 -> (n, T, V), state."""
    import torch

    vocab_size = model["readout"].out_features
    x = torch.nn.functional.one_hot(indices, vocab_size).float()
    out, state = model["lstm"](x, state)
    return model["readout"](out), state


def char_batch(
    data: "torch.Tensor", batch_size: int, length: int, generator: "torch.Generator"
) -> tuple["torch.Tensor", "torch.Tensor"]:
    """Random windows of the text. data: (N,) int64 tensor -> inputs, targets (batch, length)."""
    import torch

    if len(data) <= length:
        raise ValueError(f"data must be longer than length={length}, got {len(data)} characters")
    starts = torch.randint(0, len(data) - length, (batch_size,), generator=generator)
    windows = torch.stack([data[s : s + length + 1] for s in starts.tolist()])
    return windows[:, :-1], windows[:, 1:]


def char_loss(model: "torch.nn.ModuleDict", data: "torch.Tensor") -> float:
    """Mean cross-entropy (nats per character) of predicting each next character of ``data``."""
    import torch

    with torch.no_grad():
        logits, _ = char_logits(model, data[None, :-1])
        return torch.nn.functional.cross_entropy(logits[0], data[1:]).item()


def train_char_model(
    model: "torch.nn.ModuleDict",
    train: "torch.Tensor",
    *,
    steps: int,
    valid: "torch.Tensor | None" = None,
    batch_size: int = 32,
    length: int = 64,
    lr: float = 0.01,
    seed: int = 0,
    every: int = 10,
) -> dict[str, list[float]]:
    """Adam on random windows of ``train`` ((N,) int64 tensor), gradient norm clipped at 1.

    Returns 'step', 'train' (loss on all of train) and, with ``valid``, 'valid', every
    ``every`` steps (and at the end).
    """
    import torch

    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    loss_fn = torch.nn.functional.cross_entropy
    history: dict[str, list[float]] = {"step": [], "train": []}
    for step in range(steps + 1):
        if step % every == 0 or step == steps:
            history["step"].append(step)
            history["train"].append(char_loss(model, train))
            if valid is not None:
                history.setdefault("valid", []).append(char_loss(model, valid))
        if step == steps:
            break
        inputs, targets = char_batch(train, batch_size, length, generator)
        logits, _ = char_logits(model, inputs)
        loss = loss_fn(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
    return history


def sample_text(
    model: "torch.nn.ModuleDict",
    vocab: Vocabulary,
    prompt: str,
    n_chars: int,
    *,
    temperature: float,
    seed: int = 0,
) -> str:
    """Continue ``prompt`` by ``n_chars`` characters drawn from softmax(scores / temperature).

    A torch.Generator seeded with ``seed`` makes the sample reproducible.
    """
    import torch

    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    if not prompt:
        raise ValueError("prompt must have at least one character, got ''")
    generator = torch.Generator().manual_seed(seed)
    indices = torch.from_numpy(vocab.encode(prompt))[None]
    chars = []
    with torch.no_grad():
        logits, state = char_logits(model, indices)
        for _ in range(n_chars):
            probs = torch.softmax(logits[0, -1].double() / temperature, dim=0)
            nxt = torch.multinomial(probs, 1, generator=generator)
            chars.append(vocab.chars[int(nxt)])
            logits, state = char_logits(model, nxt[None], state)
    return "".join(chars)


def novel_fraction(sample: str, corpus: str, n: int = 10) -> float:
    """Fraction of the sample's length-n windows that do not occur anywhere in ``corpus``."""
    windows = [sample[k : k + n] for k in range(len(sample) - n + 1)]
    if not windows:
        raise ValueError(f"sample must have at least n={n} characters, got {len(sample)}")
    return sum(w not in corpus for w in windows) / len(windows)


# ------------------------------------------------------------------------- pictures
def draw_unrolled(ax: "Axes", inputs: str, outputs: str, *, loss: bool = True) -> None:
    """Draw the RNN unrolled over len(inputs) steps: x_t -> h_t -> y_t, h_{t-1} -> h_t.

    inputs, outputs: one character per step (e.g. "hell", "ello"), shown under x_t and above
    y_t. With ``loss``, a node L_t above every y_t and their sum L.
    """
    if len(inputs) != len(outputs) or not inputs:
        raise ValueError(
            f"inputs and outputs must have the same non-zero length, got {len(inputs)} and "
            f"{len(outputs)}"
        )
    box = {"boxstyle": "round,pad=0.35", "fc": "white", "ec": "0.3"}
    arrow = {"arrowstyle": "-|>", "color": "0.35", "lw": 1.2, "shrinkA": 14, "shrinkB": 14}
    rows = {"x": 0.0, "h": 1.0, "y": 2.0, "L": 3.0}
    colours = {"x": "#c6dbef", "h": "#fdd0a2", "y": "#c7e9c0", "L": "#f2f2f2"}

    def node(x: float, row: str, label: str) -> None:
        ax.text(x, rows[row], label, ha="center", va="center", fontsize=12,
                bbox={**box, "fc": colours[row]})  # fmt: skip

    def edge(start: tuple[float, float], end: tuple[float, float], label: str = "") -> None:
        ax.annotate("", xy=end, xytext=start, arrowprops=arrow)
        if label:
            middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
            ax.text(middle[0] + 0.08, middle[1] + 0.08, label, fontsize=9, color="0.25")

    node(0, "h", "$h_0$")
    for t, (char_in, char_out) in enumerate(zip(inputs, outputs, strict=True), start=1):
        node(t, "x", f"$x_{t}$ '{char_in}'")
        node(t, "h", f"$h_{t}$")
        node(t, "y", f"$y_{t}$ → '{char_out}'")
        edge((t, rows["x"]), (t, rows["h"]), "$W_{xh}$" if t == 1 else "")
        edge((t, rows["h"]), (t, rows["y"]), "$W_{hy}$" if t == 1 else "")
        edge((t - 1, rows["h"]), (t, rows["h"]), "$W_{hh}$")
        if loss:
            node(t, "L", f"$L_{t}$")
            edge((t, rows["y"]), (t, rows["L"]))
    if loss:
        ax.text(len(inputs) + 0.9, rows["L"], "$L = \\sum_t L_t$", ha="center", va="center",
                fontsize=12)  # fmt: skip
    ax.set_xlim(-0.6, len(inputs) + 1.4)
    ax.set_ylim(-0.6, rows["L" if loss else "y"] + 0.6)
    ax.set_axis_off()
