"""Tests of course_lib.backprop: seed 001's worked example, its errata, and seed 004's PROP."""

import dataclasses
import itertools
import subprocess
import sys

import numpy as np
import pytest

from course_lib import backprop as bp

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _torch():
    """Import torch lazily (course_lib.backprop itself never imports it) on one thread."""
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


def _random_network(sizes, seed):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 0.7, (a, b)) for a, b in itertools.pairwise(sizes)]
    biases = [rng.normal(0, 0.3, b) for b in sizes[1:]]
    return rng, weights, biases


def _targets(rng, batch, n_out, loss):
    if loss == "cross_entropy":
        return np.eye(n_out)[rng.integers(0, n_out, batch)]
    return rng.normal(0, 1, (batch, n_out))


# ---------------------------------------------------------------------------------------------
# importing is cheap and torch-free
# ---------------------------------------------------------------------------------------------


def test_module_does_not_import_torch():
    code = "import sys, course_lib.backprop; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------------------------
# SEED_001: the transcription
# ---------------------------------------------------------------------------------------------


def test_seed_001_keeps_the_printed_digits():
    s = bp.SEED_001
    assert s.dO_out_dO_in.text == ("0.15911", "0.2040", "0.3685")
    assert s.dE_dh2_out.text == ("-0.8903", "-0.74218", "-1.0810")
    assert s.loss.text == "0.97" and s.loss.value == 0.97
    assert s.w_kl_new.text[1] == ("0.30055", "0.700577", "0.2005849")
    np.testing.assert_array_equal(s.dO_out_dO_in.decimals, [5, 4, 4])
    assert s.h2_in.value.shape == (3,) and s.dW_kl.value.shape == (3, 3)
    assert int(s.loss.decimals) == 2


def test_every_seed_001_entry_says_where_it_is_printed():
    for name in bp.SEED_001_NAMES:
        assert bp.SEED_001.get(name).where.startswith("slide "), name
    assert set(bp.SEED_001_INTERMEDIATES) | set(bp.SEED_001_GIVEN) == set(bp.SEED_001_NAMES)


def test_seed_001_get_rejects_unknown_name():
    with pytest.raises(ValueError, match="name is 'nope'"):
        bp.SEED_001.get("nope")


def test_seed_001_problem():
    x, y, weights, biases, lr = bp.seed_001_problem()
    np.testing.assert_array_equal(x, [0.1, 0.2, 0.7])
    np.testing.assert_array_equal(y, [1.0, 0.0, 0.0])
    assert [w.shape for w in weights] == [(3, 3)] * 3
    assert all(np.all(b == 1.0) for b in biases)
    assert lr == 0.01


# ---------------------------------------------------------------------------------------------
# printed digits: agrees / round_half_up / verdict
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("0.938", 0.938774, True),  # cut off
        ("0.2040", 0.203988, True),  # rounded
        ("-3.70644", -3.706449, True),  # cut off, negative
        ("0.97", 0.966248, True),  # rounded
        ("0.15911", 0.159144, False),
        ("4.001", 4.004, False),
        ("1.0", 1.0, True),
    ],
)
def test_agrees(text, value, expected):
    assert bp.agrees(text, value) is expected


def test_round_half_up():
    np.testing.assert_array_equal(
        bp.round_half_up([0.125, -0.125, 2.0004], [2, 2, 3]), [0.13, -0.13, 2.0]
    )


def test_verdict_is_computed_from_the_numbers():
    assert bp.verdict("1.35", exact=1.35, rounded=1.35) == "matches"
    assert bp.verdict("1.8658", exact=1.867068, rounded=1.8658) == "rounding carried forward"
    assert bp.verdict("0.2698", exact=0.198447, rounded=0.198577) == "inconsistent"
    # the same quantity with a different printed value gets a different verdict
    assert bp.verdict("1.8671", exact=1.867068, rounded=1.8658) == "matches"
    assert bp.verdict("1.8659", exact=1.867068, rounded=1.8658) == "inconsistent"


# ---------------------------------------------------------------------------------------------
# the slide recipe
# ---------------------------------------------------------------------------------------------


def test_slide_recipe_reproduces_every_printed_number():
    recipe = bp.slide_recipe()
    for name in bp.SEED_001_INTERMEDIATES:
        printed = bp.SEED_001.get(name)
        texts = np.array(printed.text, dtype=object)
        for idx in np.ndindex(texts.shape):
            value = recipe[name][idx]
            assert bp.agrees(texts[idx], value), f"{name}{list(idx)}: {texts[idx]} vs {value}"


def test_slide_recipe_computes_rather_than_copies():
    recipe = bp.slide_recipe()
    # sigmoid(2.73) = 0.938774..., printed cut off as 0.938
    assert recipe["h2_out"][0] == pytest.approx(0.9387738, abs=1e-7)
    # without the slides' rounding the forward pass no longer gives the printed o_in
    unrounded = bp.slide_recipe(rounding=False)
    assert not bp.agrees("1.8658", unrounded["o_in"][0])


def test_every_deviation_is_needed():
    """Correcting any one deviation breaks at least one printed number."""
    for name in bp.DEVIATIONS:
        recipe = bp.slide_recipe(fixed={name})
        broken = [
            n
            for n in bp.SEED_001_INTERMEDIATES
            if not np.all(bp._agrees_all(bp.SEED_001.get(n), recipe[n]))
        ]
        assert broken, f"fixing {name} changes no printed number"
        assert set(broken) & set(bp.DEVIATIONS[name].steps), name


def test_slide_recipe_with_everything_fixed_is_exact():
    fixed = bp.slide_recipe(fixed=bp.DEVIATIONS, rounding=False)
    exact = bp.exact_values()
    assert set(exact) == set(bp.SEED_001_INTERMEDIATES)
    for name in bp.SEED_001_INTERMEDIATES:
        np.testing.assert_allclose(fixed[name], exact[name], rtol=1e-12, atol=1e-15, err_msg=name)


def test_slide_recipe_rejects_unknown_fix():
    with pytest.raises(ValueError, match="fixed has unknown names"):
        bp.slide_recipe(fixed={"no_such_thing"})


# ---------------------------------------------------------------------------------------------
# the exact pass
# ---------------------------------------------------------------------------------------------


def test_exact_pass_matches_torch_autograd():
    torch = _torch()
    x, y, weights, biases, lr = bp.seed_001_problem()
    r = bp.exact_pass(x, y, weights, biases, lr)

    params = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (*weights, *biases)]
    w1, w2, w3, b1, b2, b3 = params
    xt, yt = torch.tensor(x), torch.tensor(y)
    h1_in = xt @ w1 + b1
    h2_in = torch.relu(h1_in) @ w2 + b2
    h2_out = torch.sigmoid(h2_in)
    o_in = h2_out @ w3 + b3
    log_p = torch.log_softmax(o_in, dim=0)
    loss = -(yt * log_p).sum()
    loss.backward()

    close = torch.testing.assert_close
    close(torch.tensor(r["h1_in"]), h1_in.detach())
    close(torch.tensor(r["h2_out"]), h2_out.detach())
    close(torch.tensor(r["o_out"]), log_p.exp().detach())
    close(torch.tensor(r["loss"]), loss.detach())
    for key, p in zip(["dW_ij", "dW_jk", "dW_kl", "db_j", "db_k", "db_l"], params, strict=True):
        close(torch.tensor(r[key]), p.grad, msg=key)
    with torch.no_grad():
        new = ["w_ij_new", "w_jk_new", "w_kl_new", "b_j_new", "b_k_new", "b_l_new"]
        for key, p in zip(new, params, strict=True):
            close(torch.tensor(r[key]), p - lr * p.grad, msg=key)


def test_exact_pass_matches_central_differences_for_every_parameter():
    x, y, weights, biases, lr = bp.seed_001_problem()
    r = bp.exact_pass(x, y, weights, biases, lr)
    params = [*weights, *biases]
    keys = ["dW_ij", "dW_jk", "dW_kl", "db_j", "db_k", "db_l"]
    for i, key in enumerate(keys):

        def f(p, i=i):
            trial = list(params)
            trial[i] = p
            return bp.forward_loss(x, y, trial[:3], trial[3:])

        numeric = bp.numerical_gradient(f, params[i])
        np.testing.assert_allclose(r[key], numeric, rtol=1e-6, atol=1e-10, err_msg=key)


def test_exact_pass_known_values():
    r = bp.exact_pass(*bp.seed_001_problem())
    np.testing.assert_allclose(r["h2_in"], [2.731, 2.76, 4.004])
    np.testing.assert_allclose(r["o_out"], [0.19844689, 0.28535553, 0.51619758], atol=1e-8)
    assert float(r["loss"]) == pytest.approx(1.61723375, abs=1e-8)
    np.testing.assert_allclose(r["delta_out"], r["o_out"] - [1, 0, 0])
    # delta_out sums the softmax Jacobian over every output
    np.testing.assert_allclose(
        r["delta_out"], bp.softmax_jacobian(r["o_out"]).T @ r["dE_dO_out"], atol=1e-12
    )


def test_exact_pass_rejects_bad_shapes():
    x, y, weights, biases, lr = bp.seed_001_problem()
    with pytest.raises(ValueError, match="y has shape"):
        bp.exact_pass(x, y[:2], weights, biases, lr)
    with pytest.raises(ValueError, match="x must be one example"):
        bp.exact_pass(x[None, :], y, weights, biases, lr)
    with pytest.raises(ValueError, match="weights must hold 3"):
        bp.exact_pass(x, y, weights[:2], biases[:2], lr)
    with pytest.raises(ValueError, match=r"weights\[1\] has shape \(2, 3\)"):
        bp.exact_pass(x, y, (weights[0], weights[1][:2], weights[2]), biases, lr)
    with pytest.raises(ValueError, match="x contains NaN"):
        bp.exact_pass(np.array([0.1, np.nan, 0.7]), y, weights, biases, lr)


def test_forward_loss_definitions():
    x, y, weights, biases, _ = bp.seed_001_problem()
    assert bp.forward_loss(x, y, weights, biases) == pytest.approx(1.61723375, abs=1e-8)
    # the slides' definition on unrounded numbers: 0.9655, printed 0.97
    assert bp.agrees("0.97", bp.forward_loss(x, y, weights, biases, "slide"))
    with pytest.raises(ValueError, match="definition is 'base2'"):
        bp.forward_loss(x, y, weights, biases, "base2")


def test_loss_before_after():
    r = bp.loss_before_after()
    assert r["exact_before"] == pytest.approx(1.61723375, abs=1e-8)
    # the exact step lowers the loss by about lr * |grad|^2 (first-order Taylor)
    g = bp.exact_pass(*bp.seed_001_problem())
    sq = sum(np.sum(g[k] ** 2) for k in ("dW_ij", "dW_jk", "dW_kl"))
    drop = r["exact_before"] - r["exact_after_exact_step"]
    assert drop == pytest.approx(0.01 * sq, rel=0.05)
    assert r["exact_after_exact_step_with_biases"] < r["exact_after_exact_step"]
    # the slides' step helps too, but about 25 times less than the exact step
    assert 0 < r["exact_before"] - r["exact_after_slide_step"] < drop / 10
    assert r["slide_after_slide_step"] < r["slide_before"]


# ---------------------------------------------------------------------------------------------
# the errata table
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def errata():
    return {row.name: row for row in bp.errata_table()}


def test_errata_has_a_row_per_printed_number(errata):
    n = sum(bp.SEED_001.get(name).value.size for name in bp.SEED_001_INTERMEDIATES)
    assert len(errata) == n
    assert all(row.verdict in bp.VERDICTS for row in errata.values())
    assert all(row.explanation for row in errata.values())


def test_errata_verdicts(errata):
    def verdicts(prefix):
        return {r.verdict for name, r in errata.items() if name.startswith(prefix + "[")}

    assert verdicts("h1_in") == {"matches"}
    assert verdicts("o_in") == {"rounding carried forward"}
    assert verdicts("dh2_out_dh2_in") == {"rounding carried forward"}
    assert verdicts("dh1_out_dh1_in") == {"matches"}
    assert errata["dO_out_dO_in[0]"].verdict == "rounding carried forward"
    assert errata["h2_in[2]"].own_causes == ("h2_in_slip",)
    assert errata["o_out[0]"].own_causes == ("softmax_linear",)
    assert errata["dO_out_dO_in[2]"].own_causes == ("softmax_deriv_index",)
    assert set(errata["loss"].own_causes) == {"loss_binary_ce", "loss_log10"}
    assert "dE_dO_sign" in errata["dE_dO_out[1]"].own_causes
    assert "dW_kl_col2_double" in errata["dW_kl[0,1]"].own_causes
    assert errata["dE_dh2_out[2]"].own_causes == ("dE_dh2_out_sum_slip",)
    assert errata["w_jk_new[2,2]"].own_causes == ("w_jk_update_decimal",)
    assert errata["dE_dh1_out[0]"].own_causes == ("hidden1_diagonal",)
    # an update done right on a wrong gradient: inconsistent, but not this step's fault
    row = errata["w_kl_new[0,0]"]
    assert row.verdict == "inconsistent" and row.own_causes == ()
    assert row.explanation.startswith("this step is right")


def test_every_deviation_explains_some_row(errata):
    own = {c for row in errata.values() for c in row.own_causes}
    assert own == set(bp.DEVIATIONS)


def test_verdict_changes_when_a_printed_value_changes(monkeypatch):
    """Perturb the transcription: the computed verdicts must follow the numbers."""
    s = bp.SEED_001
    perturbed = dataclasses.replace(
        s,
        o_in=bp.Printed(("1.8671", "2.2292", "2.8204"), s.o_in.where),  # the exact value
        h1_in=bp.Printed(("1.36", "1.27", "1.8"), s.h1_in.where),  # a wrong value
    )
    monkeypatch.setattr(bp, "SEED_001", perturbed)
    rows = {row.name: row for row in bp.errata_table()}
    assert rows["o_in[0]"].verdict == "matches"  # was: rounding carried forward
    assert rows["o_in[1]"].verdict == "rounding carried forward"
    assert rows["h1_in[0]"].verdict == "inconsistent"  # was: matches
    assert rows["h1_in[1]"].verdict == "matches"


def test_format_errata():
    rows = bp.errata_table()
    table = bp.format_errata(rows[:3])
    lines = table.splitlines()
    assert lines[0].startswith("| name | where | printed |")
    assert len(lines) == 2 + 3
    assert "| h1_in[0] |" in lines[2]
    # every row of the full table has exactly 7 cells (pipes inside texts are escaped)
    for line in bp.format_errata(rows).splitlines():
        assert line.count("|") - line.count("\\|") == 8, line


# ---------------------------------------------------------------------------------------------
# activations, losses, numerical_gradient, sgd_step
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("g", "dg"),
    [
        (bp.relu, bp.relu_grad),
        (bp.sigmoid, bp.sigmoid_grad),
        (np.tanh, bp.tanh_grad),
        (bp.identity, bp.identity_grad),
    ],
)
def test_activation_derivatives(g, dg):
    h = np.array([-2.0, -0.3, 0.4, 1.7])
    numeric = bp.numerical_gradient(lambda v: float(np.sum(g(v))), h)
    np.testing.assert_allclose(dg(h), numeric, rtol=1e-7, atol=1e-9)


def test_softmax_is_stable_and_normalised():
    s = bp.softmax(np.array([[1000.0, 1001.0, 1002.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(s.sum(axis=1), [1.0, 1.0])
    np.testing.assert_allclose(s[1], [1 / 3] * 3)
    assert np.all(np.isfinite(s))


def test_softmax_backward_and_jacobian():
    rng = np.random.default_rng(1)
    h, grad_s = rng.normal(size=(1, 4)), rng.normal(size=(1, 4))
    s = bp.softmax(h)
    via_jacobian = bp.softmax_jacobian(s[0]).T @ grad_s[0]
    np.testing.assert_allclose(bp.softmax_backward(grad_s, s)[0], via_jacobian, atol=1e-14)
    numeric = bp.numerical_gradient(lambda v: float(np.sum(bp.softmax(v) * grad_s)), h)
    np.testing.assert_allclose(bp.softmax_backward(grad_s, s), numeric, atol=1e-9)
    # with cross-entropy the chain collapses to (s - y) / N, as prop_backward uses
    y = np.eye(4)[[2]]
    np.testing.assert_allclose(bp.softmax_backward(-y / s, s), s - y, atol=1e-14)
    with pytest.raises(ValueError, match=r"grad_s has shape \(1, 3\)"):
        bp.softmax_backward(grad_s[:, :3], s)
    with pytest.raises(ValueError, match="s must be one example"):
        bp.softmax_jacobian(s)


def test_losses():
    p = np.array([[0.25, 0.75], [0.5, 0.5]])
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert bp.cross_entropy(p, y) == pytest.approx(-(np.log(0.75) + np.log(0.5)) / 2)
    assert bp.l2_loss(p, y) == pytest.approx(0.5 * (0.25**2 * 2 + 0.5**2 * 2) / 2)
    assert bp.cross_entropy(p[0], y[0]) == pytest.approx(-np.log(0.75))
    with pytest.raises(ValueError, match=r"p has shape \(2, 2\) but y has shape \(2, 3\)"):
        bp.cross_entropy(p, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="z has shape"):
        bp.l2_loss(p, np.zeros((3, 2)))


def test_numerical_gradient():
    w = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = w.copy()
    grad = bp.numerical_gradient(lambda v: float(np.sum(v**3)), w)
    np.testing.assert_allclose(grad, 3 * w**2, rtol=1e-8)
    np.testing.assert_array_equal(w, before)  # w is not modified
    with pytest.raises(ValueError, match="eps must be positive"):
        bp.numerical_gradient(np.sum, w, eps=0.0)
    with pytest.raises(ValueError, match="at contains NaN"):
        bp.numerical_gradient(np.sum, np.array([np.nan]))


def test_sgd_step():
    new = bp.sgd_step([np.ones(2), np.zeros((1, 2))], [np.array([1.0, -1.0]), np.ones((1, 2))], 0.1)
    np.testing.assert_allclose(new[0], [0.9, 1.1])
    np.testing.assert_allclose(new[1], [[-0.1, -0.1]])
    with pytest.raises(ValueError, match=r"params\[0\] has shape \(2,\) but grads\[0\]"):
        bp.sgd_step([np.ones(2)], [np.ones(3)], 0.1)
    with pytest.raises(ValueError, match="params has 1 arrays but grads has 2"):
        bp.sgd_step([np.ones(2)], [np.ones(2), np.ones(2)], 0.1)


# ---------------------------------------------------------------------------------------------
# PROP (seed 004)
# ---------------------------------------------------------------------------------------------


def test_prop_gives_the_exact_333_gradients():
    x, y, weights, biases, lr = bp.seed_001_problem()
    r = bp.exact_pass(x, y, weights, biases, lr)
    out = bp.prop(x, y, weights, biases, bp.SEED_001_ACTIVATIONS, "cross_entropy")
    assert out.loss == pytest.approx(float(r["loss"]), abs=1e-14)
    np.testing.assert_allclose(out.output[0], r["o_out"], atol=1e-15)
    for got, key in zip(out.grad_weights, ["dW_ij", "dW_jk", "dW_kl"], strict=True):
        np.testing.assert_allclose(got, r[key], atol=1e-15, err_msg=key)
    for got, key in zip(out.grad_biases, ["db_j", "db_k", "db_l"], strict=True):
        np.testing.assert_allclose(got, r[key], atol=1e-15, err_msg=key)


def test_prop_forward_shapes():
    rng, weights, biases = _random_network([4, 5, 2], seed=0)
    hs, zs = bp.prop_forward(rng.normal(size=(6, 4)), weights, biases, ["tanh", "softmax"])
    assert [h.shape for h in hs] == [(6, 5), (6, 2)]
    assert [z.shape for z in zs] == [(6, 4), (6, 5), (6, 2)]
    np.testing.assert_allclose(zs[-1].sum(axis=1), 1.0)


PROP_CASES = [
    # sizes, activations, loss
    ([4, 5, 3], ["relu", "softmax"], "cross_entropy"),
    ([3, 6, 6, 2], ["sigmoid", "tanh", "softmax"], "cross_entropy"),
    ([2, 3, 4, 3, 2], ["tanh", "relu", "sigmoid", "softmax"], "cross_entropy"),
    ([4, 5, 3], ["sigmoid", "identity"], "l2"),
    ([3, 6, 6, 2], ["relu", "tanh", "sigmoid"], "l2"),
    ([2, 3, 4, 3, 2], ["identity", "sigmoid", "relu", "tanh"], "l2"),
    ([3, 4, 3], ["tanh", "softmax"], "l2"),  # softmax without cross-entropy: the general path
]


@pytest.mark.parametrize(("sizes", "activations", "loss"), PROP_CASES)
def test_prop_matches_central_differences(sizes, activations, loss):
    rng, weights, biases = _random_network(sizes, seed=len(sizes) + len(loss))
    x = rng.normal(size=(5, sizes[0]))
    y = _targets(rng, 5, sizes[-1], loss)
    out = bp.prop(x, y, weights, biases, activations, loss)
    params = [*weights, *biases]
    analytic = [*out.grad_weights, *out.grad_biases]
    k = len(weights)
    for i, p in enumerate(params):

        def f(v, i=i):
            trial = list(params)
            trial[i] = v
            return bp.prop(x, y, trial[:k], trial[k:], activations, loss).loss

        numeric = bp.numerical_gradient(f, p)
        np.testing.assert_allclose(analytic[i], numeric, rtol=1e-5, atol=1e-8, err_msg=str(i))


# every case with a softmax output also uses cross-entropy, so log_softmax covers it
@pytest.mark.parametrize(("sizes", "activations", "loss"), PROP_CASES[:6])
def test_prop_matches_torch_autograd(sizes, activations, loss):
    torch = _torch()
    rng, weights, biases = _random_network(sizes, seed=7)
    x = rng.normal(size=(8, sizes[0]))
    y = _targets(rng, 8, sizes[-1], loss)
    out = bp.prop(x, y, weights, biases, activations, loss)

    ws = [torch.tensor(w, requires_grad=True) for w in weights]
    bs = [torch.tensor(b, requires_grad=True) for b in biases]
    # the last softmax is left out here and folded into log_softmax below
    fns = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}
    fns |= {"identity": lambda h: h, "softmax": lambda h: h}
    z = torch.tensor(x)
    for w, b, name in zip(ws, bs, activations, strict=True):
        z = fns[name](z @ w + b)
    yt = torch.tensor(y)
    if loss == "cross_entropy":
        total = -(yt * torch.log_softmax(z, dim=1)).sum() / len(x)
    else:
        total = 0.5 * ((yt - z) ** 2).sum() / len(x)
    total.backward()
    torch.testing.assert_close(torch.tensor(out.loss, dtype=torch.float64), total.detach())
    for got, p in zip([*out.grad_weights, *out.grad_biases], [*ws, *bs], strict=True):
        torch.testing.assert_close(torch.tensor(got), p.grad)


def test_prop_loss():
    z, y = np.array([[0.2, 0.8]]), np.array([[0.0, 1.0]])
    assert bp.prop_loss(z, y, "cross_entropy") == pytest.approx(-np.log(0.8))
    assert bp.prop_loss(z, y, "l2") == pytest.approx(0.04)
    with pytest.raises(ValueError, match="loss is 'l1'"):
        bp.prop_loss(z, y, "l1")


def test_prop_backward_checks_its_inputs():
    rng, weights, biases = _random_network([3, 4, 2], seed=3)
    x = rng.normal(size=(2, 3))
    hs, zs = bp.prop_forward(x, weights, biases, ["relu", "sigmoid"])
    with pytest.raises(ValueError, match="expects a softmax output layer"):
        bp.prop_backward(np.eye(2), weights, hs, zs, ["relu", "sigmoid"], "cross_entropy")
    with pytest.raises(ValueError, match="expected 2 hs"):
        bp.prop_backward(np.eye(2), weights, hs[:1], zs, ["relu", "sigmoid"], "l2")
    with pytest.raises(ValueError, match=r"y has shape \(2, 3\)"):
        bp.prop_backward(np.ones((2, 3)), weights, hs, zs, ["relu", "sigmoid"], "l2")
    with pytest.raises(ValueError, match="loss is 'hinge'"):
        bp.prop_backward(np.eye(2), weights, hs, zs, ["relu", "sigmoid"], "hinge")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"x": np.ones((2, 4))}, r"weights\[0\] has shape \(3, 4\) but expected \(4, n_out\)"),
        ({"weights": "w1_rows"}, r"weights\[1\] has shape \(3, 2\) but expected \(4, n_out\)"),
        ({"biases": "b0_len"}, r"biases\[0\] has shape \(3,\) but expected \(4,\)"),
        ({"biases": "b_count"}, "biases has 1 entries but weights has 2"),
        ({"y": np.ones((2, 3))}, r"y has shape \(2, 3\) but the network outputs shape \(2, 2\)"),
        ({"x": np.array([[np.nan, 0.0, 1.0]] * 2)}, "x contains NaN"),
        ({"y": np.array([[np.nan, 1.0]] * 2)}, "y contains NaN"),
        ({"weights": "w_nan"}, r"weights\[0\] contains NaN"),
        ({"activations": ["relu", "swish"]}, r"activations\[1\] is 'swish'"),
        ({"activations": ["softmax", "softmax"]}, r"activations\[0\] is 'softmax'; only the last"),
        ({"activations": ["relu"]}, "activations has 1 entries but weights has 2"),
        ({"loss": "hinge"}, "loss is 'hinge'"),
        ({"x": np.ones((2, 3, 1))}, "x must be"),
    ],
)
def test_prop_errors_name_the_argument(change, message):
    rng, weights, biases = _random_network([3, 4, 2], seed=5)
    args = {
        "x": rng.normal(size=(2, 3)),
        "y": np.eye(2),
        "weights": weights,
        "biases": biases,
        "activations": ["relu", "softmax"],
        "loss": "cross_entropy",
    }
    special = {
        "w1_rows": [weights[0], weights[1][:3]],
        "b0_len": [biases[0][:3], biases[1]],
        "b_count": biases[:1],
        "w_nan": [np.full_like(weights[0], np.nan), weights[1]],
    }
    for key, value in change.items():
        args[key] = special[value] if isinstance(value, str) and value in special else value
    with pytest.raises(ValueError, match=message):
        bp.prop(**args)


# ---------------------------------------------------------------------------------------------
# presenting the errata: counts, grouping by slide, the deviations' reach
# ---------------------------------------------------------------------------------------------


def test_errata_counts(errata):
    assert bp.errata_counts(list(errata.values())) == {
        "matches": 14,
        "rounding carried forward": 8,
        "inconsistent": 83,
    }
    assert bp.errata_counts([]) == dict.fromkeys(bp.VERDICTS, 0)


def test_slide_of(errata):
    assert bp.slide_of(errata["h1_in[0]"]) == 5
    assert bp.slide_of(errata["dW_kl[0,1]"]) == 12
    with pytest.raises(ValueError, match="where is 'nowhere'"):
        bp.slide_of(dataclasses.replace(errata["h1_in[0]"], where="nowhere"))


def test_format_errata_by_slide(errata):
    rows = list(errata.values())
    text = bp.format_errata_by_slide(rows)
    assert text.count("| `") == len(rows) == 105
    assert "**Slide 6** (5 matches, 1 inconsistent)" in text
    assert (
        "| `h2_in[2]` | 4.001 | 4.001 | 4.004 | ✗ inconsistent | **h2_in_slip**: h2_in[2]" in text
    )
    assert "| ✗ inconsistent | this step is right; inherits softmax_linear |" in text
    assert "| `o_in[0]` | 1.8658 | 1.8658 | 1.86707 | ≈ rounding |" in text
    headings = [line for line in text.splitlines() if line.startswith("**Slide")]
    assert len(headings) == 13


def test_deviation_summary(errata):
    summary = {d.name: d for d in bp.deviation_summary(list(errata.values()))}
    assert list(summary) == list(bp.DEVIATIONS)
    assert summary["softmax_linear"].slides == (7,) and summary["softmax_linear"].own_rows == 3
    assert summary["loss_binary_ce"].slides == (8, 11)
    assert summary["w_jk_update_decimal"].own_rows == summary["w_jk_update_decimal"].rows == 1
    assert all(d.own_rows >= 1 and d.rows >= d.own_rows for d in summary.values())
