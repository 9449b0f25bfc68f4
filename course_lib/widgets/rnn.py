"""Live demos of lesson 06: gradient flow through time, and sampling text at a temperature."""

import ipywidgets as widgets
import numpy as np
import torch

from course_lib import charlm
from course_lib import rnn_experiments as experiments
from course_lib.backprop import softmax
from course_lib.widgets import Demo


def _visible(char: str) -> str:
    """A tick label for a character: space as '␣', newline as '\\n'."""
    return {" ": "␣", "\n": "\\n"}.get(char, char)


def gradient_flow_demo(
    W_xh: np.ndarray, A: np.ndarray, xs: np.ndarray, *, radius: float = 1.0, distance: int = 40
) -> Demo:
    """Slide the spectral radius of W_hh = radius * A and see ||dL/dh_t|| against distance.

    W_xh (H, D), A (H, H) with spectral radius 1, xs (T, D): from
    ``rnn_experiments.gradient_flow_inputs``. One forward and backward pass of a T-step RNN per
    update (milliseconds). The readout is the ratio at ``distance`` steps back (marked), the
    distance of the lesson's table and of its exercise.
    """

    def draw(fig, radius: float) -> str:
        norms = experiments.rnn_gradient_norms(experiments.rnn_with_radius(W_xh, A, radius), xs)
        ratio = norms[distance] / norms[0]
        ax = fig.add_subplot()
        ax.semilogy(norms / norms[0], color="#d62728" if ratio > 1 else "#1f77b4")
        ax.axhline(1.0, color="0.5", lw=0.8)
        ax.axvline(distance, color="0.5", ls=":", lw=0.8)
        ax.plot([distance], [ratio], "ko", ms=5, label=f"{distance} steps back: {ratio:.2g}")
        ax.legend(loc="lower left")
        ax.set_ylim(1e-25, 1e8)
        ax.set_xlabel("distance from the loss (steps back in time)")
        ax.set_ylabel(r"$\|\partial L/\partial h_t\|$ / value at the loss")
        ax.set_title(f"vanilla RNN, spectral radius of $W_{{hh}}$ = {radius:.2f}")
        fig.tight_layout()
        return f"{distance} steps back the gradient is {ratio:.2g} x its value at the loss"

    slider = widgets.FloatSlider(
        value=radius, min=0.25, max=4.0, step=0.05, description="radius", continuous_update=False
    )
    return Demo(draw, {"radius": slider}, title="Gradient flow through time")


def temperature_demo(
    model: charlm.CharLSTM,
    vocab: charlm.Vocabulary,
    known_words: set[str],
    prompt: str,
    *,
    n_chars: int = 240,
    temperature: float = 1.0,
    seed: int = 0,
) -> Demo:
    """Slide the sampling temperature of a trained character model.

    The scores after ``prompt`` are computed once; every update rescales them (the bar chart of
    the likeliest next characters) and samples ``n_chars`` characters with a seeded generator
    (shown beside the bars). The summary gives the share of the sample's words that are in
    ``known_words`` (the training text's words, ``charlm.words_of``).
    """
    with torch.no_grad():
        scores = model(torch.from_numpy(vocab.encode(prompt))[None])[0, -1].double().numpy()
    shown = np.argsort(scores)[::-1][:10]

    def draw(fig, temperature: float, seed: int) -> str:
        probs = softmax(scores / temperature)
        bars, text = fig.subplots(1, 2, width_ratios=[1, 2.2])
        bars.barh(range(len(shown)), probs[shown], color="#ff7f0e")
        bars.set_yticks(range(len(shown)), [_visible(vocab.chars[k]) for k in shown])
        bars.invert_yaxis()
        bars.set_xlim(0, 1)
        bars.set_xlabel("probability of the next character")
        bars.set_title(f"after {prompt!r}, τ = {temperature:.2f}", fontsize=10)
        sample = charlm.sample(model, vocab, prompt, n_chars, temperature=temperature, seed=seed)
        text.text(0, 1, experiments.wrap_lines(prompt + sample, 56), family="monospace", va="top")
        text.set_axis_off()
        fig.tight_layout()
        known = charlm.known_word_fraction(sample, known_words)
        return f"{known:.0%} of the sample's words occur in the training text"

    controls = {
        "temperature": widgets.FloatSlider(
            value=temperature, min=0.1, max=2.0, step=0.05, continuous_update=False
        ),
        "seed": widgets.IntSlider(value=seed, min=0, max=20, continuous_update=False),
    }
    return Demo(draw, controls, title="Sampling temperature", figsize=(10, 4))
