import numpy as np
import pytest

from course_lib import mlp


def test_hand_network_computes_xor_exactly():
    h = mlp.hidden(mlp.XOR_X, mlp.HAND_XOR, "step")
    np.testing.assert_array_equal(h, [[0, 0], [1, 0], [1, 0], [1, 1]])  # OR, AND
    np.testing.assert_array_equal(mlp.forward(mlp.XOR_X, mlp.HAND_XOR, "step"), mlp.XOR_T)
    np.testing.assert_array_equal(mlp.predict(mlp.XOR_X, mlp.HAND_XOR, "step"), mlp.XOR_T)


def test_layer_and_network():
    x = np.array([[1.0, 2.0]])
    w, b = np.array([[1.0, -1.0, 0.0], [0.5, 0.5, 1.0]]), np.array([0.0, 0.0, -3.0])
    np.testing.assert_allclose(mlp.layer(x, w, b, "identity"), [[2.0, 0.0, -1.0]])
    np.testing.assert_allclose(mlp.layer(x, w, b, "relu"), [[2.0, 0.0, 0.0]])
    out = mlp.network(x, [w, np.ones((3, 1))], [b, np.zeros(1)], ["relu", "sigmoid"])
    np.testing.assert_allclose(out, [[mlp.sigmoid(2.0)]])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((np.ones(2), np.ones((2, 3)), np.ones(3), "relu"), r"x must be \(n, d\)"),
        ((np.ones((1, 2)), np.ones((3, 3)), np.ones(3), "relu"), r"w must be \(2, h\)"),
        ((np.ones((1, 2)), np.ones((2, 3)), np.ones(2), "relu"), r"b must have shape \(3,\)"),
        ((np.ones((1, 2)), np.ones((2, 3)), np.ones(3), "swish"), "activation is 'swish'"),
    ],
)
def test_layer_errors(args, message):
    with pytest.raises(ValueError, match=message):
        mlp.layer(*args)


def test_network_and_params_errors():
    with pytest.raises(ValueError, match="one entry per layer, got 1, 1 and 2"):
        mlp.network(np.ones((1, 2)), [np.ones((2, 2))], [np.ones(2)], ["relu", "relu"])
    with pytest.raises(ValueError, match=r"params lacks \['b2'\]"):
        mlp.forward(mlp.XOR_X, {k: v for k, v in mlp.HAND_XOR.items() if k != "b2"})
    bad = mlp.HAND_XOR | {"w2": np.ones(3)}
    with pytest.raises(ValueError, match=r"params\['w2'\] must end in shape \(2,\)"):
        mlp.forward(mlp.XOR_X, bad)
    with pytest.raises(ValueError, match="hidden_units must be at least 1"):
        mlp.init_params(0, seed=0)


def test_init_params_is_seeded():
    a, b, c = mlp.init_params(3, 1), mlp.init_params(3, 1), mlp.init_params(3, 2)
    assert {k: v.shape for k, v in a.items()} == {"w1": (2, 3), "b1": (3,), "w2": (3,), "b2": ()}
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["w1"], c["w1"])


def test_bce_loss():
    assert mlp.bce_loss(np.array([0.5, 0.5]), np.array([0, 1])) == pytest.approx(np.log(2))
    np.testing.assert_allclose(
        mlp.bce_loss(np.array([[1.0, 0.0]]), np.array([1, 0])), [0.0], atol=1e-9
    )


def test_gradients_match_central_differences():
    params = mlp.init_params(3, seed=4)
    stacked = {k: v[None] for k, v in params.items()}
    grads, loss = mlp.gradients(mlp.XOR_X, mlp.XOR_T, stacked)
    assert loss.shape == (1,)
    eps = 1e-6
    for key, value in params.items():
        numeric = np.zeros_like(value, dtype=float)
        for idx in np.ndindex(value.shape):
            plus, minus = value.copy(), value.copy()
            plus[idx] += eps
            minus[idx] -= eps
            f = [
                mlp.bce_loss(mlp.forward(mlp.XOR_X, params | {key: v}), mlp.XOR_T)
                for v in (plus, minus)
            ]
            numeric[idx] = (f[0] - f[1]) / (2 * eps)
        np.testing.assert_allclose(grads[key][0], numeric, rtol=1e-6, atol=1e-10, err_msg=key)


def test_train_xor_many_seeds_at_once():
    runs = mlp.train_xor(4, seeds=[0, 1, 2], epochs=300)
    assert runs.losses.shape == (3, 301)
    assert np.all(runs.losses[:, -1] < runs.losses[:, 0])
    # the vectorised runs are the same as one run per seed
    single = mlp.train_xor(4, seeds=[1], epochs=300)
    np.testing.assert_allclose(single.final["w1"][0], runs.final["w1"][1], rtol=1e-12)
    np.testing.assert_array_equal(runs.params(1, "start")["w1"], mlp.init_params(4, 1)["w1"])
    assert runs.accuracy.shape == (3,) and runs.solved.dtype == bool


def test_train_xor_solves_xor_and_small_nets_get_stuck():
    runs4 = mlp.train_xor(4, seeds=range(5))
    assert runs4.solved.all()
    np.testing.assert_array_equal(mlp.predict(mlp.XOR_X, runs4.params(0)), mlp.XOR_T)
    runs2 = mlp.train_xor(2, seeds=range(20))
    assert 0 < runs2.solved.sum() < 20
    stuck = runs2.losses[~runs2.solved, -1]
    np.testing.assert_allclose(stuck, np.log(2) / 2, atol=0.01)  # two points left at p = 1/2


def test_train_xor_errors():
    with pytest.raises(ValueError, match="epochs must be >= 1 and lr > 0"):
        mlp.train_xor(2, [0], epochs=0)
    with pytest.raises(ValueError, match="seeds is empty"):
        mlp.train_xor(2, [])
