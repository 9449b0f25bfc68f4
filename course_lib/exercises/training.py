"""Checkers for lesson 04's exercises (training a network)."""

import math

import numpy as np
import torch

from course_lib import training
from course_lib import training_experiments as tx
from course_lib.exercises import Feedback, NotSolved, as_array, checker, compare, correct, wrong


@checker("`steps_answer`")
def check_steps_per_epoch(steps_answer: int, n: int, batch_size: int) -> Feedback:
    """Steps per epoch for n samples at batch_size: ceil(n / batch_size)."""
    expected = math.ceil(n / batch_size)
    if steps_answer == n // batch_size and n % batch_size:
        return wrong(
            f"you rounded down: the last {n % batch_size} samples still make a (smaller) batch."
        )
    if steps_answer == n / batch_size:
        return wrong("a step uses a whole batch, so the count is an integer: round it.")
    if steps_answer != expected:
        return wrong(
            f"{steps_answer} steps would see {steps_answer * batch_size} samples, not {n}."
        )
    return correct(f"{n} samples in batches of {batch_size} make {expected} steps an epoch.")


@checker("`theta_one`")
def check_adam_first_step(theta_one: np.ndarray, start: np.ndarray, lr: float) -> Feedback:
    """Adam's first step on the bowl from ``start``: bias correction makes it lr * sign(g)."""
    g = tx.bowl(start)[1]
    got = as_array(theta_one, "theta_one")
    if got.shape == g.shape:
        if np.allclose(got, start - lr * g):
            return wrong("that is SGD's step, lr g: Adam divides M_hat by sqrt(V_hat).")
        uncorrected = lr * (1 - 0.9) * g / np.sqrt((1 - 0.999) * g**2)
        if np.allclose(got, start - uncorrected):
            return wrong(
                "that step forgets the bias correction: M_1 / (1 - beta1) = g and "
                "V_1 / (1 - beta2) = g^2."
            )
        if np.allclose(got, start + lr * np.sign(g)):
            return wrong("the step goes against the gradient: subtract it.")
    return compare(
        got,
        start - lr * np.sign(g),
        "theta_one",
        atol=1e-6,
        praise=f"M_hat = g and V_hat = g^2, so each coordinate moves by lr = {lr:g} "
        "against its gradient's sign, whatever the gradient's size.",
    )


ADAMW_BOWL, ADAMW_MINIMUM = np.array([[2.0, 1.0], [1.0, 5.0]]), np.array([0.5, 0.5])
ADAMW_START = np.array([-1.0, 2.0])
ADAMW_LR, ADAMW_DECAY, ADAMW_STEPS = 0.05, 0.5, 30


def _bowl_grad(theta: np.ndarray) -> np.ndarray:
    """The gradient of the checker's tilted bowl, whose minimum is not at 0."""
    return ADAMW_BOWL @ (theta - ADAMW_MINIMUM)


def _walk(optimiser: training.Optimiser) -> np.ndarray:
    """The checker's walk on the bowl: (steps + 1, 2)."""
    return training.trajectory(optimiser, _bowl_grad, ADAMW_START, ADAMW_STEPS)


def _torch_walk(optimiser_class: type[torch.optim.Optimizer]) -> np.ndarray:
    """The same walk made by torch.optim's Adam (L2 in the gradient) or AdamW (decoupled)."""
    hyper = {"lr": ADAMW_LR, "weight_decay": ADAMW_DECAY}
    return tx.torch_trajectory(optimiser_class, hyper, _bowl_grad, ADAMW_START, ADAMW_STEPS)


class _Mistake(training.Adam):
    """Plausible mistakes: the decay after Adam's step instead of before it (``after``), or a
    decay not scaled by the step size, theta <- (1 - lambda) theta (``scaled=False``)."""

    def __init__(self, lr: float, weight_decay: float, *, after: bool, scaled: bool) -> None:
        super().__init__(lr)
        self.weight_decay, self.after, self.scaled = weight_decay, after, scaled

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        factor = 1 - (self.lr if self.scaled else 1.0) * self.weight_decay
        if self.after:
            super().step(params, grads)
        for theta in params:
            theta *= factor
        if not self.after:
            super().step(params, grads)


@checker("`AdamW.step`")
def check_adamw(adamw_class: type[training.Adam]) -> Feedback:
    """The student's AdamW against torch.optim.AdamW on a bowl."""
    got = _walk(adamw_class(ADAMW_LR, weight_decay=ADAMW_DECAY))
    if np.allclose(got, ADAMW_START):
        raise NotSolved
    if np.allclose(got, _walk(training.Adam(ADAMW_LR))):
        return wrong(
            "that is plain Adam: nothing shrinks the weights (change each array in place, "
            "theta *= ..., since a new name changes nothing)."
        )
    if np.allclose(got, _torch_walk(torch.optim.Adam)):
        return wrong(
            "that adds lambda theta to the gradient, which Adam then divides by sqrt(V_hat): "
            "it is L2 through Adam, not AdamW's decay."
        )
    if np.allclose(got, _walk(_Mistake(ADAMW_LR, ADAMW_DECAY, after=True, scaled=True))):
        return wrong("shrink theta before Adam's step, as torch does, not after it.")
    if np.allclose(got, _walk(_Mistake(ADAMW_LR, ADAMW_DECAY, after=False, scaled=False))):
        return wrong("the decay is scaled by the step size: theta <- (1 - lr lambda) theta.")
    return compare(
        got,
        _torch_walk(torch.optim.AdamW),
        "the path",
        rtol=0,
        atol=1e-9,
        praise="theta <- (1 - lr lambda) theta, then Adam's step: torch.optim.AdamW's walk.",
    )
