import numpy as np

from course_lib import backprop as bp
from course_lib import seed001 as s1
from course_lib.exercises import backprop as ex

X, Y, WEIGHTS, BIASES, _ = s1.problem()
W_JK = WEIGHTS[1]
F = bp.forward_333(X, Y, WEIGHTS, BIASES)
G = bp.backward_333(X, Y, WEIGHTS, F)  # the lesson's target, class 0
Y2 = np.eye(3)[ex.EXERCISE_TARGET]  # the exercises' target, class 1
G2 = bp.backward_333(X, Y2, WEIGHTS, F)  # the forward pass does not depend on the target


def test_the_exercises_use_a_target_the_lesson_does_not_print():
    assert int(np.argmax(Y)) != ex.EXERCISE_TARGET


def test_delta_out():
    p = F["o_out"]
    assert ex.check_delta_out(p - Y2).status == "correct"
    assert ex.check_delta_out(...).status == "unsolved"
    assert "target class 0" in ex.check_delta_out(p - Y).message
    assert "sign is flipped" in ex.check_delta_out(Y2 - p).message
    assert "softmax *output*" in ex.check_delta_out(-Y2 / p).message
    diagonal = ex.check_delta_out(-Y2 / p * p * (1 - p))
    assert diagonal.status == "wrong" and "only the diagonal" in diagonal.message
    assert "shape (3,)" in ex.check_delta_out(np.ones(2)).message


def test_de_dh1():
    assert ex.check_de_dh1(W_JK @ G2["delta_h2"]).status == "correct"
    assert ex.check_de_dh1(...).status == "unsolved"
    assert "for target class 0" in ex.check_de_dh1(G["dE_dh1_out"]).message
    one_path = ex.check_de_dh1(np.diag(W_JK) * G2["delta_h2"])
    assert one_path.status == "wrong" and "one path per unit" in one_path.message
    assert "transposed" in ex.check_de_dh1(W_JK.T @ G2["delta_h2"]).message
    assert "skipped the sigmoid" in ex.check_de_dh1(W_JK @ G2["dE_dh2_out"]).message
    off = W_JK @ G2["delta_h2"] + np.array([0.0, 0.01, 0.0])
    other = ex.check_de_dh1(off)
    assert other.status == "wrong" and "go down two layers" in other.message
    assert f"{(W_JK @ G2['delta_h2'])[1]:.4f}" not in other.message  # does not give the answer


def solution(s, ds):
    return s * (ds - np.sum(ds * s, axis=1, keepdims=True))


def test_softmax_backward():
    assert ex.check_softmax_backward(solution).status == "correct"

    def stub(s, ds):
        raise NotImplementedError

    assert ex.check_softmax_backward(stub).status == "unsolved"

    def diagonal(s, ds):
        return s * (1 - s) * ds

    feedback = ex.check_softmax_backward(diagonal)
    assert feedback.status == "wrong" and "only the diagonal" in feedback.message

    def whole_batch_sum(s, ds):
        return s * (ds - np.sum(ds * s))

    assert "sum each row" in ex.check_softmax_backward(whole_batch_sum).message

    def flipped(s, ds):
        return -solution(s, ds)

    assert "sign is flipped" in ex.check_softmax_backward(flipped).message

    def transposed(s, ds):
        return solution(s, ds).T

    assert "should have the shape of s" in ex.check_softmax_backward(transposed).message

    def unweighted(s, ds):
        return s * (ds - ds.sum(axis=1, keepdims=True))

    assert "is not J^T ds" in ex.check_softmax_backward(unweighted).message


def test_softmax_backward_collapses_to_p_minus_y():
    """What the correct message claims: with ds = -y / s the step gives s - y."""
    s = bp.softmax(np.array([[0.3, -1.0, 2.0]]))
    y = np.array([[0.0, 1.0, 0.0]])
    np.testing.assert_allclose(solution(s, -y / s), s - y)
