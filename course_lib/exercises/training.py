"""Checkers for lesson 04's exercises (training a network)."""

import math
from collections.abc import Callable

import numpy as np
import torch

from course_lib import training
from course_lib import training_experiments as tx
from course_lib.exercises import Feedback, call_student, checker, compare, correct, wrong


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


@checker("`std`")
def check_he_std(std: float, fan_in: int = 64) -> Feedback:
    """The weight std that keeps a ReLU layer's signal scale: sqrt(2 / fan_in)."""
    if math.isclose(std, 0.001):
        return wrong("0.001 is seed 004's std: each layer then shrinks the signal about 180-fold.")
    if math.isclose(std, math.sqrt(1 / fan_in), rel_tol=1e-3):
        return wrong("variance 1/fan_in forgets that ReLU zeroes half the units: double it.")
    if math.isclose(std, 2 / fan_in, rel_tol=1e-3):
        return wrong("2 / fan_in is the VARIANCE; the standard deviation is its square root.")
    return compare(
        std,
        math.sqrt(2 / fan_in),
        "std",
        rtol=1e-3,
        praise="He initialisation: Var(w) = 2 / fan_in keeps the ReLU signal's scale.",
    )


NESTEROV_BOWL = np.diag([1.0, 10.0])
NESTEROV_START = np.array([1.0, 1.0])
NESTEROV_LR, NESTEROV_MU, NESTEROV_STEPS = 0.02, 0.9, 30


def _bowl_walk(make: Callable[[float, float], training.Optimiser]) -> np.ndarray:
    """The checker's walk on a bowl with the optimiser make(lr, mu): (steps + 1, 2)."""
    return training.trajectory(
        make(NESTEROV_LR, NESTEROV_MU), lambda t: NESTEROV_BOWL @ t, NESTEROV_START, NESTEROV_STEPS
    )


def _torch_walk(nesterov: bool) -> np.ndarray:
    """The same walk made by torch.optim.SGD with momentum, with or without Nesterov's step."""
    hyper = {"lr": NESTEROV_LR, "momentum": NESTEROV_MU, "nesterov": nesterov}
    return tx.torch_trajectory(
        torch.optim.SGD, hyper, lambda t: NESTEROV_BOWL @ t, NESTEROV_START, NESTEROV_STEPS
    )


class _LookAheadOnly(training.Optimiser):
    """A plausible mistake: the step keeps the look-ahead mu v but drops the gradient g."""

    def __init__(self, lr: float, mu: float) -> None:
        super().__init__(lr)
        self.mu = mu

    def update(self, g: np.ndarray, state: dict) -> np.ndarray:
        state["v"] = self.mu * state.get("v", 0.0) + g
        return self.lr * self.mu * state["v"]


@checker("`Nesterov.update`")
def check_nesterov(nesterov_class: type[training.Optimiser]) -> Feedback:
    """The student's Nesterov optimiser against torch.optim.SGD(nesterov=True) on a bowl."""
    call_student(nesterov_class(NESTEROV_LR, NESTEROV_MU).update, np.ones(2), {})
    got = _bowl_walk(nesterov_class)
    if np.allclose(got, _torch_walk(nesterov=False)):
        return wrong("that is plain momentum, which steps with v; Nesterov steps with g + mu v.")
    if np.allclose(got, _bowl_walk(_LookAheadOnly)):
        return wrong("the step is the gradient PLUS the look-ahead: lr (g + mu v), not lr mu v.")
    if np.allclose(got, _bowl_walk(lambda lr, mu: training.SGD(lr * (1 + mu)))):
        return wrong("the velocity must last from step to step: keep it in state['v'].")
    return compare(
        got,
        _torch_walk(nesterov=True),
        "the path",
        rtol=0,
        atol=1e-9,
        praise="v <- mu v + g, step lr (g + mu v): the same walk as torch's nesterov=True.",
    )
