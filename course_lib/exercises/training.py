"""Checkers for lesson 04's exercises (training a network)."""

import math
from collections.abc import Callable

import numpy as np

from course_lib import training
from course_lib.exercises import Feedback, call_student, checker, compare, correct, wrong


@checker("`steps_answer`")
def check_steps_per_epoch(steps_answer: int, n: int, batch_size: int) -> Feedback:
    """Steps per epoch for n samples at batch_size: ceil(n / batch_size)."""
    expected = training.steps_per_epoch(n, batch_size)
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


@checker("`p_input` and `p_hidden`")
def check_torch_dropout_p(p_input: float, p_hidden: float) -> Feedback:
    """torch.nn.Dropout's p for seed 004's keep probabilities 0.8 (inputs) and 0.5 (hidden)."""
    if math.isclose(p_input, 0.8) and math.isclose(p_hidden, 0.5):
        return wrong("torch's p is the probability of DROPPING a unit, so it is 1 - keep.")
    if math.isclose(p_input, 0.5) and math.isclose(p_hidden, 0.2):
        return wrong("the inputs are kept MORE often (0.8) than hidden units, so drop them less.")
    return compare(
        [p_input, p_hidden],
        [0.2, 0.5],
        "[p_input, p_hidden]",
        praise="p = 1 - keep: nn.Dropout(0.2) on the inputs, nn.Dropout(0.5) on hidden units.",
    )


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


SOFT_THRESHOLD_CASES = (
    (np.array([-1.5, -0.2, 0.0, 0.05, 0.3, 2.0]), 0.25),
    (np.array([[0.1, -0.1], [-3.0, 0.6]]), 0.5),
)


@checker("`soft_threshold_student`")
def check_soft_threshold(
    soft_threshold_student: Callable[[np.ndarray, float], np.ndarray],
) -> Feedback:
    """The student's soft-thresholding against the course's on positive, negative, small weights."""
    for w, threshold in SOFT_THRESHOLD_CASES:
        got = call_student(soft_threshold_student, w.copy(), threshold)
        expected = training.soft_threshold(w, threshold)
        if np.allclose(got, np.where(np.abs(w) > threshold, w, 0.0)):
            return wrong("you zeroed the small weights but must also shrink the others by t.")
        if np.allclose(got, np.maximum(w - threshold, 0.0)):
            return wrong("negative weights must shrink towards zero too: use sign(w) and |w|.")
        result = compare(got, expected, f"soft_threshold(w, {threshold})")
        if not result:
            return result
    return correct("sign(w) max(|w| - t, 0): small weights become exactly 0, the rest shrink by t.")
