"""Live demos of lesson 06: gradient flow through time, and sampling text at a temperature."""

import html
from typing import TYPE_CHECKING

import ipywidgets as widgets
import numpy as np

from course_lib import rnn
from course_lib.widgets import Demo

if TYPE_CHECKING:
    import torch


def _visible(char: str) -> str:
    """A tick label for a character: space as '␣', newline as '\\n'."""
    return {" ": "␣", "\n": "\\n"}.get(char, char)


def gradient_flow_demo(
    W_xh: np.ndarray, A: np.ndarray, xs: np.ndarray, *, radius: float = 1.0
) -> Demo:
    """Slide the spectral radius of W_hh = radius * A and see ||dL/dh_t|| against distance.

    W_xh (H, D), A (H, H) with spectral radius 1, xs (T, D): from ``rnn.gradient_flow_inputs``.
    One forward and backward pass of a T-step RNN per update (milliseconds).
    """

    def draw(fig, radius: float) -> str:
        norms = rnn.rnn_gradient_norms(rnn.rnn_with_radius(W_xh, A, radius), xs)
        ratio = norms[-1] / norms[0]
        ax = fig.add_subplot()
        ax.semilogy(norms / norms[0], color="#d62728" if ratio > 1 else "#1f77b4")
        ax.axhline(1.0, color="0.5", lw=0.8)
        ax.set_ylim(1e-25, 1e8)
        ax.set_xlabel("distance from the loss (steps back in time)")
        ax.set_ylabel(r"$\|\partial L/\partial h_t\|$ / value at the loss")
        ax.set_title(f"vanilla RNN, spectral radius of $W_{{hh}}$ = {radius:.2f}")
        fig.tight_layout()
        return f"after {len(norms) - 1} steps back the gradient is multiplied by {ratio:.3g}"

    slider = widgets.FloatSlider(
        value=radius, min=0.25, max=4.0, step=0.05, description="radius", continuous_update=False
    )
    return Demo(draw, {"radius": slider}, title="Gradient flow through time")


def temperature_demo(
    model: "torch.nn.ModuleDict",
    vocab: rnn.Vocabulary,
    corpus: str,
    prompt: str,
    *,
    n_chars: int = 160,
    temperature: float = 1.0,
    seed: int = 0,
) -> Demo:
    """Slide the sampling temperature of a trained character model.

    The scores after ``prompt`` are computed once (cached); every update rescales them for the
    bar chart and samples ``n_chars`` characters with a seeded generator (tens of milliseconds).
    The summary shows the sample and the fraction of its 10-character windows not in ``corpus``.
    """
    import torch

    with torch.no_grad():
        logits, _ = rnn.char_logits(model, torch.from_numpy(vocab.encode(prompt))[None])
    scores = logits[0, -1].double().numpy()
    shown = np.argsort(scores)[::-1][:12]

    def draw(fig, temperature: float, seed: int) -> str:
        probs = rnn.softmax(scores, temperature)
        ax = fig.add_subplot()
        ax.bar(range(len(shown)), probs[shown], color="#ff7f0e")
        ax.set_xticks(range(len(shown)), [_visible(vocab.chars[k]) for k in shown])
        ax.set_ylim(0, 1)
        ax.set_ylabel("probability")
        ax.set_title(f"next character after {prompt!r} at temperature {temperature:.2f}")
        fig.tight_layout()
        sample = rnn.sample_text(model, vocab, prompt, n_chars, temperature=temperature, seed=seed)
        novel = rnn.novel_fraction(sample, corpus)
        return (
            f"<pre>{html.escape(prompt + sample)}</pre>"
            f"{novel:.0%} of its 10-character windows are not in the training text"
        )

    controls = {
        "temperature": widgets.FloatSlider(
            value=temperature, min=0.1, max=2.5, step=0.05, continuous_update=False
        ),
        "seed": widgets.IntSlider(value=seed, min=0, max=20, continuous_update=False),
    }
    return Demo(draw, controls, title="Sampling temperature")
