import numpy as np

from course_lib import perceptron
from course_lib.exercises import perceptron as ex


def test_nor_first_epoch():
    assert ex.check_nor_first_epoch(np.array([0.0, -1.0]), 0.0).status == "correct"
    assert ex.check_nor_first_epoch(..., ...).status == "unsolved"
    for w, b, hint in (
        ([0.0, -1.0], -1.0, "step(0) is 0"),  # fires at z = 0
        ([0.0, 0.0], 1.0, "with the NEW weights"),  # every row scored with w = 0, b = 0
        ([0.0, 0.0], 0.0, "the bias changes by (t - y)"),  # the bias never updated
        ([0.0, -1.0], 1.0, "b_epoch1 is not"),
        ([1.0, 1.0], 0.0, "update only when the output is wrong"),
    ):
        feedback = ex.check_nor_first_epoch(np.array(w), b)
        assert feedback.status == "wrong" and hint in feedback.message, (w, b, feedback)
        assert "-1" not in feedback.message  # never gives the weights away
    assert "shape (2,)" in ex.check_nor_first_epoch(np.ones(3), 1.0).message


def test_nor_is_not_a_gate_the_lesson_trains():
    assert not any(np.array_equal(t, ex.NOR) for t in perceptron.GATES.values())


def test_not_gate():
    assert ex.check_not_gate(np.array([-1.0]), 0.5).status == "correct"
    assert ex.check_not_gate(..., 0.5).status == "unsolved"
    identity = ex.check_not_gate(np.array([1.0]), -0.5)
    assert identity.status == "wrong" and "b_not must be positive" in identity.message
    weak = ex.check_not_gate(np.array([-0.2]), 0.5)
    assert weak.status == "wrong" and "w_not + b_not must be negative" in weak.message
    assert "shape (1,)" in ex.check_not_gate(np.array([1.0, 2.0]), 0.0).message


def test_update_with_margin():
    assert ex.check_update_with_margin(ex.reference_update_with_margin).status == "correct"

    def stub(w, b, x, t, lr, margin): ...

    assert ex.check_update_with_margin(stub).status == "unsolved"

    def rosenblatt(w, b, x, t, lr, margin):
        y = int(perceptron.step(x @ w + b))
        return w + lr * (t - y) * x, b + lr * (t - y)

    assert "use s = 2t - 1" in ex.check_update_with_margin(rosenblatt).message

    def always(w, b, x, t, lr, margin):
        s = 2 * t - 1
        return w + lr * s * x, b + lr * s

    assert "nothing may change" in ex.check_update_with_margin(always).message

    def in_place(w, b, x, t, lr, margin):
        s = 2 * t - 1
        if s * (x @ w + b) <= margin:
            w += lr * s * x
            b += lr * s
        return w, b

    assert "changed in place" in ex.check_update_with_margin(in_place).message

    def wrong_sign(w, b, x, t, lr, margin):
        s = 1 - 2 * t
        if -s * (x @ w + b) <= margin:
            return w + lr * s * x, b + lr * s
        return w, b

    assert "use w + lr * s * x" in ex.check_update_with_margin(wrong_sign).message

    def no_tuple(w, b, x, t, lr, margin):
        return w

    assert "return a pair" in ex.check_update_with_margin(no_tuple).message
