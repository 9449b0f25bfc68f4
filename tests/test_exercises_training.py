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


START = np.array([-4.0, 1.5])  # the lesson's bowl start; the gradient there is (-4, 37.5)


def test_adam_first_step_checker():
    right = ex.check_adam_first_step(np.array([-3.7, 1.2]), START, 0.3)
    assert right.status == "correct" and "sign" in right.message
    sgd = ex.check_adam_first_step(START - 0.3 * np.array([-4.0, 37.5]), START, 0.3)
    assert sgd.status == "wrong" and "SGD" in sgd.message
    step = 0.3 * 0.1 / math.sqrt(0.001)  # M_1 / sqrt(V_1) without the corrections
    raw = ex.check_adam_first_step(START - step * np.array([-1.0, 1.0]), START, 0.3)
    assert raw.status == "wrong" and "bias correction" in raw.message
    uphill = ex.check_adam_first_step(np.array([-4.3, 1.8]), START, 0.3)
    assert uphill.status == "wrong" and "against the gradient" in uphill.message
    other = ex.check_adam_first_step([-3.7, 1.5], START, 0.3)
    assert other.status == "wrong" and "theta_one[1]" in other.message
    shape = ex.check_adam_first_step([-3.7], START, 0.3)
    assert shape.status == "wrong" and "shape" in shape.message
    assert ex.check_adam_first_step(..., START, 0.3).status == "unsolved"


def adamw_class(step):
    """An AdamW class with the given step(self, params, grads), as a student would write it."""

    class Student(training.Adam):
        def __init__(self, lr: float = 0.001, weight_decay: float = 0.01) -> None:
            super().__init__(lr)
            self.weight_decay = weight_decay

    Student.step = step
    return Student


def solution(self, params, grads):
    for theta in params:
        theta *= 1 - self.lr * self.weight_decay
    training.Adam.step(self, params, grads)


def no_decay(self, params, grads):
    for theta in params:
        theta = theta * (1 - self.lr * self.weight_decay)  # rebinds a name: no effect
    training.Adam.step(self, params, grads)


def l2_in_the_gradient(self, params, grads):
    grads = [g + self.weight_decay * theta for theta, g in zip(params, grads, strict=True)]
    training.Adam.step(self, params, grads)


def decay_after(self, params, grads):
    training.Adam.step(self, params, grads)
    for theta in params:
        theta *= 1 - self.lr * self.weight_decay


def unscaled(self, params, grads):
    for theta in params:
        theta *= 1 - self.weight_decay
    training.Adam.step(self, params, grads)


def decay_only(self, params, grads):
    for theta in params:
        theta *= 1 - self.lr * self.weight_decay


def stub(self, params, grads): ...


def test_adamw_checker():
    assert ex.check_adamw(adamw_class(solution)).status == "correct"
    expected = {
        no_decay: "plain Adam",
        l2_in_the_gradient: "L2 through Adam",
        decay_after: "before Adam's step",
        unscaled: "scaled by the step size",
        decay_only: "the path",
    }
    for step, words in expected.items():
        feedback = ex.check_adamw(adamw_class(step))
        assert feedback.status == "wrong" and words in feedback.message, (step, feedback)
    assert ex.check_adamw(adamw_class(stub)).status == "unsolved"


def test_adamw_checker_reports_a_crash_in_one_sentence():
    def crash(self, params, grads):
        raise KeyError("v")

    feedback = ex.check_adamw(adamw_class(crash))
    assert feedback.status == "wrong" and "KeyError" in feedback.message
