"""Checkers for lesson 08 (neural style transfer)."""

from collections.abc import Callable

import numpy as np

from course_lib import style
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
    expected = style.gram_matrix(GRAM_EXERCISE)
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


BALANCE = {"size": 64, "steps": 100, "content": "chelsea", "style": "starry_swirls"}
"""The 'modify' exercise's run: noise start, 64 px, 100 Adam steps, default random network."""
BALANCE_MAX_CONTENT = 0.85
"""Content loss at the end at most this share of its value at the noise start: the run must
bring the cat back (the noise start's content loss is low already, so a fixed limit would not)."""
BALANCE_MAX_STYLE = 0.1
"""Style loss at the end at most this share of its value at the start: the result must carry
the style."""


def balance_run(style_weight: float) -> style.Transfer:
    """The 'modify' exercise's run (``BALANCE``) with the given style weight."""
    from course_lib import data

    size = BALANCE["size"]
    return style.stylise(
        data.load_image(BALANCE["content"], size),
        style.style_image(BALANCE["style"], size),
        style_weight=style_weight,
        steps=BALANCE["steps"],
        init="noise",
    )


@checker("`balanced_weight`")
def check_balanced_weight(balanced_weight: float) -> Feedback:
    """A style weight whose noise-started run ends with both losses below their limits, each a
    share of the loss at the start (BALANCE_MAX_CONTENT, BALANCE_MAX_STYLE)."""
    weight = float(balanced_weight)
    if not np.isfinite(weight) or weight <= 0:
        return wrong(f"the style weight must be a positive number, got {balanced_weight!r}.")
    losses = balance_run(weight).losses
    content = losses["content"][-1] / losses["content"][0]
    style_part = losses["style"][-1] / losses["style"][0]
    if content > BALANCE_MAX_CONTENT:
        return wrong(
            f"the content loss ends at {content:.2f} of its start (limit {BALANCE_MAX_CONTENT}): "
            "the style drowns the cat, lower the style weight."
        )
    if style_part > BALANCE_MAX_STYLE:
        return wrong(
            f"the style loss ends at {style_part:.3f} of its start (limit {BALANCE_MAX_STYLE}): "
            "hardly any style, raise the style weight."
        )
    return correct(
        f"content loss down to {content:.2f} and style loss to {style_part:.3f} of their starts: "
        "a stylised, recognisable cat."
    )


@checker("`tv_loss`")
def check_tv_loss(tv_loss: Callable) -> Feedback:
    """``tv_loss(image (b, 3, h, w) tensor) -> scalar tensor`` equal to total_variation_torch."""
    import torch

    generator = torch.Generator().manual_seed(8)
    for shape in [(1, 3, 4, 4), (2, 3, 5, 7), (1, 3, 2, 6)]:
        image = torch.rand(shape, generator=generator, requires_grad=True)
        got = call_student(tv_loss, image)
        if not isinstance(got, torch.Tensor):
            return wrong(f"tv_loss should return a torch tensor, got {type(got).__name__}.")
        if got.numel() != 1:
            return wrong(f"tv_loss should return one number, got shape {tuple(got.shape)}.")
        if not got.requires_grad:
            return wrong("the result has no gradient: compute it with torch, not numpy.")
        expected = style.total_variation_torch(image)
        if torch.isclose(got, ((image[:, :, 1:] - image[:, :, :-1]) ** 2).mean()):
            return wrong("you have the vertical differences only: add the horizontal ones.")
        if problem := value_problem(got.detach().numpy(), expected.detach().numpy(), "tv_loss"):
            return wrong(f"for an image of shape {shape}, {problem}.")
    return correct("the mean squared step down plus the mean squared step right.")
