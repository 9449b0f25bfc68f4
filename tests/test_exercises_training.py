import math

import numpy as np

import course_lib.exercises.training as ex


def test_steps_per_epoch_checker():
    assert ex.check_steps_per_epoch(12, 1438, 128).status == "correct"
    floor = ex.check_steps_per_epoch(11, 1438, 128)
    assert floor.status == "wrong" and "rounded down" in floor.message
    fraction = ex.check_steps_per_epoch(1438 / 128, 1438, 128)
    assert fraction.status == "wrong" and "integer" in fraction.message
    other = ex.check_steps_per_epoch(45, 1438, 128)
    assert other.status == "wrong" and "would see" in other.message
    assert ex.check_steps_per_epoch(..., 1438, 128).status == "unsolved"


def test_torch_dropout_p_checker():
    assert ex.check_torch_dropout_p(1 - 0.8, 1 - 0.5).status == "correct"
    keep = ex.check_torch_dropout_p(0.8, 0.5)
    assert keep.status == "wrong" and "DROPPING" in keep.message
    swapped = ex.check_torch_dropout_p(0.5, 0.2)
    assert swapped.status == "wrong" and "inputs are kept MORE often" in swapped.message
    other = ex.check_torch_dropout_p(0.3, 0.5)
    assert other.status == "wrong" and "p_input" in other.message
    assert ex.check_torch_dropout_p(..., ...).status == "unsolved"


def test_he_std_checker():
    assert ex.check_he_std(math.sqrt(2 / 64), fan_in=64).status == "correct"
    seed = ex.check_he_std(0.001)
    assert seed.status == "wrong" and "seed 004" in seed.message
    lecun = ex.check_he_std(math.sqrt(1 / 64))
    assert lecun.status == "wrong" and "ReLU zeroes half" in lecun.message
    variance = ex.check_he_std(2 / 64)
    assert variance.status == "wrong" and "VARIANCE" in variance.message
    assert ex.check_he_std(0.5).status == "wrong"
    assert ex.check_he_std(...).status == "unsolved"


def test_soft_threshold_checker():
    def solution(w, t):
        return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)

    def hard_threshold(w, t):
        return np.where(np.abs(w) > t, w, 0.0)

    def positive_only(w, t):
        return np.maximum(w - t, 0.0)

    def stub(w, t): ...

    assert ex.check_soft_threshold(solution).status == "correct"
    hard = ex.check_soft_threshold(hard_threshold)
    assert hard.status == "wrong" and "shrink the others" in hard.message
    positive = ex.check_soft_threshold(positive_only)
    assert positive.status == "wrong" and "negative weights" in positive.message
    off = ex.check_soft_threshold(lambda w, t: solution(w, 2 * t))
    assert off.status == "wrong" and "should be" in off.message
    assert ex.check_soft_threshold(stub).status == "unsolved"
