"""Experiments and pictures of lesson 06, built on what the lesson wrote (``course_lib.rnn``).

- gradient flow through time: ||dL/dh_t|| against the distance from the loss, for RNNs whose
  recurrent matrix has a chosen spectral radius, and for LSTMs;
- the long-range memory task (name the first symbol of a noisy sequence), trained with
  ``training.fit`` for a tanh RNN, an LSTM and a GRU;
- the unrolled RNN drawn as a graph, and text samples shown as a figure.
"""

import textwrap

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import nn

from course_lib import training
from course_lib.rnn import (
    LSTMParams,
    RNNParams,
    lstm_backward,
    lstm_forward,
    rnn_backward,
    rnn_forward,
    step_losses,
)

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
"""The recurrent layers of torch the memory task compares."""


# --------------------------------------------------------------------- gradient flow through time
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


def rnn_gradient_norms(params: RNNParams, xs: np.ndarray) -> np.ndarray:
    """||dL/dh_t|| for a loss on the LAST step only (cross-entropy with target class 0).

    Returns (T,) norms ordered by distance from the loss: entry k is ||dL/dh_{T-k}||.
    """
    hs, ys = rnn_forward(params, xs)
    dys = np.zeros_like(ys)
    dys[-1] = step_losses(ys[-1:], np.array([0]))[1][0]
    _, dhs = rnn_backward(params, xs, hs, dys)
    return np.linalg.norm(dhs, axis=1)[::-1]


def lstm_gradient_norms(params: LSTMParams, xs: np.ndarray, seed: int = 0) -> np.ndarray:
    """||dL/dh_t|| for a loss sum(r * h_T) on the last step only (r ~ N(0, 1), seeded).

    Returns (T,) norms ordered by distance from the loss, like ``rnn_gradient_norms``.
    """
    trace = lstm_forward(params, xs)
    dhs = np.zeros_like(trace.h)
    dhs[-1] = np.random.default_rng(seed).normal(size=params.n_hidden)
    _, dh_total, _ = lstm_backward(params, xs, trace, dhs)
    return np.linalg.norm(dh_total, axis=1)[::-1]


# ------------------------------------------------------------------ the long-range memory task
def first_symbol_batch(
    n: int, length: int, generator: torch.Generator, *, n_classes: int = 4, n_noise: int = 16
) -> tuple[torch.Tensor, torch.Tensor]:
    """Sequences whose label is their first symbol, followed by ``length - 1`` noise symbols.

    Symbols 0..n_classes-1 are labels, the next n_noise symbols are noise. Returns x (n, length,
    n_classes + n_noise) one-hot float32 and y (n,) int64, drawn with the torch ``generator``.
    """
    if length < 1 or n < 1:
        raise ValueError(f"n and length must be >= 1, got n={n}, length={length}")
    symbols = torch.randint(n_classes, n_classes + n_noise, (n, length), generator=generator)
    labels = torch.randint(0, n_classes, (n,), generator=generator)
    symbols[:, 0] = labels
    return nn.functional.one_hot(symbols, n_classes + n_noise).float(), labels


def set_memory_bias(cell: nn.LSTM | nn.GRU, value: float) -> None:
    """Bias the gate that keeps the old state: the LSTM's forget gate f, the GRU's update gate z.

    Both are the second of torch's row blocks (LSTM i, f, g, o; GRU r, z, n): bias_ih of that
    block is set to ``value`` and bias_hh to 0, in every layer.
    """
    block = slice(cell.hidden_size, 2 * cell.hidden_size)
    with torch.no_grad():
        for layer in range(cell.num_layers):
            getattr(cell, f"bias_ih_l{layer}")[block] = value
            getattr(cell, f"bias_hh_l{layer}")[block] = 0.0


class SequenceClassifier(nn.Module):
    """A recurrent layer ('rnn': tanh RNN, 'lstm' or 'gru') and a read-out of its last state."""

    def __init__(
        self, kind: str, n_in: int, n_hidden: int, n_out: int, *, memory_bias: float = 0.0
    ) -> None:
        super().__init__()
        if kind not in CELLS:
            raise ValueError(f"kind must be one of {tuple(CELLS)}, got {kind!r}")
        self.cell = CELLS[kind](n_in, n_hidden, batch_first=True)
        if kind != "rnn":
            set_memory_bias(self.cell, memory_bias)
        self.readout = nn.Linear(n_hidden, n_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (n, T, n_in) -> scores (n, n_out) from the hidden state after the last step."""
        out, _ = self.cell(x)
        return self.readout(out[:, -1])


def train_first_symbol(
    kind: str,
    length: int,
    *,
    seed: int = 0,
    portions: int = 8,
    portion_size: int = 960,
    n_hidden: int = 32,
    memory_bias: float = 3.0,
    lr: float = 0.005,
) -> list[float]:
    """Train a ``SequenceClassifier`` on fresh sequences of the first-symbol task.

    4 labels, 16 noise symbols; ``training.fit`` with Adam (batches of 32), one
    portion of new sequences at a time. Returns the accuracy on 512 held-out sequences after
    each portion (chance is 1/4).
    """
    torch.manual_seed(seed)
    x, y = first_symbol_batch(portions * portion_size, length, torch.Generator().manual_seed(seed))
    x_val, y_val = first_symbol_batch(512, length, torch.Generator().manual_seed(10_000 + seed))
    model = SequenceClassifier(kind, x.shape[-1], n_hidden, 4, memory_bias=memory_bias)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    accuracy = []
    for x_part, y_part in zip(x.split(portion_size), y.split(portion_size), strict=True):
        history = training.fit(
            model,
            x_part,
            y_part,
            epochs=1,
            optimiser=optimiser,
            x_val=x_val,
            y_val=y_val,
            seed=seed,
        )
        accuracy += history["val_acc"]
    return accuracy


# ----------------------------------------------------------------------------------- pictures
def draw_unrolled(ax: Axes, inputs: str, outputs: str, *, loss: bool = True) -> None:
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


def add_perplexity_axis(ax: Axes, ticks: tuple[int, ...] = (5, 7, 10, 15, 20, 30, 50, 65)) -> Axes:
    """A right-hand axis that labels ``ax``'s loss (nats) as perplexity e^loss at ``ticks``.

    Call it after the loss axis has its final limits; returns the new axis.
    """
    right = ax.twinx()
    right.set(ylim=ax.get_ylim(), ylabel="perplexity")
    right.set_yticks(np.log(ticks), [str(t) for t in ticks])
    right.grid(False)
    right.spines["right"].set_visible(True)
    return right


def show_samples(fig: Figure, samples: dict[str, str], *, width: int = 44) -> None:
    """One panel per sample, its title the key, its text in a monospaced font.

    A line longer than ``width`` characters wraps onto indented continuation lines, so that the
    sample's own line breaks stay visible.
    """
    if not samples:
        raise ValueError("samples must hold at least one text, got none")
    axes = fig.subplots(1, len(samples))
    for ax, (title, text) in zip(np.atleast_1d(axes), samples.items(), strict=True):
        ax.text(0, 1, wrap_lines(text, width), family="monospace", fontsize=10, va="top")
        ax.set_title(title, loc="left", fontsize=12)
        ax.set_axis_off()


def wrap_lines(text: str, width: int) -> str:
    """``text`` with every line longer than ``width`` wrapped; continuations indented by 2."""
    wrapped = [
        textwrap.wrap(line, width, subsequent_indent="  ") or [""] for line in text.split("\n")
    ]
    return "\n".join(piece for pieces in wrapped for piece in pieces)
