import numpy as np
import pytest
import torch
from torch import nn

from course_lib import perceptron as P
from course_lib.perceptron_experiments import find_cycle, max_margin

X = P.BINARY_INPUTS


def test_step_and_predict():
    assert P.step(np.array([-1.0, 0.0, 2.0])).tolist() == [0, 0, 1]
    assert P.predict(X, np.array([1.0, 1.0]), -1.5).tolist() == [0, 0, 0, 1]


def test_predict_and_update_reject_mismatched_weights():
    with pytest.raises(
        ValueError, match=r"x must be \(n, d\) and w \(d,\): got x \(4, 2\), w \(3,\)"
    ):
        P.predict(X, np.zeros(3), 0.0)
    with pytest.raises(ValueError, match=r"got x \(1, 3\), w \(2,\)"):
        P.update(np.zeros(2), 0.0, np.zeros(3), 1)


def test_update_moves_only_on_mistakes():
    w, b = P.update(np.zeros(2), 0.0, np.array([1.0, 1.0]), 1)
    assert w.tolist() == [1.0, 1.0] and b == 1.0
    w2, b2 = P.update(w, b, np.array([1.0, 1.0]), 1)
    assert np.array_equal(w2, w) and b2 == b
    w3, b3 = P.update(w, b, np.array([1.0, 0.0]), 0, lr=0.5)  # output 1, target 0: move away
    assert w3.tolist() == [0.5, 1.0] and b3 == 0.5


@pytest.mark.parametrize("gate", ["AND", "OR", "NAND"])
def test_train_converges_on_separable_gates_within_the_bound(gate):
    run = P.train(X, P.GATES[gate])
    assert run.converged
    assert np.array_equal(P.predict(X, run.weights[-1][:2], run.weights[-1][2]), P.GATES[gate])
    _, gamma = max_margin(X, P.GATES[gate])
    _, bound = P.mistake_bound(X, gamma)
    assert run.updates <= bound


def test_train_counts_epochs_and_updates():
    run = P.train(X, P.GATES["OR"])
    assert run.mistakes.tolist() == [1, 2, 1, 0]
    assert (run.epochs, run.updates) == (3, 4)
    assert run.weights.shape == (5, 3)
    lesson = {g: P.train(X, P.GATES[g]) for g in ("AND", "OR", "NAND")}
    assert {g: (r.epochs, r.updates) for g, r in lesson.items()} == {
        "AND": (5, 10),
        "OR": (3, 4),
        "NAND": (5, 11),
    }


def test_the_rule_stops_at_a_zero_margin_separator():
    """Lesson 01: in every gate one input of target 0 lies exactly on the final line."""
    for gate in ("AND", "OR", "NAND"):
        v = P.train(X, P.GATES[gate]).weights[-1]
        z = X @ v[:2] + v[2]
        on_line = z == 0
        assert on_line.sum() == 1 and P.GATES[gate][on_line][0] == 0


def test_xor_never_converges_and_cycles():
    run = P.train(X, P.GATES["XOR"], max_epochs=20)
    assert not run.converged and len(run.mistakes) == 20 and run.mistakes.min() > 0
    start, period = find_cycle(run)
    assert (start, period) == (2, 1)
    assert np.array_equal(run.weights[start], run.weights[start + period])


def test_find_cycle_none_when_weights_never_repeat():
    run = P.Run(np.arange(6.0).reshape(3, 2), np.array([1, 1]))
    assert find_cycle(run) is None


def test_train_rejects_bad_input():
    with pytest.raises(ValueError, match="t must have shape"):
        P.train(X, np.array([0, 1]))
    with pytest.raises(ValueError, match="only 0 and 1"):
        P.train(X, np.array([0, 1, 2, 1]))
    with pytest.raises(ValueError, match="NaN"):
        P.train(np.full((4, 2), np.nan), P.GATES["AND"])
    with pytest.raises(ValueError, match="x must be 2-D"):
        P.train(np.zeros(4), P.GATES["AND"])


def test_augment():
    assert P.augment(np.array([[2.0, 3.0]])).tolist() == [[2.0, 3.0, 1.0]]


def test_max_margin_known_values():
    direction, gamma = max_margin(X, P.GATES["AND"])
    np.testing.assert_allclose(direction, np.array([2, 2, -3]) / np.sqrt(17))
    assert gamma == pytest.approx(1 / np.sqrt(17))
    assert max_margin(X, P.GATES["XOR"]) is None
    with pytest.raises(ValueError, match="at most 12 points"):
        max_margin(np.zeros((13, 2)), np.zeros(13, dtype=int))


def test_max_margin_beats_any_random_separator():
    rng = np.random.default_rng(0)
    t = P.GATES["OR"]
    _, gamma = max_margin(X, t)
    s, z = 2 * t - 1, P.augment(X)
    for _ in range(2000):
        u = rng.normal(size=3)
        u /= np.linalg.norm(u)
        assert np.min(s * (z @ u)) <= gamma + 1e-12


def test_mistake_bound_values():
    radius, bound = P.mistake_bound(X, 1 / 3)
    assert radius == pytest.approx(np.sqrt(3)) and bound == pytest.approx(27)
    np.testing.assert_allclose(P.mistake_bound(X, 1 / np.sqrt(17)), [np.sqrt(3), 51])


def test_sigmoid_is_lesson_00s():
    from course_lib import tensors

    assert P.sigmoid is tensors.sigmoid


def test_hidden_terms_are_the_columns_that_one_hidden_layer_sums():
    params = {"w": np.array([1.0, -2.0]), "theta": np.array([0.0, 1.0]),
              "alpha": np.array([2.0, 3.0]), "c": np.array(0.5)}  # fmt: skip
    x = np.array([-1.0, 0.0, 2.0])
    terms = P.hidden_terms(x, params)
    assert terms.shape == (3, 2)
    np.testing.assert_allclose(terms[1], [2.0 * 0.5, 3.0 * P.sigmoid(1.0)])
    np.testing.assert_allclose(terms.sum(axis=1) + 0.5, P.one_hidden_layer(x, params))


def test_fit_heights_places_steps_and_agrees_with_torch():
    x = np.linspace(-np.pi, np.pi, 201)
    fit = P.fit_heights(x, np.sin(x), 8)
    spacing = 2 * np.pi / 8
    np.testing.assert_allclose(-fit["theta"] / fit["w"], -np.pi + spacing * (np.arange(8) + 0.5))
    np.testing.assert_allclose(fit["w"], 2.0 / spacing)
    net = nn.Sequential(nn.Linear(1, 8), nn.Sigmoid(), nn.Linear(8, 1)).double()
    values = (fit["w"][:, None], fit["theta"], fit["alpha"][None], np.atleast_1d(fit["c"]))
    with torch.no_grad():
        for tensor, value in zip(net.parameters(), values, strict=True):
            tensor.copy_(torch.from_numpy(value))
        torch_out = net(torch.from_numpy(x)[:, None])[:, 0].numpy()
    np.testing.assert_allclose(P.one_hidden_layer(x, fit), torch_out, atol=1e-12)


def test_fit_heights_error_halves_with_twice_the_units_but_a_jump_stays():
    """Lesson 01's claims: about 2.3 times less error per doubling; a jump is never fitted."""
    x = np.linspace(-np.pi, np.pi, 201)
    errors = {
        h: np.abs(P.one_hidden_layer(x, P.fit_heights(x, np.sin(x), h)) - np.sin(x)).max()
        for h in (1, 2, 4, 8, 16, 32)
    }
    assert errors[1] > 0.9 and errors[2] > 0.9
    assert all(2.0 < errors[h] / errors[2 * h] < 2.6 for h in (4, 8, 16))
    jump = (x > 0.5).astype(float)
    assert np.abs(P.one_hidden_layer(x, P.fit_heights(x, jump, 32)) - jump).max() > 0.4
    # least squares: no other heights do better than the fitted ones
    fit = P.fit_heights(x, np.sin(x), 4)
    best = np.sum((P.one_hidden_layer(x, fit) - np.sin(x)) ** 2)
    nudged = fit | {"alpha": fit["alpha"] + 1e-3}
    assert np.sum((P.one_hidden_layer(x, nudged) - np.sin(x)) ** 2) > best
