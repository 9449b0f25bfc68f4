"""Recurrent networks (lesson 06): the vanilla RNN, BPTT, the LSTM and the GRU, in numpy.

Conventions, as on the slides of seed 002 (column vectors, one sequence at a time): ``xs``
(T, D) holds one input vector per time step, ``hs`` (T, H) the hidden states, ``ys`` (T, K) the
scores. Every recurrence starts from the zero state (h_0 = 0, and c_0 = 0 for the LSTM). The
functions under ``# @save`` in lesson 06 are written there, word for word; the rest (parameter
containers, initialisation, the weight layouts of torch) is library-only.
"""

from dataclasses import dataclass, fields

import numpy as np

from course_lib.backprop import softmax
from course_lib.tensors import sigmoid

SEED_GATE_ORDER = "ifog"
"""Order of the four gate blocks in the rows of ``LSTMParams.W`` (seed 002's equation)."""
TORCH_GATE_ORDER = "ifgo"
"""Order of the same blocks in ``torch.nn.LSTM``'s ``weight_ih_l0`` / ``weight_hh_l0`` rows."""
TORCH_NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
"""The weights of one layer of ``torch.nn.RNN``, ``LSTM`` or ``GRU``, in ``state_dict`` order."""


def check_sequence(xs: np.ndarray, n_in: int) -> None:
    """ValueError unless xs is one sequence (T, n_in) with T >= 1."""
    if np.ndim(xs) != 2 or np.shape(xs)[1] != n_in or len(xs) < 1:
        raise ValueError(
            f"xs must have shape (T, {n_in}) with T >= 1 to match the weights, got {np.shape(xs)}"
        )


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
        if np.ndim(self.W_xh) != 2:
            raise ValueError(f"W_xh must be 2-D (H, D), got shape {np.shape(self.W_xh)}")
        n_hidden, n_out = self.W_xh.shape[0], np.shape(self.W_hy)[0]
        expected = {"W_hh": (n_hidden, n_hidden), "W_hy": (n_out, n_hidden)}
        expected |= {"b_h": (n_hidden,), "b_y": (n_out,)}
        for name, shape in expected.items():
            got = np.shape(getattr(self, name))
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


def rnn_step(params: RNNParams, x: np.ndarray, h_prev: np.ndarray) -> np.ndarray:
    """One step h_t = tanh(W_hh h_{t-1} + W_xh x_t + b_h). x: (D,), h_prev: (H,) -> (H,)."""
    return np.tanh(params.W_hh @ h_prev + params.W_xh @ x + params.b_h)


def rnn_forward(params: RNNParams, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run the RNN over a sequence from h_0 = 0. xs: (T, D) -> hs (T, H), scores ys (T, K)."""
    check_sequence(xs, params.n_in)
    h, hs = np.zeros(params.n_hidden), []
    for x in xs:
        h = rnn_step(params, x, h)
        hs.append(h)
    hs = np.array(hs)
    return hs, hs @ params.W_hy.T + params.b_y


def step_losses(ys: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cross-entropy at every step and its gradient.

    ys: (T, K) scores, targets: (T,) class indices -> losses (T,), dL/dys (T, K) for L = sum.
    """
    p = softmax(ys)
    steps = np.arange(len(ys))
    dys = p.copy()
    dys[steps, targets] -= 1.0
    return -np.log(p[steps, targets]), dys


def rnn_step_backward(
    dh: np.ndarray, h: np.ndarray, h_prev: np.ndarray, x: np.ndarray, W_hh: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One step of BPTT through h = tanh(a), a = W_hh h_prev + W_xh x + b_h.

    dh: (H,) = dL/dh, h, h_prev: (H,), x: (D,) -> dL/dh_prev (H,), dL/dW_hh (H, H),
    dL/dW_xh (H, D), dL/da = dL/db_h (H,).
    """
    da = dh * (1.0 - h**2)
    return W_hh.T @ da, np.outer(da, h_prev), np.outer(da, x), da


def rnn_backward(
    params: RNNParams, xs: np.ndarray, hs: np.ndarray, dys: np.ndarray
) -> tuple[RNNParams, np.ndarray]:
    """Back-propagation through time, from t = T down to 1.

    xs: (T, D), hs: (T, H) from ``rnn_forward``, dys: (T, K) = dL/dy_t. Returns the gradients
    (an ``RNNParams``) and dhs (T, H): dhs[t] = dL/dh_t, from y_t and from step t + 1 together.
    """
    W_hh, h_prevs = params.W_hh, np.vstack([np.zeros(params.n_hidden), hs[:-1]])
    dW_xh, dW_hh, db_h = (np.zeros_like(w) for w in (params.W_xh, W_hh, params.b_h))
    dhs, dh_next = np.zeros_like(hs), np.zeros(params.n_hidden)  # dh_next: from step t + 1
    for t in reversed(range(len(xs))):
        dhs[t] = params.W_hy.T @ dys[t] + dh_next
        dh_next, *step = rnn_step_backward(dhs[t], hs[t], h_prevs[t], xs[t], W_hh)
        dW_hh, dW_xh, db_h = dW_hh + step[0], dW_xh + step[1], db_h + step[2]
    return RNNParams(dW_xh, dW_hh, dys.T @ hs, db_h, dys.sum(axis=0)), dhs


def rnn_loss_and_grads(
    params: RNNParams, xs: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, RNNParams]:
    """Per-step losses (T,) of one sequence, and the gradients of their sum (an RNNParams)."""
    hs, ys = rnn_forward(params, xs)
    losses, dys = step_losses(ys, targets)
    return losses, rnn_backward(params, xs, hs, dys)[0]


def train_rnn(
    params: RNNParams,
    xs: np.ndarray,
    targets: np.ndarray,
    *,
    steps: int,
    lr: float,
    max_norm: float = np.inf,
) -> tuple[RNNParams, np.ndarray, np.ndarray]:
    """Gradient descent on one sequence. The gradient g is scaled by min(1, max_norm / ||g||).

    Returns the trained parameters, the per-step losses before every update (steps, T) and the
    norm ||g|| of the whole gradient before clipping at every update (steps,).
    """
    history, norms = [], []
    for _ in range(steps):
        losses, grads = rnn_loss_and_grads(params, xs, targets)
        norm = np.sqrt(sum(np.sum(g**2) for g in grads.arrays))
        step = lr * min(1.0, max_norm / norm)  # gradient clipping; max_norm = inf: none
        params = RNNParams(
            *(p - step * g for p, g in zip(params.arrays, grads.arrays, strict=True))
        )
        history.append(losses)
        norms.append(norm)
    return params, np.array(history), np.array(norms)


def rnn_torch_state(params: RNNParams) -> dict[str, np.ndarray]:
    """The RNN's weights as a ``torch.nn.RNN`` state dict (torch adds two biases: b_hh = 0)."""
    arrays = (params.W_xh, params.W_hh, params.b_h, np.zeros_like(params.b_h))
    return dict(zip(TORCH_NAMES, arrays, strict=True))


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
        rows, cols = np.shape(self.W) if np.ndim(self.W) == 2 else (1, 0)
        if rows % 4 or cols <= rows // 4:
            raise ValueError(
                f"W must be (4H, D + H) with D >= 1 (rows a multiple of 4), got {np.shape(self.W)}"
            )
        if np.shape(self.b) != (rows,):
            raise ValueError(f"b must have shape ({rows},) like W's rows, got {np.shape(self.b)}")

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


@dataclass(frozen=True)
class LSTMTrace:
    """What the forward pass keeps for the backward pass: gates and states, each (T, H)."""

    i: np.ndarray
    f: np.ndarray
    o: np.ndarray
    g: np.ndarray
    c: np.ndarray
    h: np.ndarray


def lstm_forward(params: LSTMParams, xs: np.ndarray) -> LSTMTrace:
    """c_t = f * c_{t-1} + i * g, h_t = o * tanh(c_t), from h_0 = c_0 = 0. xs: (T, D)."""
    check_sequence(xs, params.n_in)
    H = params.n_hidden
    h, c, steps = np.zeros(H), np.zeros(H), []
    for x in xs:
        a = params.W @ np.concatenate([x, h]) + params.b  # the pre-activations (4H,)
        i, f, o = np.split(sigmoid(a[: 3 * H]), 3)
        g = np.tanh(a[3 * H :])
        c = f * c + i * g
        h = o * np.tanh(c)
        steps.append((i, f, o, g, c, h))
    # steps: T tuples of six (H,) arrays; zip(*steps) regroups them into six sequences (T, H)
    return LSTMTrace(*(np.array(values) for values in zip(*steps, strict=True)))


def lstm_backward(
    params: LSTMParams, xs: np.ndarray, trace: LSTMTrace, dhs: np.ndarray
) -> tuple[LSTMParams, np.ndarray, np.ndarray]:
    """BPTT for the LSTM. dhs: (T, H) = dL/dh_t from outside the recurrence (a read-out).

    Returns the gradients (an ``LSTMParams``) and dL/dh_t, dL/dc_t in total (T, H) each.
    """
    H, zero = params.n_hidden, np.zeros((1, params.n_hidden))
    h_prevs, c_prevs = np.vstack([zero, trace.h[:-1]]), np.vstack([zero, trace.c[:-1]])
    dW, db = np.zeros_like(params.W), np.zeros_like(params.b)
    dh_total, dc_total = np.zeros_like(trace.h), np.zeros_like(trace.c)
    dh_next, dc_next = np.zeros(H), np.zeros(H)  # arriving from step t + 1
    for t in reversed(range(len(xs))):
        i, f, o, g, tanh_c = trace.i[t], trace.f[t], trace.o[t], trace.g[t], np.tanh(trace.c[t])
        dh = dhs[t] + dh_next
        dc = dc_next + dh * o * (1.0 - tanh_c**2)
        di, df, do, dg = dc * g, dc * c_prevs[t], dh * tanh_c, dc * i
        d_ifo = np.concatenate([di * i * (1 - i), df * f * (1 - f), do * o * (1 - o)])
        da = np.concatenate([d_ifo, dg * (1 - g**2)])  # through each gate's slope
        dW += np.outer(da, np.concatenate([xs[t], h_prevs[t]]))
        db += da
        dh_next, dc_next = params.W[:, params.n_in :].T @ da, dc * f
        dh_total[t], dc_total[t] = dh, dc
    return LSTMParams(W=dW, b=db), dh_total, dc_total


def stacked_lstm_forward(layers: list[LSTMParams], xs: np.ndarray) -> list[LSTMTrace]:
    """Seed 002's stacked LSTM: layer l reads h_t^{l-1}, the hidden states of the layer below.

    xs: (T, D) is h^0; layers[0] has D inputs, every later layer as many as the one below has
    hidden units. Returns one trace per layer; the last trace's h (T, H) is the output.
    """
    traces = []
    for params in layers:
        traces.append(lstm_forward(params, xs))
        xs = traces[-1].h
    return traces


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
    w_ih, w_hh, b_ih, b_hh = (
        np.asarray(state[f"{name}_l{layer}"], dtype=float)
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    )
    perm = gate_permutation(w_hh.shape[1], source=TORCH_GATE_ORDER, target=SEED_GATE_ORDER)
    return LSTMParams(W=np.concatenate([w_ih, w_hh], axis=1)[perm], b=(b_ih + b_hh)[perm])


# ----------------------------------------------------------------------------------- the GRU
@dataclass(frozen=True)
class GRUParams:
    """The GRU's weights in ``torch.nn.GRU``'s layout: row blocks r, z, n (reset, update, new).

    W_x: (3H, D) acts on x_t, W_h: (3H, H) on h_{t-1}; b_x, b_h: (3H,). Both biases are needed:
    b_h's n block sits inside the reset gate's product.
    """

    W_x: np.ndarray
    W_h: np.ndarray
    b_x: np.ndarray
    b_h: np.ndarray

    def __post_init__(self) -> None:
        H = np.shape(self.W_h)[-1] if np.ndim(self.W_h) else 0
        expected = {"W_x": (3 * H, np.shape(self.W_x)[-1]), "W_h": (3 * H, H)}
        expected |= {"b_x": (3 * H,), "b_h": (3 * H,)}
        for name, shape in expected.items():
            got = np.shape(getattr(self, name))
            if got != shape or H == 0:
                raise ValueError(
                    f"{name} must have shape {shape} (H = {H}, W_h's columns), got {got}"
                )

    @property
    def n_hidden(self) -> int:
        return self.W_h.shape[1]

    @property
    def n_in(self) -> int:
        return self.W_x.shape[1]


def init_gru(n_in: int, n_hidden: int, rng: np.random.Generator) -> GRUParams:
    """Every weight and bias Uniform(-1/sqrt(H), 1/sqrt(H)), as torch initialises them."""
    bound = 1.0 / np.sqrt(n_hidden)
    shapes = [(3 * n_hidden, n_in), (3 * n_hidden, n_hidden), (3 * n_hidden,), (3 * n_hidden,)]
    return GRUParams(*(rng.uniform(-bound, bound, shape) for shape in shapes))


def gru_step(params: GRUParams, x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """One GRU step, as torch.nn.GRU computes it. x: (D,), h: (H,) -> the next h (H,)."""
    x_r, x_z, x_n = np.split(params.W_x @ x + params.b_x, 3)
    h_r, h_z, h_n = np.split(params.W_h @ h + params.b_h, 3)
    r = sigmoid(x_r + h_r)  # reset gate: how much of h the candidate may read
    z = sigmoid(x_z + h_z)  # update gate: how much of h to keep
    n = np.tanh(x_n + r * h_n)  # the candidate new state
    return (1 - z) * n + z * h


def gru_forward(params: GRUParams, xs: np.ndarray) -> np.ndarray:
    """Run the GRU over a sequence from h_0 = 0. xs: (T, D) -> hs (T, H)."""
    check_sequence(xs, params.n_in)
    h, hs = np.zeros(params.n_hidden), []
    for x in xs:
        h = gru_step(params, x, h)
        hs.append(h)
    return np.array(hs)


def gru_torch_state(params: GRUParams) -> dict[str, np.ndarray]:
    """The GRU's weights as a ``torch.nn.GRU`` state dict (the same layout, other names)."""
    return dict(zip(TORCH_NAMES, (params.W_x, params.W_h, params.b_x, params.b_h), strict=True))
