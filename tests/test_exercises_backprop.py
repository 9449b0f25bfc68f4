import numpy as np

from course_lib import backprop as bp
from course_lib.exercises import backprop as ex

R = bp.exact_pass(*bp.seed_001_problem())
X, Y, (W_IJ, W_JK, W_KL), _, _ = bp.seed_001_problem()


def test_delta_out():
    p = R["o_out"]
    assert ex.check_delta_out(p - Y).status == "correct"
    assert ex.check_delta_out(...).status == "unsolved"
    assert "sign is flipped" in ex.check_delta_out(Y - p).message
    assert "softmax *output*" in ex.check_delta_out(-Y / p).message
    diagonal = ex.check_delta_out(-Y / p * p * (1 - p))
    assert diagonal.status == "wrong" and "only the diagonal" in diagonal.message
    assert "shape (3,)" in ex.check_delta_out(np.ones(2)).message


def test_de_dh1():
    assert ex.check_de_dh1(W_JK @ R["delta_h2"]).status == "correct"
    assert ex.check_de_dh1(...).status == "unsolved"
    one_path = ex.check_de_dh1(np.diag(W_JK) * R["delta_h2"])
    assert one_path.status == "wrong" and "one path per unit" in one_path.message
    assert "transposed" in ex.check_de_dh1(W_JK.T @ R["delta_h2"]).message
    assert "skipped the sigmoid" in ex.check_de_dh1(W_JK @ R["dE_dh2_out"]).message
    off = W_JK @ R["delta_h2"] + np.array([0.0, 0.01, 0.0])
    other = ex.check_de_dh1(off)
    assert other.status == "wrong" and "de_dh1[1] is" in other.message
    assert f"{(W_JK @ R['delta_h2'])[1]:.6g}" not in other.message  # does not give the answer away


def solution(z_prev, w, h, dz):
    dh = bp.sigmoid_grad(h) * dz
    return z_prev.T @ dh, dh.sum(axis=0), dh @ w.T


def test_dense_backward():
    assert ex.check_dense_backward(solution).status == "correct"

    def stub(z_prev, w, h, dz):
        raise NotImplementedError

    assert ex.check_dense_backward(stub).status == "unsolved"

    def no_sigmoid(z_prev, w, h, dz):
        return z_prev.T @ dz, dz.sum(axis=0), dz @ w.T

    assert "ignores the sigmoid" in ex.check_dense_backward(no_sigmoid).message

    def db_not_summed(z_prev, w, h, dz):
        dw, _, dz_prev = solution(z_prev, w, h, dz)
        return dw, (bp.sigmoid_grad(h) * dz).mean(axis=0), dz_prev

    assert "add dh up over the batch" in ex.check_dense_backward(db_not_summed).message

    def dz_prev_without_sigmoid(z_prev, w, h, dz):
        dw, db, _ = solution(z_prev, w, h, dz)
        return dw, db, dz @ w.T

    assert "dz_prev is wrong" in ex.check_dense_backward(dz_prev_without_sigmoid).message

    def wrong_shape(z_prev, w, h, dz):
        dw, db, dz_prev = solution(z_prev, w, h, dz)
        return dw.T, db, dz_prev

    assert "dw should have shape" in ex.check_dense_backward(wrong_shape).message

    def two_things(z_prev, w, h, dz):
        return solution(z_prev, w, h, dz)[:2]

    assert "return three arrays" in ex.check_dense_backward(two_things).message
