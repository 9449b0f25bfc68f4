import numpy as np
import pytest
import torch

from course_lib import perceptron as P

X = P.BINARY_INPUTS


def test_step_and_predict():
    assert P.step(np.array([-1.0, 0.0, 2.0])).tolist() == [0, 0, 1]
    assert P.predict(X, np.array([1.0, 1.0]), -1.5).tolist() == [0, 0, 0, 1]


def test_predict_rejects_mismatched_weights():
    with pytest.raises(ValueError, match=r"w \(3,\)"):
        P.predict(X, np.zeros(3), 0.0)


def test_update_moves_only_on_mistakes():
    w, b = P.update(np.zeros(2), 0.0, np.array([1.0, 1.0]), 1)
    assert w.tolist() == [1.0, 1.0] and b == 1.0
    w2, b2 = P.update(w, b, np.array([1.0, 1.0]), 1)
    assert np.array_equal(w2, w) and b2 == b
    with pytest.raises(ValueError, match="x must have the shape of w"):
        P.update(np.zeros(2), 0.0, np.zeros(3), 1)


@pytest.mark.parametrize("gate", ["AND", "OR", "NAND"])
def test_train_converges_on_separable_gates_within_the_bound(gate):
    run = P.train(X, P.GATES[gate])
    assert run.converged
    assert np.array_equal(P.predict(X, run.weights[-1][:2], run.weights[-1][2]), P.GATES[gate])
    _, _, bound = P.mistake_bound(X, P.GATES[gate])
    assert run.updates <= bound


def test_train_counts_epochs_and_updates():
    run = P.train(X, P.GATES["OR"])
    assert run.mistakes.tolist() == [1, 2, 1, 0]
    assert (run.epochs, run.updates) == (3, 4)
    assert run.weights.shape == (5, 3)


def test_xor_never_converges_and_cycles():
    run = P.train(X, P.GATES["XOR"], max_epochs=20)
    assert not run.converged and len(run.mistakes) == 20 and run.mistakes.min() > 0
    start, period = P.find_cycle(run)
    assert np.array_equal(run.weights[start], run.weights[start + period])


def test_find_cycle_none_when_weights_never_repeat():
    run = P.Run(np.arange(6.0).reshape(3, 2), np.array([1, 1]))
    assert P.find_cycle(run) is None


def test_train_rejects_bad_input():
    with pytest.raises(ValueError, match="t must have shape"):
        P.train(X, np.array([0, 1]))
    with pytest.raises(ValueError, match="only 0 and 1"):
        P.train(X, np.array([0, 1, 2, 1]))
    with pytest.raises(ValueError, match="NaN"):
        P.train(np.full((4, 2), np.nan), P.GATES["AND"])
    with pytest.raises(ValueError, match="x must be 2-D"):
        P.train(np.zeros(4), P.GATES["AND"])
    with pytest.raises(ValueError, match="lr must be positive"):
        P.train(X, P.GATES["AND"], lr=0)


def test_augment():
    assert P.augment(np.array([[2.0, 3.0]])).tolist() == [[2.0, 3.0, 1.0]]


def test_max_margin_known_values():
    direction, gamma = P.max_margin(X, P.GATES["AND"])
    np.testing.assert_allclose(direction, np.array([2, 2, -3]) / np.sqrt(17))
    assert gamma == pytest.approx(1 / np.sqrt(17))
    assert P.max_margin(X, P.GATES["XOR"]) is None
    with pytest.raises(ValueError, match="at most 12 points"):
        P.max_margin(np.zeros((13, 2)), np.zeros(13, dtype=int))


def test_max_margin_beats_any_random_separator():
    rng = np.random.default_rng(0)
    t = P.GATES["OR"]
    _, gamma = P.max_margin(X, t)
    s, z = 2 * t - 1, P.augment(X)
    for _ in range(2000):
        u = rng.normal(size=3)
        u /= np.linalg.norm(u)
        assert np.min(s * (z @ u)) <= gamma + 1e-12


def test_mistake_bound_values():
    radius, gamma, bound = P.mistake_bound(X, P.GATES["OR"])
    assert radius == pytest.approx(np.sqrt(3)) and gamma == pytest.approx(1 / 3)
    assert bound == pytest.approx(27)
    assert P.mistake_bound(X, P.GATES["XOR"]) is None


def test_sigmoid():
    np.testing.assert_allclose(P.sigmoid(np.array([0.0, np.log(3)])), [0.5, 0.75])


def test_one_hidden_layer_and_fit_agree_with_torch():
    torch.set_num_threads(1)
    x = np.linspace(-np.pi, np.pi, 101)
    net = P.fit_one_hidden_layer(x, np.sin(x), hidden=8, max_iter=200)
    params = P.numpy_params(net)
    with torch.no_grad():
        torch_out = net(torch.from_numpy(x)[:, None]).numpy()[:, 0]
    np.testing.assert_allclose(P.one_hidden_layer(x, params), torch_out, rtol=1e-12, atol=1e-12)
    assert np.abs(torch_out - np.sin(x)).max() < 0.05


def test_one_hidden_layer_and_fit_reject_bad_shapes():
    params = {"w": np.ones(2), "theta": np.ones(3), "alpha": np.ones(2), "c": 0.0}
    with pytest.raises(ValueError, match="must all be"):
        P.one_hidden_layer(np.zeros(4), params)
    with pytest.raises(ValueError, match="x must be 1-D"):
        P.one_hidden_layer(np.zeros((4, 1)), params)
    with pytest.raises(ValueError, match="equal length"):
        P.fit_one_hidden_layer(np.zeros(4), np.zeros(5), hidden=2)
    with pytest.raises(ValueError, match="hidden must be at least 1"):
        P.fit_one_hidden_layer(np.zeros(4), np.zeros(4), hidden=0)


def test_hidden_terms_are_the_columns_that_one_hidden_layer_sums():
    params = {"w": np.array([1.0, -2.0]), "theta": np.array([0.0, 1.0]),
              "alpha": np.array([2.0, 3.0]), "c": np.array(0.5)}  # fmt: skip
    x = np.array([-1.0, 0.0, 2.0])
    terms = P.hidden_terms(x, params)
    assert terms.shape == (3, 2)
    np.testing.assert_allclose(terms[1], [2.0 * 0.5, 3.0 * P.sigmoid(1.0)])
    np.testing.assert_allclose(terms.sum(axis=1) + 0.5, P.one_hidden_layer(x, params))
    with pytest.raises(ValueError, match="must all be"):
        P.hidden_terms(x, {**params, "alpha": np.ones(3)})
