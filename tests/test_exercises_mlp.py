import numpy as np

from course_lib import mlp
from course_lib.exercises import mlp as ex
from course_lib.tensors import numerical_gradient, sigmoid


def test_hidden_view():
    h = np.array([[0, 1], [1, 1], [1, 1], [1, 0]])  # OR and NAND of the four inputs
    assert ex.check_hidden_view(h).status == "correct"
    assert ex.check_hidden_view(...).status == "unsolved"
    assert "columns are swapped" in ex.check_hidden_view(h[:, ::-1]).message
    hand = np.array([[0, 0], [1, 0], [1, 0], [1, 1]])
    assert "hidden layer of section 2" in ex.check_hidden_view(hand).message
    sums = np.array([[-0.5, 1.5], [0.5, 0.5], [0.5, 0.5], [1.5, -0.5]])
    assert "apply the step" in ex.check_hidden_view(sums).message
    one_off = h.copy()
    one_off[3] = [1, 1]
    slip = ex.check_hidden_view(one_off)
    assert "for input (1, 1)" in slip.message and "[1, 0]" not in slip.message
    assert "(4, 2)" in ex.check_hidden_view(np.zeros(4)).message


def test_or_nand_output():
    assert ex.check_or_nand_output(np.array([1.0, 1.0]), -1.5).status == "correct"
    assert ex.check_or_nand_output(..., -1.5).status == "unsolved"
    as_or = ex.check_or_nand_output(np.array([1.0, 1.0]), -0.5)
    assert as_or.status == "wrong" and "an AND" in as_or.message
    hand_weights = ex.check_or_nand_output(np.array([1.0, -1.0]), -0.5)
    assert hand_weights.status == "wrong" and "XOR wants" in hand_weights.message
    assert "shape (2,)" in ex.check_or_nand_output(np.ones(3), 0.0).message


def test_reference_tanh_backward_matches_central_differences():
    rng = np.random.default_rng(0)
    params = mlp.init_params(3, seed=7)
    x, t = rng.normal(size=(5, 2)), np.array([0, 1, 1, 0, 1])

    def loss(key, v):
        h = np.tanh(x @ (params | {key: v})["w1"] + (params | {key: v})["b1"])
        p = sigmoid(h @ (params | {key: v})["w2"] + (params | {key: v})["b2"])
        return mlp.bce_loss(p, t)

    h = np.tanh(x @ params["w1"] + params["b1"])
    p = sigmoid(h @ params["w2"] + params["b2"])
    grads = ex.reference_tanh_backward(x, t, params, h, p)
    for key, value in params.items():
        numeric = numerical_gradient(lambda v, key=key: loss(key, v), value)
        np.testing.assert_allclose(grads[key], numeric, rtol=1e-6, atol=1e-10, err_msg=key)


def test_tanh_backward():
    assert ex.check_tanh_backward(ex.reference_tanh_backward).status == "correct"

    def stub(x, t, params, h, p):
        raise NotImplementedError

    assert ex.check_tanh_backward(stub).status == "unsolved"
    assert "sigmoid's slope" in ex.check_tanh_backward(mlp.backward).message

    def no_slope(x, t, params, h, p):
        dz2 = (p - t) / len(t)
        dz1 = np.outer(dz2, params["w2"])
        return {"w1": x.T @ dz1, "b1": dz1.sum(axis=0), "w2": h.T @ dz2, "b2": dz2.sum()}

    assert "dL/dz1 = dL/dh * (1 - h**2)" in ex.check_tanh_backward(no_slope).message

    def wrong_output(x, t, params, h, p):
        return ex.reference_tanh_backward(x, t, params, h, p) | {"b2": 0.0}

    assert "output layer has not changed" in ex.check_tanh_backward(wrong_output).message

    def missing_key(x, t, params, h, p):
        grads = ex.reference_tanh_backward(x, t, params, h, p)
        return {k: v for k, v in grads.items() if k != "b1"}

    assert "return a dict with the keys" in ex.check_tanh_backward(missing_key).message

    def column(x, t, params, h, p):
        return ex.reference_tanh_backward(x, t, params, h, p) | {"b1": np.zeros((1, 2))}

    assert "must have the shape of b1" in ex.check_tanh_backward(column).message
