import math

import numpy as np

import course_lib.exercises.training as ex
from course_lib import training


def test_steps_per_epoch_checker():
    assert ex.check_steps_per_epoch(32, 4000, 128).status == "correct"
    floor = ex.check_steps_per_epoch(31, 4000, 128)
    assert floor.status == "wrong" and "rounded down" in floor.message
    fraction = ex.check_steps_per_epoch(4000 / 128, 4000, 128)
    assert fraction.status == "wrong" and "integer" in fraction.message
    other = ex.check_steps_per_epoch(125, 4000, 128)
    assert other.status == "wrong" and "would see" in other.message
    assert ex.check_steps_per_epoch(..., 4000, 128).status == "unsolved"


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


def nesterov_class(update):
    """An optimiser class with the given update(self, g, state), as a student would write it."""

    class Student(training.Optimiser):
        def __init__(self, lr: float, mu: float = 0.9) -> None:
            super().__init__(lr)
            self.mu = mu

    Student.update = update
    return Student


def solution(self, g, state):
    state["v"] = self.mu * state.get("v", 0.0) + g
    return self.lr * (g + self.mu * state["v"])


def heavy_ball(self, g, state):
    state["v"] = self.mu * state.get("v", 0.0) + g
    return self.lr * state["v"]


def look_ahead_only(self, g, state):
    state["v"] = self.mu * state.get("v", 0.0) + g
    return self.lr * self.mu * state["v"]


def forgetful(self, g, state):
    v = self.mu * state.get("v", 0.0) + g  # never stored
    return self.lr * (g + self.mu * v)


def wrong_sign(self, g, state):
    state["v"] = self.mu * state.get("v", 0.0) + g
    return self.lr * (g - self.mu * state["v"])


def stub(self, g, state): ...


def test_nesterov_checker():
    assert ex.check_nesterov(nesterov_class(solution)).status == "correct"
    plain = ex.check_nesterov(nesterov_class(heavy_ball))
    assert plain.status == "wrong" and "plain momentum" in plain.message
    ahead = ex.check_nesterov(nesterov_class(look_ahead_only))
    assert ahead.status == "wrong" and "PLUS" in ahead.message
    lost = ex.check_nesterov(nesterov_class(forgetful))
    assert lost.status == "wrong" and "state['v']" in lost.message
    sign = ex.check_nesterov(nesterov_class(wrong_sign))
    assert sign.status == "wrong" and "should be" in sign.message
    assert ex.check_nesterov(nesterov_class(stub)).status == "unsolved"


def test_nesterov_checker_reports_a_crash_in_one_sentence():
    def crash(self, g, state):
        return state["v"]  # KeyError on the first step

    feedback = ex.check_nesterov(nesterov_class(crash))
    assert feedback.status == "wrong" and "KeyError" in feedback.message
    assert np.isfinite(ex.NESTEROV_LR)
