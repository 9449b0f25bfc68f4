"""Tests of course_lib.backprop: seed 001's 3-3-3 network done exactly, and seed 004's PROP."""

import itertools
import subprocess
import sys

import numpy as np
import pytest

from course_lib import backprop as bp
from course_lib import seed001 as s1
from course_lib.mlp import relu, relu_grad, sigmoid_grad, tanh_grad
from course_lib.tensors import numerical_gradient, sigmoid

# name -> (g, g') for PROP; "identity" also serves as the logits layer under softmax's loss
ACTIVATIONS = {
    "identity": (lambda h: h, np.ones_like),
    "relu": (relu, relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (np.tanh, tanh_grad),
}


def _torch():
    """Import torch lazily (course_lib.backprop itself never imports it) on one thread."""
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


def _network(sizes, seed):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 0.7, (a, b)) for a, b in itertools.pairwise(sizes)]
    biases = [rng.normal(0, 0.3, b) for b in sizes[1:]]
    return rng, weights, biases


def _loss(h, y, loss):
    """Seed 004's L = mean over the batch of l(h_i, y_i), and dL/dH_k (the 1/N included)."""
    n = len(h)
    if loss == "cross_entropy":  # softmax folded into the loss: h are the logits
        p = bp.softmax(h)
        return -np.sum(y * np.log(p)) / n, (p - y) / n
    return 0.5 * np.sum((h - y) ** 2) / n, (h - y) / n


def _prop(x, y, weights, biases, names, loss):
    g, g_prime = zip(*(ACTIVATIONS[n] for n in names), strict=True)
    zs, hs = bp.prop_forward(x, weights, biases, g)
    value, dh = _loss(hs[-1], y, loss)
    dws, dbs = bp.prop_backward(dh, weights, zs, hs, g_prime)
    return value, dws, dbs


def _targets(rng, batch, n_out, loss):
    if loss == "cross_entropy":
        return np.eye(n_out)[rng.integers(0, n_out, batch)]
    return rng.normal(0, 1, (batch, n_out))


def test_module_does_not_import_torch():
    code = "import sys, course_lib.backprop; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------------------------
# softmax
# ---------------------------------------------------------------------------------------------


def test_softmax_is_stable_and_normalised():
    s = bp.softmax(np.array([[1000.0, 1001.0, 1002.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(s.sum(axis=1), [1.0, 1.0])
    np.testing.assert_allclose(s[1], [1 / 3] * 3)
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(bp.softmax(np.array([0.0, np.log(3.0)])), [0.25, 0.75])


def test_softmax_matches_torch():
    torch = _torch()
    h = np.random.default_rng(0).normal(size=(4, 5))
    np.testing.assert_allclose(bp.softmax(h), torch.softmax(torch.tensor(h), dim=-1).numpy())


# ---------------------------------------------------------------------------------------------
# the 3-3-3 network
# ---------------------------------------------------------------------------------------------


def test_forward_333_known_values():
    x, y, weights, biases, _ = s1.problem()
    f = bp.forward_333(x, y, weights, biases)
    np.testing.assert_allclose(f["h1_in"], [1.35, 1.27, 1.8])
    np.testing.assert_allclose(f["h2_in"], [2.731, 2.76, 4.004])
    np.testing.assert_allclose(f["o_out"], [0.19844689, 0.28535553, 0.51619758], atol=1e-8)
    assert float(f["loss"]) == pytest.approx(1.61723375, abs=1e-8)


def test_backward_333_matches_torch_autograd():
    torch = _torch()
    x, y, weights, biases, _ = s1.problem()
    g = bp.backward_333(x, y, weights, bp.forward_333(x, y, weights, biases))
    params = [torch.tensor(a, requires_grad=True) for a in (*weights, *biases)]
    w1, w2, w3, b1, b2, b3 = params
    h2 = torch.sigmoid(torch.relu(torch.tensor(x) @ w1 + b1) @ w2 + b2)
    loss = -(torch.tensor(y) * torch.log_softmax(h2 @ w3 + b3, dim=0)).sum()
    loss.backward()
    ours = [g["dW_ij"], g["dW_jk"], g["dW_kl"], g["delta_h1"], g["delta_h2"], g["delta_out"]]
    for mine, p in zip(ours, params, strict=True):
        torch.testing.assert_close(torch.tensor(mine), p.grad)


def test_backward_333_matches_central_differences_for_every_parameter():
    x, y, weights, biases, _ = s1.problem()
    g = bp.backward_333(x, y, weights, bp.forward_333(x, y, weights, biases))
    params = [*weights, *biases]
    ours = [g["dW_ij"], g["dW_jk"], g["dW_kl"], g["delta_h1"], g["delta_h2"], g["delta_out"]]
    for i, mine in enumerate(ours):

        def loss(value, i=i):
            trial = list(params)
            trial[i] = value
            return bp.forward_333(x, y, trial[:3], trial[3:])["loss"]

        np.testing.assert_allclose(mine, numerical_gradient(loss, params[i]), rtol=1e-6, atol=1e-10)


def test_backward_333_sums_over_paths():
    x, y, (w_ij, w_jk, w_kl), biases, _ = s1.problem()
    f = bp.forward_333(x, y, (w_ij, w_jk, w_kl), biases)
    g = bp.backward_333(x, y, (w_ij, w_jk, w_kl), f)
    p = f["o_out"]
    jacobian = np.diag(p) - np.outer(p, p)  # J[a, b] = dp_a / do_b
    np.testing.assert_allclose(g["delta_out"], jacobian.T @ (-y / p), atol=1e-14)
    # one weight, path by path: 9 paths from W_ij[2, 0] to the loss
    paths = [
        x[2] * w_jk[0, k] * sigmoid_grad(f["h2_in"][k]) * w_kl[k, m] * g["delta_out"][m]
        for k in range(3)
        for m in range(3)
    ]
    assert sum(paths) == pytest.approx(g["dW_ij"][2, 0], abs=1e-16)
    assert min(paths) < 0 < max(paths)


def test_backward_333_on_a_dead_relu_unit():
    x, y, (w_ij, w_jk, w_kl), biases, _ = s1.problem()
    w_ij = w_ij.copy()
    w_ij[:, 1] = -5.0  # unit 2 of h1 never fires
    f = bp.forward_333(x, y, (w_ij, w_jk, w_kl), biases)
    g = bp.backward_333(x, y, (w_ij, w_jk, w_kl), f)
    assert g["delta_h1"][1] == 0 and np.all(g["dW_ij"][:, 1] == 0)
    assert np.all(g["dW_jk"][1] == 0)  # its output is 0, so its outgoing weights get nothing


# ---------------------------------------------------------------------------------------------
# PROP (seed 004)
# ---------------------------------------------------------------------------------------------


def test_prop_gives_the_333_gradients():
    x, y, weights, biases, _ = s1.problem()
    f = bp.forward_333(x, y, weights, biases)
    g = bp.backward_333(x, y, weights, f)
    loss, dws, dbs = _prop(x[None], y[None], weights, biases, ["relu", "sigmoid", "identity"],
                           "cross_entropy")  # fmt: skip
    assert loss == pytest.approx(float(f["loss"]), abs=1e-14)
    for got, key in zip(dws, ["dW_ij", "dW_jk", "dW_kl"], strict=True):
        np.testing.assert_allclose(got, g[key], atol=1e-15)
    for got, key in zip(dbs, ["delta_h1", "delta_h2", "delta_out"], strict=True):
        np.testing.assert_allclose(got, g[key], atol=1e-15)


def test_prop_over_a_batch_is_the_mean_of_single_examples():
    _, _, weights, biases, _ = s1.problem()
    rng = np.random.default_rng(4)
    xs, ys = rng.uniform(0, 1, (5, 3)), np.eye(3)[[0, 1, 2, 2, 1]]
    _, dws, _ = _prop(xs, ys, weights, biases, ["relu", "sigmoid", "identity"], "cross_entropy")
    singles = [
        bp.backward_333(xi, yi, weights, bp.forward_333(xi, yi, weights, biases))
        for xi, yi in zip(xs, ys, strict=True)
    ]
    for got, key in zip(dws, ["dW_ij", "dW_jk", "dW_kl"], strict=True):
        np.testing.assert_allclose(got, np.mean([s[key] for s in singles], axis=0), atol=1e-15)


def test_prop_forward_shapes():
    rng, weights, biases = _network([4, 5, 2], seed=0)
    zs, hs = bp.prop_forward(rng.normal(size=(6, 4)), weights, biases, [np.tanh, bp.softmax])
    assert [z.shape for z in zs] == [(6, 5), (6, 2)]  # pre-activations Z_1, Z_2
    assert [h.shape for h in hs] == [(6, 4), (6, 5), (6, 2)]  # activations H_0 = x, H_1, H_2
    np.testing.assert_allclose(hs[-1].sum(axis=1), 1.0)


def test_prop_backward_returns_a_gradient_per_parameter():
    rng, weights, biases = _network([3, 4, 2], seed=1)
    zs, hs = bp.prop_forward(rng.normal(size=(5, 3)), weights, biases, [np.tanh, sigmoid])
    dws, dbs = bp.prop_backward(np.ones((5, 2)), weights, zs, hs, [tanh_grad, sigmoid_grad])
    assert [d.shape for d in dws] == [w.shape for w in weights]
    assert [d.shape for d in dbs] == [b.shape for b in biases]


PROP_CASES = [
    # sizes, activations, loss
    ([4, 5, 3], ["relu", "identity"], "cross_entropy"),
    ([3, 6, 6, 2], ["sigmoid", "tanh", "identity"], "cross_entropy"),
    ([2, 3, 4, 3, 2], ["tanh", "relu", "sigmoid", "identity"], "cross_entropy"),
    ([4, 5, 3], ["sigmoid", "identity"], "l2"),
    ([3, 6, 6, 2], ["relu", "tanh", "sigmoid"], "l2"),
    ([2, 3, 4, 3, 2], ["identity", "sigmoid", "relu", "tanh"], "l2"),
]


@pytest.mark.parametrize(("sizes", "activations", "loss"), PROP_CASES)
def test_prop_matches_central_differences(sizes, activations, loss):
    rng, weights, biases = _network(sizes, seed=len(sizes) + len(loss))
    x = rng.normal(size=(5, sizes[0]))
    y = _targets(rng, 5, sizes[-1], loss)
    _, dws, dbs = _prop(x, y, weights, biases, activations, loss)
    params, k = [*weights, *biases], len(weights)
    for i, analytic in enumerate([*dws, *dbs]):

        def f(value, i=i):
            trial = list(params)
            trial[i] = value
            return _prop(x, y, trial[:k], trial[k:], activations, loss)[0]

        numeric = numerical_gradient(f, params[i])
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8, err_msg=str(i))


@pytest.mark.parametrize(("sizes", "activations", "loss"), PROP_CASES)
def test_prop_matches_torch_autograd(sizes, activations, loss):
    torch = _torch()
    rng, weights, biases = _network(sizes, seed=7)
    x = rng.normal(size=(8, sizes[0]))
    y = _targets(rng, 8, sizes[-1], loss)
    value, dws, dbs = _prop(x, y, weights, biases, activations, loss)

    ws = [torch.tensor(w, requires_grad=True) for w in weights]
    bs = [torch.tensor(b, requires_grad=True) for b in biases]
    fns = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}
    fns["identity"] = lambda h: h
    z = torch.tensor(x)
    for w, b, name in zip(ws, bs, activations, strict=True):
        z = fns[name](z @ w + b)
    yt = torch.tensor(y)
    if loss == "cross_entropy":
        total = torch.nn.functional.cross_entropy(z, yt.argmax(dim=1))
    else:
        total = 0.5 * ((yt - z) ** 2).sum() / len(x)
    total.backward()
    assert value == pytest.approx(total.item(), abs=1e-12)
    for got, p in zip([*dws, *dbs], [*ws, *bs], strict=True):
        torch.testing.assert_close(torch.tensor(got), p.grad)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"x": np.ones((2, 4))}, r"weights\[0\] has shape \(3, 4\) but expected \(4, n_out\)"),
        ({"weights": "w1_rows"}, r"weights\[1\] has shape \(3, 2\) but expected \(4, n_out\)"),
        ({"biases": "b0_len"}, r"biases\[0\] has shape \(3,\) but expected \(4,\)"),
        ({"biases": "b_count"}, "got 2 weights, 1 biases and 2 activations"),
        ({"g": "one"}, "got 2 weights, 2 biases and 1 activations"),
        ({"x": np.ones(3)}, r"x must be a batch \(N, n_0\), got shape \(3,\)"),
        ({"x": np.ones((2, 3, 1))}, r"x must be a batch \(N, n_0\), got shape \(2, 3, 1\)"),
    ],
)
def test_check_layers_names_the_argument(change, message):
    rng, weights, biases = _network([3, 4, 2], seed=5)
    args = {"x": rng.normal(size=(2, 3)), "weights": weights, "biases": biases, "g": [relu, relu]}
    special = {
        "w1_rows": [weights[0], weights[1][:3]],
        "b0_len": [biases[0][:3], biases[1]],
        "b_count": biases[:1],
        "one": [relu],
    }
    for key, value in change.items():
        args[key] = special[value] if isinstance(value, str) else value
    with pytest.raises(ValueError, match=message):
        bp.check_layers(**args)
    with pytest.raises(ValueError, match=message):
        bp.prop_forward(**args)


def test_check_layers_accepts_a_network_that_fits():
    _, weights, biases = _network([3, 4, 2], seed=5)
    assert bp.check_layers(np.ones((7, 3)), weights, biases, [relu, relu]) is None
