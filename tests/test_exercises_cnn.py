"""Lesson 05 checkers: the solution passes, plausible mistakes get their one-sentence hint."""

import numpy as np

from course_lib import cnn
from course_lib.exercises import cnn as ex


def solution_input_gradient(grad_out, f):
    kh, kw = f.shape
    padded = np.pad(grad_out, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    return cnn.conv2d_forward(padded[None, None], f[::-1, ::-1][None, None])[0, 0]


def test_conv_prediction():
    assert ex.check_conv_prediction(31, 2432).status == "correct"
    assert "round down" in ex.check_conv_prediction(32, 2432).message
    assert "forgot the + 1" in ex.check_conv_prediction(30, 2432).message
    assert "also has a bias" in ex.check_conv_prediction(31, 2400).message
    assert "all 3 input channels" in ex.check_conv_prediction(31, 832).message
    assert ex.check_conv_prediction(31, 1000).status == "wrong"
    assert ex.check_conv_prediction(..., ...).status == "unsolved"


def test_receptive_stack():
    assert ex.check_receptive_stack([(3, 2)] * 4).status == "correct"
    assert ex.check_receptive_stack([(3, 1), (3, 2), (3, 2), (3, 2), (3, 2)]).status == "correct"
    assert "try stride 2" in ex.check_receptive_stack([(3, 1)] * 5).message
    assert "make more layers stride 2" in ex.check_receptive_stack([(3, 1), (3, 2), (3, 2)]).message
    assert "more than 5" in ex.check_receptive_stack([(3, 1)] * 13).message
    assert "every kernel must be 3" in ex.check_receptive_stack([(7, 2), (3, 2)]).message
    assert "every stride must be 1 or 2" in ex.check_receptive_stack([(3, 4)] * 3).message
    assert "(kernel, stride) pairs" in ex.check_receptive_stack([3, 3, 3]).message
    assert "is empty" in ex.check_receptive_stack([]).message
    assert ex.check_receptive_stack(...).status == "unsolved"


def test_input_gradient():
    assert ex.check_input_gradient(solution_input_gradient).status == "correct"

    def no_flip(grad_out, f):
        return solution_input_gradient(grad_out, f[::-1, ::-1])

    def valid_mode(grad_out, f):
        return cnn.conv2d_forward(grad_out[None, None], f[::-1, ::-1][None, None])[0, 0]

    def stub(grad_out, f):
        raise NotImplementedError

    assert "flipped" in ex.check_input_gradient(no_flip).message
    assert "full mode" in ex.check_input_gradient(valid_mode).message
    assert (
        "should be"
        in ex.check_input_gradient(lambda g, f: 2 * solution_input_gradient(g, f)).message
    )
    assert ex.check_input_gradient(stub).status == "unsolved"
    assert ex.check_input_gradient(...).status == "unsolved"
