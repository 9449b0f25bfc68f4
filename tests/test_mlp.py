import numpy as np
import pytest
import torch

from course_lib import data, mlp, mlp_experiments
from course_lib.perceptron import step
from course_lib.tensors import numerical_gradient, sigmoid

X, T = mlp.XOR_X, mlp.XOR_T


def test_hand_network_computes_xor_exactly():
    h = mlp.layer(X, mlp.HAND_XOR["w1"], mlp.HAND_XOR["b1"], step)
    np.testing.assert_array_equal(h, [[0, 0], [1, 0], [1, 0], [1, 1]])  # OR, AND
    weights, biases = (
        [mlp.HAND_XOR["w1"], mlp.HAND_XOR["w2"]],
        [mlp.HAND_XOR["b1"], mlp.HAND_XOR["b2"]],
    )
    out = mlp.network(X, weights, biases, [step, step])
    np.testing.assert_array_equal(out, T)


def test_layer_and_network():
    x = np.array([[1.0, 2.0]])
    w, b = np.array([[1.0, -1.0, 0.0], [0.5, 0.5, 1.0]]), np.array([0.0, 0.0, -3.0])
    np.testing.assert_allclose(mlp.layer(x, w, b, lambda z: z), [[2.0, 0.0, -1.0]])
    np.testing.assert_allclose(mlp.layer(x, w, b, mlp.relu), [[2.0, 0.0, 0.0]])
    out = mlp.network(x, [w, np.ones((3, 1))], [b, np.zeros(1)], [mlp.relu, sigmoid])
    np.testing.assert_allclose(out, [[sigmoid(2.0)]])
    assert mlp.layer(x, np.array([1.0, 1.0]), 0.5, np.tanh).shape == (1,)  # a single unit


def test_network_needs_one_activation_per_layer():
    with pytest.raises(ValueError, match="zip"):
        mlp.network(np.ones((1, 2)), [np.ones((2, 2))], [np.ones(2)], [mlp.relu, mlp.relu])


def test_network_matches_torch():
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(4, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2), torch.nn.Sigmoid()
    ).double()
    weights = [net[i].weight.detach().numpy().T for i in (0, 2)]
    biases = [net[i].bias.detach().numpy() for i in (0, 2)]
    x = np.random.default_rng(0).normal(size=(7, 4))
    with torch.no_grad():
        expected = net(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(mlp.network(x, weights, biases, [np.tanh, sigmoid]), expected)


def test_init_params_is_seeded():
    a, b, c = mlp.init_params(3, 1), mlp.init_params(3, 1), mlp.init_params(3, 2)
    assert {k: v.shape for k, v in a.items()} == {"w1": (2, 3), "b1": (3,), "w2": (3,), "b2": ()}
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["w1"], c["w1"])
    assert mlp.init_params(5, 0, inputs=4)["w1"].shape == (4, 5)


def test_forward_predict_and_bce_loss():
    params = mlp.init_params(3, seed=1)
    h, p = mlp.forward(X, params)
    assert h.shape == (4, 3) and p.shape == (4,) and np.all((p > 0) & (p < 1))
    np.testing.assert_array_equal(mlp.predict(X, params), (p > 0.5).astype(int))
    assert mlp.bce_loss(np.array([0.5, 0.5]), np.array([0, 1])) == pytest.approx(np.log(2))
    assert mlp.bce_loss(np.array([1.0, 0.0]), np.array([1, 0])) == pytest.approx(0.0, abs=1e-9)
    assert np.isfinite(mlp.bce_loss(np.array([1.0, 0.0]), np.array([0, 1])))  # clipped, no inf


@pytest.mark.parametrize("hidden", [2, 3])
def test_backward_matches_central_differences_and_autograd(hidden):
    params = mlp.init_params(hidden, seed=4)
    h, p = mlp.forward(X, params)
    grads = mlp.backward(X, T, params, h, p)
    for key, value in params.items():

        def loss(v, key=key):
            return mlp.bce_loss(mlp.forward(X, params | {key: v})[1], T)

        np.testing.assert_allclose(
            grads[key], numerical_gradient(loss, value), rtol=1e-6, atol=1e-10, err_msg=key
        )
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    p_t = torch.sigmoid(torch.sigmoid(torch.tensor(X) @ tp["w1"] + tp["b1"]) @ tp["w2"] + tp["b2"])
    torch.nn.functional.binary_cross_entropy(p_t, torch.tensor(T, dtype=torch.float64)).backward()
    for key in params:
        np.testing.assert_allclose(grads[key], tp[key].grad.numpy(), rtol=1e-10)


def test_train_lowers_the_loss_and_leaves_the_start_alone():
    start = mlp.init_params(4, seed=1)
    before = {k: v.copy() for k, v in start.items()}
    final, losses = mlp.train(X, T, start, epochs=300)
    assert losses.shape == (301,) and losses[-1] < losses[0]
    assert all(np.array_equal(start[k], before[k]) for k in start)
    assert losses[-1] == pytest.approx(mlp.bce_loss(mlp.forward(X, final)[1], T))


def test_the_lessons_sweep_solves_12_19_and_20_of_20_and_stuck_runs_sit_on_the_plateau():
    plateau = np.log(2) / 2
    for hidden, expected in ((2, 12), (3, 19), (4, 20)):
        runs = [mlp.train(X, T, mlp.init_params(hidden, seed)) for seed in range(20)]
        solved = [np.array_equal(mlp.predict(X, p), T) for p, _ in runs]
        assert sum(solved) == expected
        stuck = np.array(
            [losses[-1] for (_, losses), ok in zip(runs, solved, strict=True) if not ok]
        )
        assert np.all((stuck > plateau) & (stuck < plateau + 0.005))
    first_stuck, _ = mlp.train(X, T, mlp.init_params(2, 6))
    assert not np.array_equal(mlp.predict(X, first_stuck), T)


@pytest.mark.parametrize(
    ("g", "g_grad", "torch_g"),
    [(sigmoid, mlp.sigmoid_grad, torch.sigmoid), (np.tanh, mlp.tanh_grad, torch.tanh),
     (mlp.relu, mlp.relu_grad, torch.relu)],
)  # fmt: skip
def test_activation_derivatives_match_autograd(g, g_grad, torch_g):
    z = np.linspace(-4, 4, 81)  # includes 0
    z_t = torch.tensor(z, requires_grad=True)
    torch_g(z_t).sum().backward()
    np.testing.assert_allclose(g(z), torch_g(torch.from_numpy(z)).numpy(), atol=1e-15)
    np.testing.assert_allclose(g_grad(z), z_t.grad.numpy(), atol=1e-12)


def test_activation_values_and_bounds():
    np.testing.assert_array_equal(mlp.relu(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(mlp.relu_grad(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 1.0])
    z = np.linspace(-10, 10, 1001)
    assert mlp.sigmoid_grad(z).max() == pytest.approx(0.25) and mlp.tanh_grad(z).max() == 1.0


def test_deep_net_layers_init_and_gradient_norms():
    net = mlp_experiments.DeepNet("relu", 6, 3, depth=4, width=8, seed=0)
    linears = net.linears()
    assert [tuple(m.weight.shape) for m in linears] == [(8, 6), (8, 8), (8, 8), (8, 8), (3, 8)]
    assert all(m.weight.dtype == torch.float64 and not m.bias.any() for m in linears)
    assert isinstance(net[1], torch.nn.ReLU)
    with pytest.raises(ValueError, match="activation is 'swish'; expected one of"):
        mlp_experiments.DeepNet("swish", 6, 3, depth=2, width=8, seed=0)
    x = np.random.default_rng(0).normal(size=(50, 6))
    labels = np.arange(50) % 3
    norms = mlp_experiments.layer_gradient_norms("tanh", x, labels, depth=4, width=8, seed=1)
    assert norms.shape == (5,) and np.all(norms > 0)
    again = mlp_experiments.layer_gradient_norms("tanh", x, labels, depth=4, width=8, seed=1)
    np.testing.assert_array_equal(norms, again)


def test_sigmoid_gradients_vanish_with_depth_and_relu_ones_do_not():
    """Lesson 02's measurement: ten sigmoid layers shrink the gradient about 1e5 times."""
    digits = data.load_digits()
    x = digits.images.reshape(len(digits.images), -1).astype(np.float64)
    x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-8)
    ratio = {}
    for g in ("sigmoid", "relu"):
        norms = mlp_experiments.layer_gradient_norms(g, x, digits.labels, seed=0)
        ratio[g] = norms[0] / norms[9]
    assert ratio["sigmoid"] < 1e-4 and ratio["relu"] > 0.3
