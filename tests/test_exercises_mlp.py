import numpy as np

from course_lib import mlp
from course_lib.exercises import mlp as ex


def test_hidden_view():
    h = np.array([[0, 0], [1, 0], [1, 0], [1, 1]])
    assert ex.check_hidden_view(h).status == "correct"
    assert ex.check_hidden_view(...).status == "unsolved"
    assert "columns are swapped" in ex.check_hidden_view(h[:, ::-1]).message
    assert "network's output" in ex.check_hidden_view(np.column_stack([mlp.XOR_T] * 2)).message
    one_off = h.copy()
    one_off[3] = [1, 0]
    assert "for input (1, 1)" in ex.check_hidden_view(one_off).message
    assert "(4, 2)" in ex.check_hidden_view(np.zeros(4)).message


def test_or_nand_output():
    assert ex.check_or_nand_output(np.array([1.0, 1.0]), -1.5).status == "correct"
    assert ex.check_or_nand_output(..., -1.5).status == "unsolved"
    as_or = ex.check_or_nand_output(np.array([1.0, 1.0]), -0.5)
    assert as_or.status == "wrong" and "an AND" in as_or.message
    hand_weights = ex.check_or_nand_output(np.array([1.0, -1.0]), -0.5)
    assert hand_weights.status == "wrong" and "XOR wants" in hand_weights.message
    assert "shape (2,)" in ex.check_or_nand_output(np.ones(3), 0.0).message


def test_forward():
    def solution(x, w1, b1, w2, b2):
        return mlp.sigmoid(mlp.sigmoid(x @ w1 + b1) @ w2 + b2)

    assert ex.check_forward(solution).status == "correct"

    def stub(x, w1, b1, w2, b2):
        raise NotImplementedError

    assert ex.check_forward(stub).status == "unsolved"

    def linear_hidden(x, w1, b1, w2, b2):
        return mlp.sigmoid((x @ w1 + b1) @ w2 + b2)

    assert "hidden layer has no activation" in ex.check_forward(linear_hidden).message

    def no_output_sigmoid(x, w1, b1, w2, b2):
        return mlp.sigmoid(x @ w1 + b1) @ w2 + b2

    assert "output is not squashed" in ex.check_forward(no_output_sigmoid).message

    def column(x, w1, b1, w2, b2):
        return solution(x, w1, b1, w2, b2)[:, None]

    assert "shape (6,)" in ex.check_forward(column).message
