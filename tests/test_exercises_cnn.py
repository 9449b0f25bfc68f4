"""Lesson 05 checkers: the solution passes, plausible mistakes get their one-sentence hint."""

import numpy as np

from course_lib import cnn
from course_lib.exercises import cnn as ex


def solution_input_gradient(grad_out, f, stride):
    (oh, ow), (kh, kw) = grad_out.shape, f.shape
    grad_x = np.zeros(((oh - 1) * stride + kh, (ow - 1) * stride + kw))
    for i in range(oh):
        for j in range(ow):
            grad_x[i * stride : i * stride + kh, j * stride : j * stride + kw] += grad_out[i, j] * f
    return grad_x


def test_conv_prediction():
    assert ex.check_conv_prediction(31, 2432).status == "correct"
    assert "round down" in ex.check_conv_prediction(32, 2432).message
    one_short = ex.check_conv_prediction(30, 2432).message
    assert "leaves out the padding" in one_short and "the + 1" in one_short
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

    def stride_one(grad_out, f, stride):  # section 4's rule, which holds for stride 1 only
        kh, kw = f.shape
        padded = np.pad(grad_out, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
        return cnn.conv2d_forward(padded[None, None], f[::-1, ::-1][None, None])[0, 0]

    def overwrite(grad_out, f, stride):
        (oh, ow), (kh, kw) = grad_out.shape, f.shape
        grad_x = np.zeros(((oh - 1) * stride + kh, (ow - 1) * stride + kw))
        for i in range(oh):
            for j in range(ow):
                grad_x[i * stride : i * stride + kh, j * stride : j * stride + kw] = (
                    grad_out[i, j] * f
                )
        return grad_x

    def flipped(grad_out, f, stride):
        return solution_input_gradient(grad_out, f[::-1, ::-1], stride)

    def stub(grad_out, f, stride):
        raise NotImplementedError

    assert "stride-1 size" in ex.check_input_gradient(stride_one).message
    assert "use +=" in ex.check_input_gradient(overwrite).message
    assert "no flip here" in ex.check_input_gradient(flipped).message
    doubled = ex.check_input_gradient(lambda g, f, s: 2 * solution_input_gradient(g, f, s))
    assert "should be" in doubled.message
    assert ex.check_input_gradient(stub).status == "unsolved"
    assert ex.check_input_gradient(...).status == "unsolved"
