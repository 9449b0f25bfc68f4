import numpy as np

from course_lib import rnn
from course_lib.exercises import rnn as ex


def test_forget_memory():
    assert ex.check_forget_memory(0.9**20).status == "correct"
    assert ex.check_forget_memory(...).status == "unsolved"
    one_step = ex.check_forget_memory(0.9)
    assert one_step.status == "wrong" and "one step keeps" in one_step.message
    added = ex.check_forget_memory(1 - 0.1 * 20)
    assert added.status == "wrong" and "multiply, they don't add" in added.message
    off_by_one = ex.check_forget_memory(0.9**19)
    assert off_by_one.status == "wrong" and "acts 20 times" in off_by_one.message
    other = ex.check_forget_memory(0.5)
    assert other.status == "wrong" and "remaining is 0.5 but should be 0.121577" in other.message


def test_edge_of_chaos():
    assert ex.check_edge_of_chaos(1.8).status == "correct"
    assert ex.check_edge_of_chaos(None).status == "unsolved"
    vanishing = ex.check_edge_of_chaos(1.0)
    assert vanishing.status == "wrong" and "still vanishes" in vanishing.message
    exploding = ex.check_edge_of_chaos(3.0)
    assert exploding.status == "wrong" and "explodes" in exploding.message
    not_smallest = ex.check_edge_of_chaos(2.0)  # the lesson's table shows 2.0 works: not enough
    assert not_smallest.status == "wrong" and "smallest" in not_smallest.message
    assert "between 0 and 10" in ex.check_edge_of_chaos(-1).message
    assert ex.edge_ratio(1.75) < 0.1 < ex.edge_ratio(1.8) < 10


def solution(dh, h, h_prev, x, W_hh):
    da = dh * (1 - h**2)
    return W_hh.T @ da, np.outer(da, h_prev), np.outer(da, x), da


def test_rnn_step_backward():
    assert ex.check_rnn_step_backward(solution).status == "correct"
    assert ex.check_rnn_step_backward(rnn.rnn_step_backward).status == "correct"

    def stub(dh, h, h_prev, x, W_hh):
        raise NotImplementedError

    assert ex.check_rnn_step_backward(stub).status == "unsolved"

    def no_tanh_slope(dh, h, h_prev, x, W_hh):
        return W_hh.T @ dh, np.outer(dh, h_prev), np.outer(dh, x), dh

    assert "slope of tanh" in ex.check_rnn_step_backward(no_tanh_slope).message

    def wrong_slope(dh, h, h_prev, x, W_hh):
        da = dh * (1 - h)
        return W_hh.T @ da, np.outer(da, h_prev), np.outer(da, x), da

    assert "1 - h**2, not 1 - h" in ex.check_rnn_step_backward(wrong_slope).message

    def no_transpose(dh, h, h_prev, x, W_hh):
        da = dh * (1 - h**2)
        return W_hh @ da, np.outer(da, h_prev), np.outer(da, x), da

    assert "TRANSPOSE of W_hh" in ex.check_rnn_step_backward(no_transpose).message

    def outer_swapped(dh, h, h_prev, x, W_hh):
        da = dh * (1 - h**2)
        return W_hh.T @ da, np.outer(h_prev, da), np.outer(da, x), da

    assert "dW_hh is transposed" in ex.check_rnn_step_backward(outer_swapped).message

    def wrong_dw_xh(dh, h, h_prev, x, W_hh):
        da = dh * (1 - h**2)
        return W_hh.T @ da, np.outer(da, h_prev), np.outer(dh, x), da

    result = ex.check_rnn_step_backward(wrong_dw_xh)
    assert result.status == "wrong" and result.message.startswith("dW_xh[0, 0] is")

    def two_values(dh, h, h_prev, x, W_hh):
        return dh, dh

    assert "tuple of four arrays" in ex.check_rnn_step_backward(two_values).message
