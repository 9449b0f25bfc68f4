"""Checkers for lesson 08 (neural style transfer)."""

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from course_lib import style, style_experiments
from course_lib.exercises import Feedback, call_student, checker, correct, value_problem, wrong

GRAM_EXERCISE = np.array(
    [
        [[1.0, 0.0], [2.0, 1.0]],  # channel 0
        [[0.0, 3.0], [1.0, 0.0]],  # channel 1
    ]
)
"""The feature map (2 channels, 2 x 2 positions) of the 'predict' exercise."""


@checker("`gram_by_hand`")
def check_gram_by_hand(gram_by_hand: np.ndarray) -> Feedback:
    """The Gram matrix G = F F^T / (h w) of GRAM_EXERCISE, worked out by hand: (2, 2)."""
    expected = style.gram_matrix(torch.tensor(GRAM_EXERCISE)[None])[0].numpy()
    flat = GRAM_EXERCISE.reshape(2, 4)
    got = np.asarray(gram_by_hand, dtype=float)
    if got.shape == expected.shape:
        if np.allclose(got, flat @ flat.T):
            return wrong("these are the plain sums F F^T: divide by the h w = 4 positions.")
        if np.allclose(got, np.cov(flat, bias=True)):
            return wrong("that is the covariance: the Gram matrix does not subtract the means.")
    if problem := value_problem(gram_by_hand, expected, "gram_by_hand"):
        return wrong(problem + ": G[i, j] is the mean over positions of channel i times channel j.")
    return correct(
        "the diagonal is each channel's mean square, the off-diagonal how often they fire together."
    )


BALANCE = {"size": 64, "budget": 40, "tv_weight": 0.1}
"""The 'modify' exercise's run: the cat in the starry swirls from the photograph, all style
maps, L-BFGS."""
BALANCE_MAX_STYLE = 1 / 500
"""The style loss at the end at most this share of the photograph's: the style is there."""
BALANCE_MAX_CONTENT = 0.019
"""The content loss at the end at most this (about 0.025 at style weight 10^4): the cat stays."""


def balance_run(style_weight: float) -> style.Painting:
    """The 'modify' exercise's run (``BALANCE``) with the given style weight."""
    content, picture = style_experiments.pair(BALANCE["size"])
    weights = (1.0, float(style_weight), BALANCE["tv_weight"])
    loss = style.StyleTransferLoss(style.RandomFeatures(), content, picture, weights)
    return style.paint(loss, content, BALANCE["budget"])


@checker("`balanced_weight`")
def check_balanced_weight(balanced_weight: float) -> Feedback:
    """A style weight whose run ends with the style loss at most BALANCE_MAX_STYLE of the
    photograph's and the content loss at most BALANCE_MAX_CONTENT."""
    weight = float(balanced_weight)
    if not np.isfinite(weight) or weight <= 0:
        return wrong(f"the style weight must be a positive number, got {balanced_weight!r}.")
    run = balance_run(weight)
    style_share = run.final["style"] / run.losses["style"][0]
    content = run.final["content"]
    if style_share > BALANCE_MAX_STYLE:
        return wrong(
            f"the style loss ends at {style_share:.2g} of the photograph's (limit 1/500 = "
            f"{BALANCE_MAX_STYLE}): too little style, raise the style weight."
        )
    if content > BALANCE_MAX_CONTENT:
        return wrong(
            f"the content loss ends at {content:.3g} (limit {BALANCE_MAX_CONTENT}): the style "
            "takes over the cat, lower the style weight."
        )
    return correct(
        "the style loss ends below 1/500 of the photograph's and the content loss below "
        f"{BALANCE_MAX_CONTENT}: a stylised cat that keeps some of its own colours."
    )


class Spy(nn.Module):
    """Wraps a loss and records the smallest and largest pixel of every image it evaluates."""

    def __init__(self, loss: nn.Module) -> None:
        super().__init__()
        self.loss = loss
        self.ranges: list[tuple[float, float]] = []

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        self.ranges.append((float(x.detach().min()), float(x.detach().max())))
        return self.loss(x)


CLAMPED = {"size": 32, "budget": 20}
"""The 'implement' exercise's run: the cat in the starry swirls from the photograph."""
CLAMPED_MAX_RATIO = 2.0
"""The final loss at most this many times ``style.paint``'s after the same evaluations."""


@checker("`paint_clamped`")
def check_paint_clamped(paint_clamped: Callable) -> Feedback:
    """``paint_clamped(loss, start (1, 3, h, w), budget) -> image (h, w, 3)``: L-BFGS on the
    pixels that evaluates only images in [0, 1] and ends at most CLAMPED_MAX_RATIO times the
    loss of ``style.paint``."""
    content, picture = style_experiments.pair(CLAMPED["size"])
    loss = style.StyleTransferLoss(style.RandomFeatures(), content, picture)
    spy, budget = Spy(loss), CLAMPED["budget"]
    image = np.asarray(call_student(paint_clamped, spy, content.clone(), budget), dtype=float)
    if image.shape != (CLAMPED["size"], CLAMPED["size"], 3):
        return wrong(f"return the image as (h, w, 3) with to_image, got shape {image.shape}.")
    if not spy.ranges:
        return wrong("your function never evaluated the loss: call loss(x) in the closure.")
    low, high = min(r[0] for r in spy.ranges), max(r[1] for r in spy.ranges)
    if low < 0 or high > 1:
        return wrong(
            f"the loss was evaluated on pixels from {low:.3g} to {high:.3g}: clamp x to [0, 1] "
            "inside the closure, before the loss."
        )
    if len(spy.ranges) > budget + 5:
        return wrong(f"{len(spy.ranges)} evaluations for a budget of {budget}: set max_eval.")
    if image.min() < 0 or image.max() > 1:
        return wrong("the returned image leaves [0, 1]: clip it, as to_image does.")
    with torch.no_grad():
        ours, start = (float(loss(x)["total"]) for x in (style.to_tensor(image), content))
    sigmoid = style.paint(loss, content, budget).final["total"]
    if ours > CLAMPED_MAX_RATIO * sigmoid:
        return wrong(
            f"the final loss {ours:.3g} is {ours / sigmoid:.1f} times paint's {sigmoid:.3g} "
            f"(the photograph's is {start:.3g}; at most {CLAMPED_MAX_RATIO:g} times paint's "
            "passes): is L-BFGS stepping on x, with the strong-Wolfe line search, and does the "
            "closure return the loss?"
        )
    return correct(
        f"every image your closure evaluated stayed in [0, 1], and your final loss is "
        f"{ours / sigmoid:.1f} times paint's (x = sigmoid(u)) after the same {budget} evaluations."
    )
